/**
 * The pattern every kind's reconcile machine follows, shown on a small example: async steps are invoked
 * `fromPromise` actors, the pass ends in a final state with `{result, conditions, status}`, waits are a stored
 * deadline plus requeueAfter. The machine is tested by pure transitions (no actor runs) and by running it with
 * fake actors.
 */

import { describe, expect, it } from "vitest";
import { assign, fromPromise, initialTransition, setup, transition } from "xstate";
import { API_VERSION } from "../../../src/crds/meta.js";
import {
  readyConditions,
  reconcilingConditions,
  stalledConditions,
} from "../../../src/reconcilers/conditions.js";
import { MachineStalledError } from "../../../src/runtime/errors.js";
import { applyPassOutput, type PassOutput, runMachinePass } from "../../../src/runtime/machine-runner.js";
import { done, requeueAfter } from "../../../src/runtime/result.js";
import { FakeStore } from "../../support/fake-store.js";

interface WidgetStatus extends Record<string, unknown> {
  widgetId?: string;
  /** A stored deadline: survives a restart, unlike an `after` timer. */
  readyDeadline?: number;
}

interface WidgetInput {
  generation: number;
  now: number;
  status: WidgetStatus;
}

interface Observed {
  exists: boolean;
  ready: boolean;
}

const READY_TIMEOUT_MS = 60_000;
const POLL_MS = 5_000;

const widgetMachine = setup({
  types: {} as {
    input: WidgetInput;
    context: WidgetInput & { observed?: Observed; output?: PassOutput<WidgetStatus> };
    output: PassOutput<WidgetStatus>;
  },
  actors: {
    describeWidget: fromPromise<Observed, { id?: string }>(async () => {
      throw new Error("describeWidget must be provided");
    }),
    createWidget: fromPromise<{ id: string }, { generation: number }>(async () => {
      throw new Error("createWidget must be provided");
    }),
  },
  guards: {
    missing: ({ context }) => context.observed?.exists !== true,
    isReady: ({ context }) => context.observed?.ready === true,
    deadlinePassed: ({ context }) =>
      context.status.readyDeadline !== undefined && context.now >= context.status.readyDeadline,
  },
}).createMachine({
  id: "widget",
  context: ({ input }) => ({ ...input }),
  initial: "describing",
  states: {
    describing: {
      invoke: {
        id: "describe",
        src: "describeWidget",
        input: ({ context }) =>
          context.status.widgetId === undefined ? {} : { id: context.status.widgetId },
        onDone: { target: "deciding", actions: assign({ observed: ({ event }) => event.output }) },
      },
    },
    creating: {
      invoke: {
        id: "create",
        src: "createWidget",
        input: ({ context }) => ({ generation: context.generation }),
        onDone: {
          target: "waiting",
          actions: assign({
            status: ({ context, event }) => ({ ...context.status, widgetId: event.output.id }),
          }),
        },
      },
    },
    deciding: {
      always: [
        { guard: "missing", target: "creating" },
        { guard: "isReady", target: "ready" },
        { target: "waiting" },
      ],
    },
    waiting: {
      always: [{ guard: "deadlinePassed", target: "timedOut" }, { target: "pending" }],
    },
    pending: {
      type: "final",
      entry: assign({
        output: ({ context }) => ({
          result: requeueAfter(POLL_MS),
          conditions: reconcilingConditions(context.generation, "Creating", "waiting for the widget"),
          status: {
            ...context.status,
            readyDeadline: context.status.readyDeadline ?? context.now + READY_TIMEOUT_MS,
          },
        }),
      }),
    },
    ready: {
      type: "final",
      entry: assign({
        output: ({ context }) => ({
          result: done(),
          conditions: readyConditions(context.generation, "Ready", "widget ready"),
          status: { ...context.status, readyDeadline: undefined },
        }),
      }),
    },
    timedOut: {
      type: "final",
      entry: assign({
        output: ({ context }) => ({
          result: done(),
          conditions: stalledConditions(context.generation, "ReadyTimeout", "widget not ready in time"),
          status: context.status,
        }),
      }),
    },
  },
  output: ({ context }) => {
    if (context.output === undefined) throw new Error("final state without output");
    return context.output;
  },
});

const NOW = 1_700_000_000_000;
const input: WidgetInput = { generation: 2, now: NOW, status: {} };

describe("example machine by pure transitions (no actor runs)", () => {
  it("starts by invoking describe, then creates when missing", () => {
    const [start, actions] = initialTransition(widgetMachine, input);
    expect(start.value).toBe("describing");
    expect(actions.some((a) => a.type === "xstate.spawnChild")).toBe(true);
    const [afterDescribe] = transition(widgetMachine, start, {
      type: "xstate.done.actor.describe",
      output: { exists: false, ready: false },
    });
    expect(afterDescribe.value).toBe("creating");
    const [afterCreate] = transition(widgetMachine, afterDescribe, {
      type: "xstate.done.actor.create",
      output: { id: "w-1" },
    });
    expect(afterCreate.status).toBe("done");
    expect(afterCreate.output).toEqual({
      result: { type: "requeueAfter", ms: POLL_MS },
      conditions: reconcilingConditions(2, "Creating", "waiting for the widget"),
      status: { widgetId: "w-1", readyDeadline: NOW + READY_TIMEOUT_MS },
    });
  });

  it("keeps a stored deadline across passes and stalls once it has passed", () => {
    const later = {
      generation: 2,
      now: NOW + READY_TIMEOUT_MS,
      status: { widgetId: "w-1", readyDeadline: NOW + 1000 },
    };
    const [start] = initialTransition(widgetMachine, later);
    const [end] = transition(widgetMachine, start, {
      type: "xstate.done.actor.describe",
      output: { exists: true, ready: false },
    });
    expect(end.value).toBe("timedOut");
    expect(end.output?.conditions).toEqual(stalledConditions(2, "ReadyTimeout", "widget not ready in time"));
  });
});

describe("runMachinePass", () => {
  it("runs the machine with fake actors to its final output", async () => {
    const calls: string[] = [];
    const machine = widgetMachine.provide({
      actors: {
        describeWidget: fromPromise(async ({ input: i }) => {
          calls.push(`describe ${JSON.stringify(i)}`);
          return { exists: true, ready: true };
        }),
      },
    });
    const output = await runMachinePass(
      machine,
      { ...input, status: { widgetId: "w-1" } },
      new AbortController().signal,
    );
    expect(calls).toEqual(['describe {"id":"w-1"}']);
    expect(output.result).toEqual(done());
    expect(output.conditions).toEqual(readyConditions(2, "Ready", "widget ready"));
  });

  it("rejects with a failed step's error when the machine does not handle it", async () => {
    const machine = widgetMachine.provide({
      actors: {
        describeWidget: fromPromise<Observed, { id?: string }>(async () => {
          throw new Error("ThrottlingException");
        }),
      },
    });
    await expect(runMachinePass(machine, input, new AbortController().signal)).rejects.toThrow(
      "ThrottlingException",
    );
  });

  it("stops the machine and aborts the running step's signal when the pass aborts", async () => {
    let stepSignal: AbortSignal | undefined;
    let started: () => void = () => undefined;
    const running = new Promise<void>((r) => {
      started = r;
    });
    const machine = widgetMachine.provide({
      actors: {
        describeWidget: fromPromise<Observed, { id?: string }>(({ signal }) => {
          stepSignal = signal;
          started();
          return new Promise<Observed>(() => undefined); // never settles by itself
        }),
      },
    });
    const controller = new AbortController();
    const pass = runMachinePass(machine, input, controller.signal);
    await running;
    controller.abort(new Error("pass timed out"));
    await expect(pass).rejects.toThrow("pass timed out");
    expect(stepSignal?.aborted).toBe(true);
  });

  it("rejects at once when the signal is already aborted", async () => {
    const controller = new AbortController();
    controller.abort(new Error("gone"));
    await expect(runMachinePass(widgetMachine, input, controller.signal)).rejects.toThrow("gone");
  });

  it("reports a machine resting in a non-final state with nothing running", async () => {
    const stuck = setup({}).createMachine({
      id: "stuck",
      initial: "idle",
      states: { idle: { on: { GO: "idle" } } },
    });
    await expect(runMachinePass(stuck, undefined, new AbortController().signal)).rejects.toBeInstanceOf(
      MachineStalledError,
    );
  });
});

describe("applyPassOutput", () => {
  it("records the generation and the spec hash the pass acted on beside its conditions", async () => {
    const store = new FakeStore(() => 0);
    const record = await store.create({
      apiVersion: API_VERSION,
      kind: "CloudMapNamespace",
      metadata: { name: "apps", namespace: "default" },
      spec: { dnsName: "apps.internal", vpcId: "vpc-1" },
    });
    const output: PassOutput = { result: done(), conditions: readyConditions(1, "Created", ""), status: {} };
    await applyPassOutput(store, record, output, new Date(0));
    const written = await store.get("CloudMapNamespace", "default", "apps");
    expect(written.status).toMatchObject({ observedGeneration: 1, observedSpecHash: record.specHash });
  });
});

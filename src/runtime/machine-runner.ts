/**
 * Runs a kind's xstate machine for one reconcile pass. The machine is built with `setup({actors, guards,
 * actions})`; its async steps are invoked `fromPromise` actors, which receive xstate's own AbortSignal — it
 * aborts when the machine stops, and the runner stops the machine when the pass's signal aborts. A pass ends
 * in a final state whose output is `{ result, conditions, status }`. Waits that must survive a restart are a
 * deadline stored in the status plus `requeueAfter`, never an `after` timer (timers die with the process).
 */
import {
  type AnyMachineSnapshot,
  type AnyStateMachine,
  createActor,
  type InputFrom,
  type OutputFrom,
} from "xstate";
import type { ConditionUpdate } from "../reconcilers/conditions.js";
import { writeStatus } from "../reconcilers/status.js";
import type { ResourceStore, StoredResource } from "../store/types.js";
import { MachineStalledError } from "./errors.js";
import type { ReconcileResult } from "./result.js";

/** What a pass machine's final state outputs. */
export interface PassOutput<Status extends Record<string, unknown> = Record<string, unknown>> {
  result: ReconcileResult;
  /** Conditions to set on the record (lastTransitionTime is stamped by the writer). */
  conditions: ConditionUpdate[];
  /** Status fields to set; `undefined` removes a field. */
  status: { [K in keyof Status]?: Status[K] | undefined };
}

function describeState(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}

/**
 * Runs `machine` with `input` to a final state and resolves its output. Rejects with the error of a failed
 * step the machine did not handle, with the signal's reason when the signal aborts (the machine and its
 * running steps are stopped), or with MachineStalledError when the machine rests in a non-final state with no
 * step running (nothing could ever move it on within a pass).
 */
export function runMachinePass<TMachine extends AnyStateMachine>(
  machine: TMachine,
  input: InputFrom<TMachine>,
  signal: AbortSignal,
): Promise<OutputFrom<TMachine>> {
  return new Promise<OutputFrom<TMachine>>((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    const actor = createActor(machine, { input });
    let settled = false;
    const finish = (settle: () => void): void => {
      if (settled) return;
      settled = true;
      signal.removeEventListener("abort", onAbort);
      subscription.unsubscribe();
      settle();
    };
    const onAbort = (): void => {
      finish(() => reject(signal.reason));
      actor.stop();
    };
    const subscription = actor.subscribe({
      next: (next) => {
        const snapshot = next as AnyMachineSnapshot;
        if (snapshot.status === "done") {
          finish(() => resolve(snapshot.output as OutputFrom<TMachine>));
        } else if (snapshot.status === "active" && Object.keys(snapshot.children).length === 0) {
          const state = describeState(snapshot.value);
          finish(() =>
            reject(
              new MachineStalledError(
                state,
                `machine ${machine.id} rests in non-final state ${state} with no step running`,
              ),
            ),
          );
          actor.stop();
        }
      },
      error: (error) => finish(() => reject(error)),
    });
    signal.addEventListener("abort", onAbort, { once: true });
    actor.start();
  });
}

/**
 * Writes a pass's output onto the record's status (skipped when nothing changes) and returns its result.
 * `observedGeneration` is raised to the record's generation and `observedSpecHash` set to its spec hash: the
 * pass ran against that spec.
 */
export async function applyPassOutput(
  store: ResourceStore,
  record: StoredResource,
  output: PassOutput,
  now: Date,
): Promise<ReconcileResult> {
  await writeStatus(
    store,
    record,
    {
      conditions: output.conditions,
      fields: output.status,
      observedGeneration: record.metadata.generation,
      observedSpecHash: record.specHash,
    },
    now,
  );
  return output.result;
}

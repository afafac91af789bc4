/**
 * The CatalogSync reconcile machine (DESIGN 6, 10): one pass from the stored record to a running sync (an engine
 * in this process, or a child FargateService) and back to the status. Pure: the steps are `fromPromise` actors
 * the reconciler provides (`machine.provide`), so tests run the transitions with fakes.
 *
 *   apply:  resolvingNamespace → checkingExclusivity → addingFinalizer
 *           → controller: removingChild → ensuringEngine → done
 *           → task:       stoppingEngine → ensuringChild → done
 *           (namespace not ready / namespace already synced: stoppingEngine → done)
 *   delete: stoppingEngine → deletingChild (waits until gone) → cleaningUp → done (finalizer removed)
 */
import { assign, fromPromise, setup } from "xstate";
import type { PassOutput } from "../../runtime/machine-runner.js";
import type {
  CatalogSyncContext,
  CatalogSyncRecord,
  CatalogSyncSettings,
  EnsuredChild,
  EnsuredEngine,
  ExclusivityCheck,
  SyncDeletionProgress,
  SyncNamespaceResolution,
} from "./context.js";
import {
  alreadySyncedOutput,
  childOutput,
  deletionOutput,
  engineOutput,
  namespaceNotReadyOutput,
} from "./output.js";

/** Input of one pass. */
export interface CatalogSyncMachineInput {
  record: CatalogSyncRecord;
  settings: CatalogSyncSettings;
  now: number;
}

/** A pass's output: status and result, plus whether the finalizer may now be removed. */
export interface CatalogSyncPassOutput extends PassOutput {
  removeFinalizer: boolean;
}

/** Where a pass ended (decides the output). */
type Outcome = "namespaceNotReady" | "alreadySynced" | "engine" | "child" | "deleting" | "deleted";

type Context = CatalogSyncContext & { outcome?: Outcome };

/** Input of the steps that need only the record. */
export type SyncRecordInput = { record: CatalogSyncRecord };
/** Input of the steps that need the resolved namespace. */
export type SyncNamespaceInput = SyncRecordInput & { namespaceId: string; dnsName: string };

function notProvided(name: string): never {
  throw new Error(`the ${name} step must be provided by the reconciler`);
}

function outputOf(context: Context): CatalogSyncPassOutput {
  switch (context.outcome) {
    case "namespaceNotReady":
      return { ...namespaceNotReadyOutput(context), removeFinalizer: false };
    case "alreadySynced":
      return { ...alreadySyncedOutput(context), removeFinalizer: false };
    case "engine":
      return { ...engineOutput(context), removeFinalizer: false };
    case "child":
      return { ...childOutput(context), removeFinalizer: false };
    case "deleted":
      return { ...deletionOutput(context), removeFinalizer: true };
    default:
      return { ...deletionOutput(context), removeFinalizer: false };
  }
}

function resolvedNamespace(context: Context): SyncNamespaceInput {
  const ns = context.namespace;
  if (ns?.ready !== true) throw new Error("catalog-sync machine: the namespace is not resolved");
  return { record: context.record, namespaceId: ns.namespaceId, dnsName: ns.dnsName };
}

/** The machine; its steps are placeholders until the reconciler provides them. */
export const catalogSyncMachine = setup({
  types: {} as { input: CatalogSyncMachineInput; context: Context; output: CatalogSyncPassOutput },
  actors: {
    resolveNamespace: fromPromise<SyncNamespaceResolution, SyncRecordInput>(async () =>
      notProvided("resolveNamespace"),
    ),
    checkExclusivity: fromPromise<ExclusivityCheck, SyncNamespaceInput>(async () =>
      notProvided("checkExclusivity"),
    ),
    addFinalizer: fromPromise<void, SyncRecordInput>(async () => notProvided("addFinalizer")),
    ensureEngine: fromPromise<EnsuredEngine, SyncNamespaceInput>(async () => notProvided("ensureEngine")),
    stopEngine: fromPromise<void, SyncRecordInput>(async () => notProvided("stopEngine")),
    ensureChild: fromPromise<EnsuredChild, SyncNamespaceInput>(async () => notProvided("ensureChild")),
    deleteChild: fromPromise<SyncDeletionProgress, SyncRecordInput>(async () => notProvided("deleteChild")),
    cleanUp: fromPromise<SyncDeletionProgress, SyncRecordInput>(async () => notProvided("cleanUp")),
  },
  guards: {
    isDeleting: ({ context }) => context.record.metadata.deletionTimestamp !== undefined,
    isNamespaceReady: ({ context }) => context.namespace?.ready === true,
    isExclusive: ({ context }) => context.exclusivity?.exclusive === true,
    runsInTask: ({ context }) => context.record.spec.placement === "task",
    isDeletionStepComplete: ({ context }) => context.deletion?.complete === true,
  },
}).createMachine({
  id: "catalogSync",
  context: ({ input }) => ({ ...input }),
  initial: "starting",
  output: ({ context }) => outputOf(context),
  states: {
    starting: {
      always: [{ guard: "isDeleting", target: "deleting" }, { target: "resolvingNamespace" }],
    },
    resolvingNamespace: {
      invoke: {
        src: "resolveNamespace",
        input: ({ context }) => ({ record: context.record }),
        onDone: { target: "namespaceResolved", actions: assign({ namespace: ({ event }) => event.output }) },
      },
    },
    namespaceResolved: {
      always: [
        { guard: "isNamespaceReady", target: "checkingExclusivity" },
        { target: "releasing", actions: assign({ outcome: "namespaceNotReady" as const }) },
      ],
    },
    checkingExclusivity: {
      invoke: {
        src: "checkExclusivity",
        input: ({ context }) => resolvedNamespace(context),
        onDone: {
          target: "exclusivityChecked",
          actions: assign({ exclusivity: ({ event }) => event.output }),
        },
      },
    },
    exclusivityChecked: {
      always: [
        { guard: "isExclusive", target: "addingFinalizer" },
        { target: "releasing", actions: assign({ outcome: "alreadySynced" as const }) },
      ],
    },
    // Nothing may keep syncing a namespace this record cannot sync now.
    releasing: {
      invoke: {
        src: "stopEngine",
        input: ({ context }) => ({ record: context.record }),
        onDone: { target: "done" },
      },
    },
    addingFinalizer: {
      invoke: {
        src: "addFinalizer",
        input: ({ context }) => ({ record: context.record }),
        onDone: { target: "placed" },
      },
    },
    placed: {
      always: [{ guard: "runsInTask", target: "stoppingEngine" }, { target: "removingChild" }],
    },
    // placement: controller — a child left from an earlier placement: task goes first (one writer).
    removingChild: {
      invoke: {
        src: "deleteChild",
        input: ({ context }) => ({ record: context.record }),
        onDone: { target: "ensuringEngine" },
      },
    },
    ensuringEngine: {
      invoke: {
        src: "ensureEngine",
        input: ({ context }) => resolvedNamespace(context),
        onDone: {
          target: "done",
          actions: assign({ engine: ({ event }) => event.output, outcome: "engine" as const }),
        },
      },
    },
    // placement: task — an engine left from an earlier placement: controller stops first.
    stoppingEngine: {
      invoke: {
        src: "stopEngine",
        input: ({ context }) => ({ record: context.record }),
        onDone: { target: "ensuringChild" },
      },
    },
    ensuringChild: {
      invoke: {
        src: "ensureChild",
        input: ({ context }) => resolvedNamespace(context),
        onDone: {
          target: "done",
          actions: assign({ child: ({ event }) => event.output, outcome: "child" as const }),
        },
      },
    },
    deleting: {
      initial: "stoppingEngine",
      states: {
        stoppingEngine: {
          invoke: {
            src: "stopEngine",
            input: ({ context }) => ({ record: context.record }),
            onDone: { target: "deletingChild" },
          },
        },
        deletingChild: {
          invoke: {
            src: "deleteChild",
            input: ({ context }) => ({ record: context.record }),
            onDone: { target: "childStep", actions: assign({ deletion: ({ event }) => event.output }) },
          },
        },
        childStep: {
          always: [
            { guard: "isDeletionStepComplete", target: "cleaningUp" },
            { target: "#catalogSync.done", actions: assign({ outcome: "deleting" as const }) },
          ],
        },
        cleaningUp: {
          invoke: {
            src: "cleanUp",
            input: ({ context }) => ({ record: context.record }),
            onDone: { target: "cleanupStep", actions: assign({ deletion: ({ event }) => event.output }) },
          },
        },
        cleanupStep: {
          always: [
            {
              guard: "isDeletionStepComplete",
              target: "#catalogSync.done",
              actions: assign({ outcome: "deleted" as const }),
            },
            { target: "#catalogSync.done", actions: assign({ outcome: "deleting" as const }) },
          ],
        },
      },
    },
    done: { type: "final" },
  },
});

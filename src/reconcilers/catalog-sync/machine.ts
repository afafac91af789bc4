/**
 * The CatalogSync reconcile machine (DESIGN 6, 10): one pass from the stored record to a running sync (an engine
 * in this process, or a child FargateService) and back to the status. Pure: the steps are `fromPromise` actors
 * the reconciler provides (`machine.provide`), so tests run the transitions with fakes.
 *
 *   apply:  checkingAccess → resolvingNamespace → claimingNamespace → addingFinalizer
 *           → controller: removingChild → ensuringEngine → done
 *           → task:       stoppingEngine → ensuringChild → done
 *           (namespace not ready: stoppingEngine → done)
 *           (refused by policy or credential rules / not the namespace's owner: withdrawing → done)
 *   withdraw: stoppingEngine → deletingChild (waits until gone) → cleaningUp (what it mirrored) → releasingClaims
 *   delete: stoppingEngine → deletingChild (waits until gone) → cleaningUp → releasingClaims → done (finalizer
 *           removed)
 */
import { assign, fromPromise, setup } from "xstate";
import type { PassOutput } from "../../runtime/machine-runner.js";
import type {
  AccessCheck,
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
  refusedOutput,
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
type Outcome =
  | "refused"
  | "namespaceNotReady"
  | "alreadySynced"
  | "engine"
  | "child"
  | "deleting"
  | "deleted";

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
    case "refused":
      return { ...refusedOutput(context), removeFinalizer: false };
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
    checkAccess: fromPromise<AccessCheck, SyncRecordInput>(async () => notProvided("checkAccess")),
    resolveNamespace: fromPromise<SyncNamespaceResolution, SyncRecordInput>(async () =>
      notProvided("resolveNamespace"),
    ),
    claimNamespace: fromPromise<ExclusivityCheck, SyncNamespaceInput>(async () =>
      notProvided("claimNamespace"),
    ),
    addFinalizer: fromPromise<void, SyncRecordInput>(async () => notProvided("addFinalizer")),
    ensureEngine: fromPromise<EnsuredEngine, SyncNamespaceInput>(async () => notProvided("ensureEngine")),
    stopEngine: fromPromise<void, SyncRecordInput>(async () => notProvided("stopEngine")),
    ensureChild: fromPromise<EnsuredChild, SyncNamespaceInput>(async () => notProvided("ensureChild")),
    deleteChild: fromPromise<SyncDeletionProgress, SyncRecordInput>(async () => notProvided("deleteChild")),
    cleanUp: fromPromise<SyncDeletionProgress, SyncRecordInput>(async () => notProvided("cleanUp")),
    withdrawMirror: fromPromise<SyncDeletionProgress, SyncRecordInput>(async () =>
      notProvided("withdrawMirror"),
    ),
    releaseClaims: fromPromise<void, SyncRecordInput>(async () => notProvided("releaseClaims")),
  },
  guards: {
    isDeleting: ({ context }) => context.record.metadata.deletionTimestamp !== undefined,
    isAllowed: ({ context }) => context.access?.allowed === true,
    isNamespaceReady: ({ context }) => context.namespace?.ready === true,
    isExclusive: ({ context }) => context.exclusivity?.exclusive === true,
    runsInTask: ({ context }) => context.record.spec.placement === "task",
    isDeletionStepComplete: ({ context }) => context.deletion?.complete === true,
    isWithdrawalStepComplete: ({ context }) => context.withdrawal?.complete === true,
  },
}).createMachine({
  id: "catalogSync",
  context: ({ input }) => ({ ...input }),
  initial: "starting",
  output: ({ context }) => outputOf(context),
  states: {
    starting: {
      always: [{ guard: "isDeleting", target: "deleting" }, { target: "checkingAccess" }],
    },
    // The policy and the credential rules come before anything is read from AWS or Consul.
    checkingAccess: {
      invoke: {
        src: "checkAccess",
        input: ({ context }) => ({ record: context.record }),
        onDone: { target: "accessChecked", actions: assign({ access: ({ event }) => event.output }) },
      },
    },
    accessChecked: {
      always: [
        { guard: "isAllowed", target: "resolvingNamespace" },
        { target: "withdrawing", actions: assign({ outcome: "refused" as const }) },
      ],
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
        { guard: "isNamespaceReady", target: "claimingNamespace" },
        { target: "releasing", actions: assign({ outcome: "namespaceNotReady" as const }) },
      ],
    },
    claimingNamespace: {
      invoke: {
        src: "claimNamespace",
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
        { target: "withdrawing", actions: assign({ outcome: "alreadySynced" as const }) },
      ],
    },
    // A record that may not sync leaves nothing running and nothing mirrored, and holds no namespace.
    withdrawing: {
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
            onDone: { target: "childStep", actions: assign({ withdrawal: ({ event }) => event.output }) },
          },
        },
        // A sync task still running would mirror again what cleanup removes: wait until it is gone.
        childStep: {
          always: [
            { guard: "isWithdrawalStepComplete", target: "cleaningUp" },
            { target: "#catalogSync.done" },
          ],
        },
        cleaningUp: {
          invoke: {
            src: "withdrawMirror",
            input: ({ context }) => ({ record: context.record }),
            onDone: { target: "cleanupStep", actions: assign({ withdrawal: ({ event }) => event.output }) },
          },
        },
        cleanupStep: {
          always: [
            { guard: "isWithdrawalStepComplete", target: "releasingClaims" },
            { target: "#catalogSync.done" },
          ],
        },
        releasingClaims: {
          invoke: {
            src: "releaseClaims",
            input: ({ context }) => ({ record: context.record }),
            onDone: { target: "#catalogSync.done" },
          },
        },
      },
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
            { guard: "isDeletionStepComplete", target: "releasingClaims" },
            { target: "#catalogSync.done", actions: assign({ outcome: "deleting" as const }) },
          ],
        },
        releasingClaims: {
          invoke: {
            src: "releaseClaims",
            input: ({ context }) => ({ record: context.record }),
            onDone: { target: "#catalogSync.done", actions: assign({ outcome: "deleted" as const }) },
          },
        },
      },
    },
    done: { type: "final" },
  },
});

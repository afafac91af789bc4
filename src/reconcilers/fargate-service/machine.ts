/**
 * The FargateService reconcile machine (DESIGN 4, 5): one pass from the stored record to AWS and back to the
 * status. Pure: the steps are `fromPromise` actors supplied by the reconciler (`machine.provide`), so tests
 * run the transitions with fakes. Waits are `requeueAfter` in the output, never `after` timers.
 *
 *   apply:  resolvingNamespace → checkingNames → ensuringTaskDefinition → ensuringCloudMapService
 *           → ensuringEcsService → ensuringAutoscaling (with spec or status autoscaling) → (rollout evaluated)
 *           → pruningRevisions (once a rollout completes)
 *           → observingConsulMirror (with discovery.consul.register) → done
 *   delete: deregisteringAutoscaling → deletingEcsService → deletingCloudMapService → deregisteringRevisions
 *           → done (finalizer removed)
 */
import { assign, fromPromise, setup } from "xstate";
import type { EcsService } from "../../aws/types.js";
import { RolloutState } from "../../crds/index.js";
import type { PassOutput } from "../../runtime/machine-runner.js";
import type { AutoscalingObservation } from "./autoscaling.js";
import type {
  ConsulMirrorObservation,
  DeletionProgress,
  EnsuredCloudMapService,
  EnsuredEcsService,
  EnsuredTaskDefinition,
  FargateServiceContext,
  FargateServiceRecord,
  FargateServiceSettings,
  NamespaceResolution,
} from "./context.js";
import { rolloutProgress } from "./deployment-progress.js";
import {
  convergedOutput,
  deletionOutput,
  drainingOutput,
  namespaceNotReadyOutput,
  suspendedOutput,
} from "./output.js";
import { evaluateRollout } from "./rollout.js";

/** Input of one pass. */
export interface FargateServiceMachineInput {
  record: FargateServiceRecord;
  settings: FargateServiceSettings;
  now: number;
}

/** A pass's output: the usual status and result, plus whether the finalizer may now be removed. */
export interface FargateServicePassOutput extends PassOutput {
  removeFinalizer: boolean;
}

/** Where a pass ended (decides the output). */
type Outcome = "suspended" | "namespaceNotReady" | "draining" | "converged" | "deleting" | "deleted";

type Context = FargateServiceContext & {
  outcome?: Outcome;
  /** The same-named ECS service the name check saw (absent: undefined). */
  observedService?: EcsService | undefined;
};

function notProvided(name: string): never {
  throw new Error(`the ${name} step must be provided by the reconciler`);
}

/** Output for the outcome the pass reached. */
function outputOf(context: Context): FargateServicePassOutput {
  switch (context.outcome) {
    case "suspended":
      return { ...suspendedOutput(context), removeFinalizer: false };
    case "namespaceNotReady":
      return { ...namespaceNotReadyOutput(context), removeFinalizer: false };
    case "draining":
      return { ...drainingOutput(context), removeFinalizer: false };
    case "converged":
      return { ...convergedOutput(context), removeFinalizer: false };
    case "deleted":
      return { ...deletionOutput(context), removeFinalizer: true };
    default:
      return { ...deletionOutput(context), removeFinalizer: false };
  }
}

/** Input of the steps that need only the record. */
export type RecordInput = { record: FargateServiceRecord };
/** Input of checkNames. */
export type NameCheckStepInput = RecordInput & { namespace: NamespaceResolution | undefined };
/** Input of ensureTaskDefinition. */
export type TaskDefinitionStepInput = RecordInput & {
  namespaceDnsName: string | undefined;
  /** The same-named ECS service as the name check saw it (an adopted one may keep its revision). */
  observed: EcsService | undefined;
};
/** Input of ensureCloudMapService. */
export type CloudMapStepInput = RecordInput & { namespace: NamespaceResolution };
/** Input of ensureEcsService. */
export type EcsServiceStepInput = RecordInput & {
  taskDefinition: EnsuredTaskDefinition;
  cloudMap: EnsuredCloudMapService | undefined;
  serviceConnectNamespaceArn: string | undefined;
  namespaceDnsName: string | undefined;
  /** The same-named ECS service as the name check saw it (undefined: absent). */
  observed: EcsService | undefined;
  now: number;
};
/** Input of observeConsulMirror. */
export type ConsulMirrorStepInput = RecordInput & { cloudMap: EnsuredCloudMapService };
/** Input of ensureAutoscaling. */
export type AutoscalingStepInput = RecordInput & { service: EnsuredEcsService["service"] };
/** Input of pruneRevisions. */
export type PruneStepInput = RecordInput & { service: EnsuredEcsService["service"] };

/** The machine; its steps are placeholders until the reconciler provides them. */
export const fargateServiceMachine = setup({
  types: {} as { input: FargateServiceMachineInput; context: Context; output: FargateServicePassOutput },
  actors: {
    resolveNamespace: fromPromise<NamespaceResolution, RecordInput>(async () =>
      notProvided("resolveNamespace"),
    ),
    checkNames: fromPromise<EcsService | undefined, NameCheckStepInput>(async () =>
      notProvided("checkNames"),
    ),
    ensureTaskDefinition: fromPromise<EnsuredTaskDefinition, TaskDefinitionStepInput>(async () =>
      notProvided("ensureTaskDefinition"),
    ),
    ensureCloudMapService: fromPromise<EnsuredCloudMapService | undefined, CloudMapStepInput>(async () =>
      notProvided("ensureCloudMapService"),
    ),
    ensureEcsService: fromPromise<EnsuredEcsService, EcsServiceStepInput>(async () =>
      notProvided("ensureEcsService"),
    ),
    ensureAutoscaling: fromPromise<AutoscalingObservation, AutoscalingStepInput>(async () =>
      notProvided("ensureAutoscaling"),
    ),
    deregisterAutoscaling: fromPromise<DeletionProgress, RecordInput>(async () =>
      notProvided("deregisterAutoscaling"),
    ),
    pruneRevisions: fromPromise<string[], PruneStepInput>(async () => notProvided("pruneRevisions")),
    observeConsulMirror: fromPromise<ConsulMirrorObservation, ConsulMirrorStepInput>(async () =>
      notProvided("observeConsulMirror"),
    ),
    deleteEcsService: fromPromise<DeletionProgress, RecordInput>(async () => notProvided("deleteEcsService")),
    deleteCloudMapService: fromPromise<DeletionProgress, RecordInput>(async () =>
      notProvided("deleteCloudMapService"),
    ),
    deregisterRevisions: fromPromise<string[], RecordInput>(async () => notProvided("deregisterRevisions")),
  },
  guards: {
    isDeleting: ({ context }) => context.record.metadata.deletionTimestamp !== undefined,
    isRetained: ({ context }) => context.record.spec.deletionPolicy === "Retain",
    isSuspended: ({ context }) => context.record.spec.suspend,
    wantsNamespace: ({ context }) =>
      context.record.spec.discovery?.cloudMap !== undefined ||
      context.record.spec.serviceConnectConfiguration?.namespaceRef !== undefined,
    isNamespaceReady: ({ context }) => context.namespace?.ready === true,
    isDraining: ({ context }) => context.ecs?.action === "draining",
    /** Autoscaling asked for, or a target of ours to remove. */
    wantsAutoscaling: ({ context }) =>
      context.record.spec.autoscaling !== undefined || context.record.status.autoscaling !== undefined,
    /** Prune once per completed rollout: when this pass sees COMPLETED for a revision the status did not. */
    shouldPrune: ({ context }) =>
      context.rollout?.state === RolloutState.Completed &&
      (context.record.status.rollout?.state !== RolloutState.Completed ||
        context.record.status.taskDefinitionArn !== context.taskDefinition?.arn ||
        context.taskDefinition?.registered === true),
    isDeletionStepComplete: ({ context }) => context.deletion?.complete === true,
    wantsConsulMirror: ({ context }) =>
      context.record.spec.discovery?.consul?.register === true && context.cloudMap !== undefined,
  },
  actions: {
    evaluateRollout: assign({
      rollout: ({ context }) => {
        const { record, taskDefinition, ecs, now } = context;
        if (taskDefinition === undefined || ecs === undefined) return undefined;
        const status = record.status;
        // The stored rollout belongs to this revision only when the status says it ran this ARN.
        const previous =
          status.rollout !== undefined && status.taskDefinitionArn === taskDefinition.arn
            ? status.rollout
            : undefined;
        const progress = rolloutProgress(record, ecs.serviceDeployment, previous);
        // Read this pass, or as the last read recorded it (reads happen only when something changed).
        const stoppedTasks = ecs.stoppedTasks ?? previous?.stoppedTasks;
        return evaluateRollout({
          service: ecs.service,
          taskDefinitionArn: taskDefinition.arn,
          timeoutSeconds: record.spec.deployment.timeoutSeconds,
          // With autoscaling the scaler owns the count: steady means ECS's own desiredCount runs.
          ...(record.spec.autoscaling === undefined ? { desiredCount: record.spec.desiredCount } : {}),
          now,
          ...(previous === undefined ? {} : { previous }),
          ...(progress === undefined ? {} : { progress }),
          ...(stoppedTasks === undefined ? {} : { stoppedTasks }),
        });
      },
    }),
  },
}).createMachine({
  id: "fargateService",
  context: ({ input }) => ({ ...input }),
  initial: "starting",
  output: ({ context }) => outputOf(context),
  states: {
    starting: {
      always: [
        { guard: "isDeleting", target: "deleting" },
        { guard: "isSuspended", target: "done", actions: assign({ outcome: "suspended" as const }) },
        { guard: "wantsNamespace", target: "resolvingNamespace" },
        { target: "checkingNames" },
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
        { guard: "isNamespaceReady", target: "checkingNames" },
        { target: "done", actions: assign({ outcome: "namespaceNotReady" as const }) },
      ],
    },
    // Before the first AWS write: the ECS service (and Cloud Map service) names must be ours or free.
    checkingNames: {
      invoke: {
        src: "checkNames",
        input: ({ context }) => ({ record: context.record, namespace: context.namespace }),
        onDone: {
          target: "ensuringTaskDefinition",
          actions: assign({ observedService: ({ event }) => event.output }),
        },
      },
    },
    ensuringTaskDefinition: {
      invoke: {
        src: "ensureTaskDefinition",
        input: ({ context }) => ({
          record: context.record,
          namespaceDnsName: dnsNameOf(context),
          observed: context.observedService,
        }),
        onDone: {
          target: "taskDefinitionEnsured",
          actions: assign({ taskDefinition: ({ event }) => event.output }),
        },
      },
    },
    taskDefinitionEnsured: {
      always: [
        { guard: "isNamespaceReady", target: "ensuringCloudMapService" },
        { target: "ensuringEcsService" },
      ],
    },
    ensuringCloudMapService: {
      invoke: {
        src: "ensureCloudMapService",
        input: ({ context }) => ({
          record: context.record,
          namespace: context.namespace ?? { ready: false, message: "not resolved" },
        }),
        onDone: {
          target: "ensuringEcsService",
          actions: assign({ cloudMap: ({ event }) => event.output }),
        },
      },
    },
    ensuringEcsService: {
      invoke: {
        src: "ensureEcsService",
        input: ({ context }) => {
          if (context.taskDefinition === undefined) throw new Error("no task definition");
          return {
            record: context.record,
            taskDefinition: context.taskDefinition,
            cloudMap: context.cloudMap,
            serviceConnectNamespaceArn:
              context.namespace?.ready === true ? context.namespace.serviceConnectNamespaceArn : undefined,
            namespaceDnsName: dnsNameOf(context),
            observed: context.observedService,
            now: context.now,
          };
        },
        onDone: { target: "ecsServiceEnsured", actions: assign({ ecs: ({ event }) => event.output }) },
      },
    },
    ecsServiceEnsured: {
      always: [
        { guard: "isDraining", target: "done", actions: assign({ outcome: "draining" as const }) },
        { guard: "wantsAutoscaling", target: "ensuringAutoscaling" },
        { target: "rolloutEvaluated", actions: "evaluateRollout" },
      ],
    },
    ensuringAutoscaling: {
      invoke: {
        src: "ensureAutoscaling",
        input: ({ context }) => {
          if (context.ecs === undefined) throw new Error("no service");
          return { record: context.record, service: context.ecs.service };
        },
        onDone: {
          target: "rolloutEvaluated",
          actions: [assign({ autoscaling: ({ event }) => event.output }), "evaluateRollout"],
        },
      },
    },
    rolloutEvaluated: {
      always: [{ guard: "shouldPrune", target: "pruningRevisions" }, { target: "revisionsPruned" }],
    },
    pruningRevisions: {
      invoke: {
        src: "pruneRevisions",
        input: ({ context }) => {
          if (context.ecs === undefined) throw new Error("no service");
          return { record: context.record, service: context.ecs.service };
        },
        onDone: { target: "revisionsPruned" },
      },
    },
    revisionsPruned: {
      always: [
        { guard: "wantsConsulMirror", target: "observingConsulMirror" },
        { target: "done", actions: assign({ outcome: "converged" as const }) },
      ],
    },
    observingConsulMirror: {
      invoke: {
        src: "observeConsulMirror",
        input: ({ context }) => {
          if (context.cloudMap === undefined) throw new Error("no Cloud Map service");
          return { record: context.record, cloudMap: context.cloudMap };
        },
        onDone: {
          target: "done",
          actions: assign({ consulMirror: ({ event }) => event.output, outcome: "converged" as const }),
        },
      },
    },
    deleting: {
      always: { guard: "isRetained", target: "done", actions: assign({ outcome: "deleted" as const }) },
      initial: "startingDeletion",
      states: {
        startingDeletion: {
          always: [
            { guard: "wantsAutoscaling", target: "deregisteringAutoscaling" },
            { target: "deletingEcsService" },
          ],
        },
        // Before the scale to 0: a live scaler would start tasks again.
        deregisteringAutoscaling: {
          invoke: {
            src: "deregisterAutoscaling",
            input: ({ context }) => ({ record: context.record }),
            onDone: { target: "deletingEcsService" },
          },
        },
        deletingEcsService: {
          invoke: {
            src: "deleteEcsService",
            input: ({ context }) => ({ record: context.record }),
            onDone: { target: "ecsServiceStep", actions: assign({ deletion: ({ event }) => event.output }) },
          },
        },
        ecsServiceStep: {
          always: [
            { guard: "isDeletionStepComplete", target: "deletingCloudMapService" },
            { target: "#fargateService.done", actions: assign({ outcome: "deleting" as const }) },
          ],
        },
        deletingCloudMapService: {
          invoke: {
            src: "deleteCloudMapService",
            input: ({ context }) => ({ record: context.record }),
            onDone: {
              target: "cloudMapStep",
              actions: assign({ deletion: ({ event }) => event.output }),
            },
          },
        },
        cloudMapStep: {
          always: [
            { guard: "isDeletionStepComplete", target: "deregisteringRevisions" },
            { target: "#fargateService.done", actions: assign({ outcome: "deleting" as const }) },
          ],
        },
        deregisteringRevisions: {
          invoke: {
            src: "deregisterRevisions",
            input: ({ context }) => ({ record: context.record }),
            onDone: { target: "#fargateService.done", actions: assign({ outcome: "deleted" as const }) },
          },
        },
      },
    },
    done: { type: "final" },
  },
});

function dnsNameOf(context: FargateServiceContext): string | undefined {
  return context.namespace?.ready === true ? context.namespace.dnsName : undefined;
}

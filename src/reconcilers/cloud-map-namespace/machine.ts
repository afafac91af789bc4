/**
 * The CloudMapNamespace reconcile pass as an xstate machine. Pure: the async steps are placeholders here and the
 * reconciler provides the real ones (`machine.provide({ actors })`). Each step's result lands in the context and
 * an `always` decision state picks the next step with named guards, so every branch is testable by pure
 * transitions. Conditions are the machine's output (`./outputs.ts`), not its states.
 */
import { assign, fromPromise, setup } from "xstate";
import type { CreatePrivateDnsNamespaceInput, TagMap } from "../../aws/types.js";
import { CONTROLLER_FINALIZER } from "../finalizer.js";
import { Ownership, ownershipOf, ownershipTagMap } from "../ownership.js";
import {
  type CreateOutcome,
  type DeleteOutcome,
  existingNamespace,
  foundNamespace,
  foundOperation,
  isOurRequest,
  type NamespaceContext,
  type NamespaceLookup,
  type NamespacePassInput,
  type NamespacePassOutput,
  type OperationLookup,
  ownsNamespace,
  required,
} from "./context.js";
import { sameDnsName } from "./outcomes.js";
import {
  adoptedOutput,
  createFailedOutput,
  createPendingOutput,
  deletePendingOutput,
  inUseOutput,
  notOursOutput,
  ownedByOtherOutput,
  readyOutput,
  renamedOutput,
  untouchedOutput,
  waitingForCreateOutput,
} from "./outputs.js";

export type {
  CreateOutcome,
  DeleteOutcome,
  NamespaceLookup,
  NamespacePassInput,
  NamespacePassOutput,
  OperationLookup,
} from "./context.js";

/** The CloudMapNamespace pass machine (provide the actors before running it). */
export const cloudMapNamespaceMachine = setup({
  types: {} as {
    input: NamespacePassInput;
    context: NamespaceContext;
    output: NamespacePassOutput;
  },
  actors: {
    addFinalizer: fromPromise<void>(async () => {
      throw new Error("addFinalizer must be provided");
    }),
    removeFinalizer: fromPromise<void>(async () => {
      throw new Error("removeFinalizer must be provided");
    }),
    getNamespace: fromPromise<NamespaceLookup, { namespaceId: string }>(async () => {
      throw new Error("getNamespace must be provided");
    }),
    getOperation: fromPromise<OperationLookup, { operationId: string }>(async () => {
      throw new Error("getOperation must be provided");
    }),
    createNamespace: fromPromise<CreateOutcome, CreatePrivateDnsNamespaceInput>(async () => {
      throw new Error("createNamespace must be provided");
    }),
    listTags: fromPromise<TagMap, { arn: string }>(async () => {
      throw new Error("listTags must be provided");
    }),
    tagNamespace: fromPromise<void, { arn: string; tags: TagMap }>(async () => {
      throw new Error("tagNamespace must be provided");
    }),
    listServices: fromPromise<string[], { namespaceId: string }>(async () => {
      throw new Error("listServices must be provided");
    }),
    deleteNamespace: fromPromise<DeleteOutcome, { namespaceId: string }>(async () => {
      throw new Error("deleteNamespace must be provided");
    }),
  },
  actions: {
    /** Forgets a namespace that is gone. */
    clearNamespaceIds: assign({
      patch: ({ context }) => ({
        ...context.patch,
        namespaceId: undefined,
        namespaceArn: undefined,
        hostedZoneId: undefined,
      }),
      namespaceId: undefined,
    }),
    /** Forgets a stored operation that is finished, failed or unknown to AWS. */
    clearOperationId: assign({ patch: ({ context }) => ({ ...context.patch, operationId: undefined }) }),
  },
  guards: {
    isDeleting: ({ context }) => context.metadata.deletionTimestamp !== undefined,
    hasFinalizer: ({ context }) => context.metadata.finalizers.includes(CONTROLLER_FINALIZER),
    lacksFinalizer: ({ context }) => !context.metadata.finalizers.includes(CONTROLLER_FINALIZER),
    retainsNamespace: ({ context }) => context.spec.deletionPolicy === "Retain",
    hasNamespaceId: ({ context }) => context.status.namespaceId !== undefined,
    hasOperationId: ({ context }) => context.status.operationId !== undefined,
    hasDeleteOperation: ({ context }) => context.deleteOperationId !== undefined,
    namespaceMissing: ({ context }) => foundNamespace(context) === undefined,
    namespaceRenamed: ({ context }) => {
      const namespace = foundNamespace(context);
      return namespace !== undefined && !sameDnsName(namespace.name, context.spec.dnsName);
    },
    createSucceeded: ({ context }) => {
      const op = foundOperation(context);
      return op?.status === "SUCCESS" && op.targets.NAMESPACE !== undefined;
    },
    operationSucceeded: ({ context }) => foundOperation(context)?.status === "SUCCESS",
    operationFailed: ({ context }) => foundOperation(context)?.status === "FAIL",
    operationRunning: ({ context }) => {
      const status = foundOperation(context)?.status;
      return status === "SUBMITTED" || status === "PENDING";
    },
    createdByUs: ({ context }) => isOurRequest(context, foundNamespace(context)?.creatorRequestId),
    createSubmitted: ({ context }) => context.created?.type === "submitted",
    existingUnnamed: ({ context }) => {
      const other = existingNamespace(context);
      return other !== undefined && other.existingId === undefined;
    },
    existingCreatedByUs: ({ context }) => isOurRequest(context, existingNamespace(context)?.creatorRequestId),
    ownsNamespace: ({ context }) => ownsNamespace(context),
    taggedByEarlierVersion: ({ context }) =>
      ownershipOf(context.tags ?? {}, context.metadata) === Ownership.OursLegacy,
    taggedByOtherRecord: ({ context }) =>
      ownershipOf(context.tags ?? {}, context.metadata) === Ownership.OtherRecord,
    adoptAllowed: ({ context }) => context.spec.adopt,
    servicesRemain: ({ context }) => (context.services ?? []).length > 0,
    deleteSubmitted: ({ context }) => context.deleted?.type === "submitted",
    deleteGone: ({ context }) => context.deleted?.type === "gone",
  },
}).createMachine({
  id: "cloudMapNamespace",
  context: ({ input }) => ({ ...input, patch: {} }),
  initial: "start",
  states: {
    start: {
      always: [
        { guard: "isDeleting", target: "deletion" },
        { guard: "hasFinalizer", target: "observing" },
        { target: "addingFinalizer" },
      ],
    },
    // The finalizer goes on before anything is created, so a deletion can never forget a namespace.
    addingFinalizer: {
      invoke: { id: "addFinalizer", src: "addFinalizer", onDone: { target: "observing" } },
    },
    observing: {
      always: [
        {
          guard: "hasNamespaceId",
          target: "gettingNamespace",
          actions: assign({ namespaceId: ({ context }) => context.status.namespaceId }),
        },
        { guard: "hasOperationId", target: "gettingOperation" },
        { target: "creating" },
      ],
    },
    gettingNamespace: {
      invoke: {
        id: "getNamespace",
        src: "getNamespace",
        input: ({ context }) => ({ namespaceId: required(context.namespaceId, "namespaceId") }),
        onDone: { target: "checkingNamespace", actions: assign({ lookup: ({ event }) => event.output }) },
      },
    },
    checkingNamespace: {
      always: [
        // Deleted behind our back: level-triggered, so make it again.
        { guard: "namespaceMissing", target: "creating", actions: "clearNamespaceIds" },
        { guard: "namespaceRenamed", target: "renamed" },
        { target: "ready" },
      ],
    },
    gettingOperation: {
      invoke: {
        id: "getOperation",
        src: "getOperation",
        input: ({ context }) => ({ operationId: required(context.status.operationId, "operationId") }),
        onDone: { target: "checkingOperation", actions: assign({ operation: ({ event }) => event.output }) },
      },
    },
    checkingOperation: {
      always: [
        {
          guard: "createSucceeded",
          target: "gettingCreatedNamespace",
          actions: assign({ namespaceId: ({ context }) => foundOperation(context)?.targets.NAMESPACE }),
        },
        { guard: "operationFailed", target: "createFailed" },
        { guard: "operationRunning", target: "createPending" },
        // AWS forgot the operation: creating again finds the namespace through its CreatorRequestId.
        { target: "creating", actions: "clearOperationId" },
      ],
    },
    // The operation may be another creation of the same name that AWS handed us as a duplicate request, so
    // whose namespace it made is checked before it is recorded.
    gettingCreatedNamespace: {
      invoke: {
        id: "getNamespace",
        src: "getNamespace",
        input: ({ context }) => ({ namespaceId: required(context.namespaceId, "namespaceId") }),
        onDone: {
          target: "checkingCreatedNamespace",
          actions: assign({ lookup: ({ event }) => event.output }),
        },
      },
    },
    checkingCreatedNamespace: {
      always: [
        { guard: "namespaceMissing", target: "creating", actions: ["clearNamespaceIds", "clearOperationId"] },
        { guard: "createdByUs", target: "checkingNamespace" },
        { target: "listingExistingTags" },
      ],
    },
    creating: {
      invoke: {
        id: "createNamespace",
        src: "createNamespace",
        input: ({ context }) => ({
          name: context.spec.dnsName,
          vpc: context.spec.vpcId,
          creatorRequestId: context.metadata.uid,
          tags: ownershipTagMap(context.metadata),
          ...(context.spec.description === undefined ? {} : { description: context.spec.description }),
        }),
        onDone: { target: "checkingCreate", actions: assign({ created: ({ event }) => event.output }) },
      },
    },
    checkingCreate: {
      always: [
        {
          guard: "createSubmitted",
          target: "createPending",
          actions: assign({
            patch: ({ context }) => ({
              ...context.patch,
              operationId: context.created?.type === "submitted" ? context.created.operationId : undefined,
            }),
          }),
        },
        // Another creation of this name is still running (AWS named no namespace yet): look again shortly.
        { guard: "existingUnnamed", target: "createPending" },
        {
          guard: "existingCreatedByUs",
          target: "gettingNamespace",
          actions: assign({ namespaceId: ({ context }) => existingNamespace(context)?.existingId }),
        },
        {
          target: "gettingExisting",
          actions: assign({ namespaceId: ({ context }) => existingNamespace(context)?.existingId }),
        },
      ],
    },
    gettingExisting: {
      invoke: {
        id: "getNamespace",
        src: "getNamespace",
        input: ({ context }) => ({ namespaceId: required(context.namespaceId, "namespaceId") }),
        onDone: { target: "checkingExisting", actions: assign({ lookup: ({ event }) => event.output }) },
      },
    },
    checkingExisting: {
      always: [{ guard: "namespaceMissing", target: "createPending" }, { target: "listingExistingTags" }],
    },
    listingExistingTags: {
      invoke: {
        id: "listTags",
        src: "listTags",
        input: ({ context }) => ({ arn: required(foundNamespace(context), "namespace").arn }),
        onDone: { target: "checkingOwnership", actions: assign({ tags: ({ event }) => event.output }) },
      },
    },
    checkingOwnership: {
      always: [
        // Tagged with the random uid an earlier version gave this record: ours, tagged again with its uid now.
        { guard: "taggedByEarlierVersion", target: "retagging" },
        { guard: "ownsNamespace", target: "checkingNamespace" },
        { guard: "taggedByOtherRecord", target: "ownedByOther" },
        { guard: "adoptAllowed", target: "tagging" },
        { target: "notOurs" },
      ],
    },
    retagging: {
      invoke: {
        id: "tagNamespace",
        src: "tagNamespace",
        input: ({ context }) => ({
          arn: required(foundNamespace(context), "namespace").arn,
          tags: ownershipTagMap(context.metadata),
        }),
        onDone: { target: "checkingNamespace" },
      },
    },
    tagging: {
      invoke: {
        id: "tagNamespace",
        src: "tagNamespace",
        input: ({ context }) => ({
          arn: required(foundNamespace(context), "namespace").arn,
          tags: ownershipTagMap(context.metadata),
        }),
        onDone: { target: "adopted" },
      },
    },

    deletion: {
      always: [
        { guard: "lacksFinalizer", target: "notTracked" },
        { guard: "retainsNamespace", target: "releasing" },
        {
          guard: "hasNamespaceId",
          target: "gettingNamespaceToDelete",
          // With a known namespace, a stored operation can only be the delete an earlier pass started.
          actions: assign({
            namespaceId: ({ context }) => context.status.namespaceId,
            deleteOperationId: ({ context }) => context.status.operationId,
          }),
        },
        { guard: "hasOperationId", target: "gettingCreateOperation" },
        { target: "releasing" },
      ],
    },
    gettingCreateOperation: {
      invoke: {
        id: "getOperation",
        src: "getOperation",
        input: ({ context }) => ({ operationId: required(context.status.operationId, "operationId") }),
        onDone: {
          target: "checkingCreateOperation",
          actions: assign({ operation: ({ event }) => event.output }),
        },
      },
    },
    checkingCreateOperation: {
      always: [
        {
          guard: "createSucceeded",
          target: "gettingNamespaceToDelete",
          actions: [
            assign({ namespaceId: ({ context }) => foundOperation(context)?.targets.NAMESPACE }),
            "clearOperationId",
          ],
        },
        { guard: "operationRunning", target: "waitingForCreate" },
        // Failed or forgotten: nothing was made that we know of.
        { target: "releasing" },
      ],
    },
    gettingNamespaceToDelete: {
      invoke: {
        id: "getNamespace",
        src: "getNamespace",
        input: ({ context }) => ({ namespaceId: required(context.namespaceId, "namespaceId") }),
        onDone: {
          target: "checkingNamespaceToDelete",
          actions: assign({ lookup: ({ event }) => event.output }),
        },
      },
    },
    checkingNamespaceToDelete: {
      always: [
        { guard: "namespaceMissing", target: "releasing" },
        { guard: "hasDeleteOperation", target: "gettingDeleteOperation" },
        { target: "listingTagsToDelete" },
      ],
    },
    gettingDeleteOperation: {
      invoke: {
        id: "getOperation",
        src: "getOperation",
        input: ({ context }) => ({ operationId: required(context.deleteOperationId, "deleteOperationId") }),
        onDone: {
          target: "checkingDeleteOperation",
          actions: assign({ operation: ({ event }) => event.output }),
        },
      },
    },
    checkingDeleteOperation: {
      always: [
        { guard: "operationSucceeded", target: "releasing" },
        { guard: "operationRunning", target: "deletePending" },
        // Failed (a service appeared meanwhile) or forgotten: check again and retry.
        {
          target: "listingTagsToDelete",
          actions: ["clearOperationId", assign({ deleteOperationId: undefined })],
        },
      ],
    },
    listingTagsToDelete: {
      invoke: {
        id: "listTags",
        src: "listTags",
        input: ({ context }) => ({ arn: required(foundNamespace(context), "namespace").arn }),
        onDone: {
          target: "checkingOwnershipToDelete",
          actions: assign({ tags: ({ event }) => event.output }),
        },
      },
    },
    checkingOwnershipToDelete: {
      // Never delete what is not ours (someone re-tagged it): leave it in place and let the record go.
      always: [{ guard: "ownsNamespace", target: "listingServices" }, { target: "releasing" }],
    },
    listingServices: {
      invoke: {
        id: "listServices",
        src: "listServices",
        input: ({ context }) => ({ namespaceId: required(context.namespaceId, "namespaceId") }),
        onDone: { target: "checkingServices", actions: assign({ services: ({ event }) => event.output }) },
      },
    },
    checkingServices: {
      always: [{ guard: "servicesRemain", target: "inUse" }, { target: "deletingNamespace" }],
    },
    deletingNamespace: {
      invoke: {
        id: "deleteNamespace",
        src: "deleteNamespace",
        input: ({ context }) => ({ namespaceId: required(context.namespaceId, "namespaceId") }),
        onDone: { target: "checkingDelete", actions: assign({ deleted: ({ event }) => event.output }) },
      },
    },
    checkingDelete: {
      always: [
        {
          guard: "deleteSubmitted",
          target: "deletePending",
          actions: assign(({ context }) => {
            const operationId =
              context.deleted?.type === "submitted" ? context.deleted.operationId : undefined;
            return { patch: { ...context.patch, operationId }, deleteOperationId: operationId };
          }),
        },
        { guard: "deleteGone", target: "releasing" },
        { target: "inUse" },
      ],
    },
    releasing: {
      invoke: { id: "removeFinalizer", src: "removeFinalizer", onDone: { target: "released" } },
    },

    ready: { type: "final", entry: assign({ output: ({ context }) => readyOutput(context) }) },
    adopted: { type: "final", entry: assign({ output: ({ context }) => adoptedOutput(context) }) },
    createPending: {
      type: "final",
      entry: assign({ output: ({ context }) => createPendingOutput(context) }),
    },
    createFailed: { type: "final", entry: assign({ output: ({ context }) => createFailedOutput(context) }) },
    renamed: { type: "final", entry: assign({ output: ({ context }) => renamedOutput(context) }) },
    notOurs: { type: "final", entry: assign({ output: ({ context }) => notOursOutput(context) }) },
    ownedByOther: { type: "final", entry: assign({ output: ({ context }) => ownedByOtherOutput(context) }) },
    notTracked: { type: "final", entry: assign({ output: () => untouchedOutput() }) },
    released: { type: "final", entry: assign({ output: () => untouchedOutput() }) },
    waitingForCreate: {
      type: "final",
      entry: assign({ output: ({ context }) => waitingForCreateOutput(context) }),
    },
    deletePending: {
      type: "final",
      entry: assign({ output: ({ context }) => deletePendingOutput(context) }),
    },
    inUse: { type: "final", entry: assign({ output: ({ context }) => inUseOutput(context) }) },
  },
  output: ({ context }) => required(context.output, "output of the final state"),
});

/** The outputs of the CloudMapNamespace machine's final states: result, conditions, status. Pure. */
import type { CloudMapNamespaceInfo } from "../../aws/types.js";
import { done, requeueAfter } from "../../runtime/result.js";
import { readyConditions, reconcilingConditions, stalledConditions } from "../conditions.js";
import {
  foundNamespace,
  foundOperation,
  type NamespaceContext,
  type NamespacePassOutput,
  type NamespaceStatusPatch,
  required,
  wasAdopted,
} from "./context.js";
import {
  adoptedMessage,
  createFailedMessage,
  creatingMessage,
  deletingMessage,
  IN_USE_POLL_MS,
  inUseMessage,
  NamespaceReason,
  notOursMessage,
  OPERATION_POLL_MS,
  ownedByOtherMessage,
  readyMessage,
  renamedMessage,
  waitingForCreateMessage,
} from "./outcomes.js";

/** Status fields of a known namespace (a finished create operation is forgotten). */
function namespacePatch(context: NamespaceContext, namespace: CloudMapNamespaceInfo): NamespaceStatusPatch {
  return {
    ...context.patch,
    namespaceId: namespace.id,
    namespaceArn: namespace.arn,
    hostedZoneId: namespace.hostedZoneId,
    operationId: undefined,
  };
}

/** An output that writes nothing and, optionally, fails the pass permanently. */
export function untouchedOutput(permanentFailure?: { reason: string; message: string }): NamespacePassOutput {
  return {
    result: done(),
    conditions: [],
    status: {},
    skipStatusWrite: true,
    ...(permanentFailure === undefined ? {} : { permanentFailure }),
  };
}

/** An output that waits: Ready=False, Reconciling=True, come back after `ms`. */
function waitingOutput(
  context: NamespaceContext,
  ms: number,
  reason: string,
  message: string,
): NamespacePassOutput {
  return {
    result: requeueAfter(ms),
    conditions: reconcilingConditions(context.metadata.generation, reason, message),
    status: context.patch,
    skipStatusWrite: false,
  };
}

/** The namespace exists and is ours: Ready=True (an earlier adoption keeps its reason). */
export function readyOutput(context: NamespaceContext): NamespacePassOutput {
  const namespace = required(foundNamespace(context), "namespace");
  const adopted = wasAdopted(context, namespace.id);
  return {
    result: done(),
    conditions: readyConditions(
      context.metadata.generation,
      adopted ? NamespaceReason.Adopted : NamespaceReason.Ready,
      adopted ? adoptedMessage(context.spec, namespace.id) : readyMessage(context.spec, namespace.id),
    ),
    status: namespacePatch(context, namespace),
    skipStatusWrite: false,
  };
}

/** An unowned namespace was taken over (`adopt: true`) and tagged: Ready=True, reason NamespaceAdopted. */
export function adoptedOutput(context: NamespaceContext): NamespacePassOutput {
  const namespace = required(foundNamespace(context), "namespace");
  return {
    result: done(),
    conditions: readyConditions(
      context.metadata.generation,
      NamespaceReason.Adopted,
      adoptedMessage(context.spec, namespace.id),
    ),
    status: namespacePatch(context, namespace),
    skipStatusWrite: false,
  };
}

/** The create operation runs (or another creation of the name does): poll it. */
export function createPendingOutput(context: NamespaceContext): NamespacePassOutput {
  const operationId = "operationId" in context.patch ? context.patch.operationId : context.status.operationId;
  return waitingOutput(
    context,
    OPERATION_POLL_MS,
    NamespaceReason.Creating,
    creatingMessage(context.spec, operationId),
  );
}

/** AWS failed the create operation: Stalled with its reason; the operation is forgotten so a spec change retries. */
export function createFailedOutput(context: NamespaceContext): NamespacePassOutput {
  const op = foundOperation(context);
  const message = createFailedMessage(context.spec, op?.errorCode, op?.errorMessage);
  return {
    result: done(),
    conditions: stalledConditions(context.metadata.generation, NamespaceReason.CreateFailed, message),
    status: { ...context.patch, operationId: undefined },
    skipStatusWrite: false,
    permanentFailure: { reason: NamespaceReason.CreateFailed, message },
  };
}

/** The spec names another dnsName than the namespace has. */
export function renamedOutput(context: NamespaceContext): NamespacePassOutput {
  const namespace = required(foundNamespace(context), "namespace");
  return untouchedOutput({
    reason: NamespaceReason.ImmutableField,
    message: renamedMessage(context.spec, namespace.id, namespace.name),
  });
}

/** Someone else's namespace and no `adopt: true`. */
export function notOursOutput(context: NamespaceContext): NamespacePassOutput {
  return untouchedOutput({
    reason: NamespaceReason.AlreadyExists,
    message: notOursMessage(context.spec, required(context.namespaceId, "namespaceId")),
  });
}

/** Another record's namespace: never taken. */
export function ownedByOtherOutput(context: NamespaceContext): NamespacePassOutput {
  return untouchedOutput({
    reason: NamespaceReason.AlreadyExists,
    message: ownedByOtherMessage(
      context.spec,
      required(context.namespaceId, "namespaceId"),
      context.tags ?? {},
    ),
  });
}

/** A deletion waits for a running create to finish. */
export function waitingForCreateOutput(context: NamespaceContext): NamespacePassOutput {
  return waitingOutput(
    context,
    OPERATION_POLL_MS,
    NamespaceReason.Creating,
    waitingForCreateMessage(context.spec),
  );
}

/** The delete operation runs: poll it. */
export function deletePendingOutput(context: NamespaceContext): NamespacePassOutput {
  return waitingOutput(
    context,
    OPERATION_POLL_MS,
    NamespaceReason.Deleting,
    deletingMessage(
      context.spec,
      required(context.namespaceId, "namespaceId"),
      required(context.deleteOperationId, "deleteOperationId"),
    ),
  );
}

/** Services remain in the namespace: the deletion waits for them. */
export function inUseOutput(context: NamespaceContext): NamespacePassOutput {
  return waitingOutput(
    context,
    IN_USE_POLL_MS,
    NamespaceReason.InUse,
    inUseMessage(context.spec, required(context.namespaceId, "namespaceId"), context.services ?? []),
  );
}

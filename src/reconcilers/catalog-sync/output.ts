/** The CatalogSync pass's output: conditions and status fields from what the steps found. Pure. */

import type { PassOutput } from "../../runtime/machine-runner.js";
import { done, requeueAfter } from "../../runtime/result.js";
import { readyConditions, reconcilingConditions, stalledConditions } from "../conditions.js";
import { type CatalogSyncContext, CatalogSyncReason } from "./context.js";
import { conditionsFromReport } from "./report-conditions.js";

/** The referenced CloudMapNamespace is missing or not Ready: nothing syncs; look again later. */
export function namespaceNotReadyOutput(context: CatalogSyncContext): PassOutput {
  const generation = context.record.metadata.generation;
  const message =
    context.namespace?.ready === false ? context.namespace.message : "the CloudMapNamespace is not ready";
  return {
    result: requeueAfter(context.settings.pollIntervalMs),
    conditions: reconcilingConditions(generation, CatalogSyncReason.NamespaceNotReady, message),
    status: {},
  };
}

/**
 * The status of a record that withdrew (refused, or not the namespace's owner): no report; once nothing of it is
 * left running or mirrored, no namespace, placement or child either (so nobody reads it as the syncer).
 */
function withdrawnStatus(context: CatalogSyncContext): Record<string, unknown> {
  if (context.withdrawal?.complete !== true) return { sync: undefined };
  return { sync: undefined, namespaceId: undefined, placement: undefined, childServiceName: undefined };
}

function withdrawalNote(context: CatalogSyncContext): string {
  const progress = context.withdrawal;
  return progress === undefined || progress.complete ? "" : `; withdrawing: ${progress.message}`;
}

/** The namespace's owner is another CatalogSync: this one stays idle (Stalled) and looks again later. */
export function alreadySyncedOutput(context: CatalogSyncContext): PassOutput {
  const generation = context.record.metadata.generation;
  const holder =
    context.exclusivity?.exclusive === false ? context.exclusivity.holder : "another CatalogSync";
  const dnsName = context.namespace?.ready === true ? context.namespace.dnsName : "the namespace";
  return {
    result: requeueAfter(context.settings.pollIntervalMs),
    conditions: stalledConditions(
      generation,
      CatalogSyncReason.NamespaceAlreadySynced,
      `CatalogSync ${holder} already syncs ${dnsName}; one Cloud Map namespace has one CatalogSync (the first the controller admitted)${withdrawalNote(context)}`,
    ),
    status: withdrawnStatus(context),
  };
}

/** The policy or a credential rule refuses the record: nothing of it runs; a spec or policy change retries. */
export function refusedOutput(context: CatalogSyncContext): PassOutput {
  const generation = context.record.metadata.generation;
  const access = context.access;
  const reason = access?.allowed === false ? access.reason : CatalogSyncReason.PolicyViolation;
  const message = access?.allowed === false ? access.message : "refused";
  const complete = context.withdrawal?.complete === true;
  return {
    result: complete ? done() : requeueAfter(context.settings.pollIntervalMs),
    conditions: stalledConditions(generation, reason, `${message}${withdrawalNote(context)}`),
    status: withdrawnStatus(context),
  };
}

function namespaceFields(context: CatalogSyncContext): Record<string, unknown> {
  return context.namespace?.ready === true ? { namespaceId: context.namespace.namespaceId } : {};
}

/** placement: controller — the engine runs here; Ready follows its reports (Starting after a (re)start). */
export function engineOutput(context: CatalogSyncContext): PassOutput {
  const { record, engine } = context;
  const generation = record.metadata.generation;
  const fresh = engine === undefined || engine.action !== "unchanged";
  return {
    result: done(),
    conditions: conditionsFromReport(fresh ? undefined : record.status.sync, record.spec, generation),
    // A report written meanwhile by the new engine makes this write conflict, and the retry reads it.
    status: { ...namespaceFields(context), placement: "controller", childServiceName: undefined },
  };
}

/** placement: task — the child FargateService runs the sync; Ready needs it Ready (and, builtin, a report). */
export function childOutput(context: CatalogSyncContext): PassOutput {
  const { record, child, settings } = context;
  const generation = record.metadata.generation;
  const builtin = record.spec.task?.engine !== "consul-aws";
  const status = {
    ...namespaceFields(context),
    placement: "task",
    childServiceName: child?.name,
    ...(builtin ? {} : { sync: undefined }),
  };
  if (child === undefined || !child.ready) {
    return {
      result: requeueAfter(settings.pollIntervalMs),
      conditions: reconcilingConditions(
        generation,
        CatalogSyncReason.SyncTaskNotReady,
        `sync task FargateService ${child?.name ?? ""} is not Ready yet${child?.message ? `: ${child.message}` : ""}`,
      ),
      status,
    };
  }
  if (!builtin) {
    return {
      result: done(),
      conditions: readyConditions(
        generation,
        CatalogSyncReason.SyncTaskRunning,
        `consul-aws runs as FargateService ${child.name}; it reports nothing back`,
      ),
      status,
    };
  }
  const conditions = conditionsFromReport(record.status.sync, record.spec, generation);
  const waiting = record.status.sync === undefined;
  return { result: waiting ? requeueAfter(settings.pollIntervalMs) : done(), conditions, status };
}

/** A deletion pass: done when the finalizer went, otherwise what it waits for. */
export function deletionOutput(context: CatalogSyncContext): PassOutput {
  const progress = context.deletion;
  if (progress === undefined || progress.complete) return { result: done(), conditions: [], status: {} };
  return {
    result: requeueAfter(context.settings.pollIntervalMs),
    conditions: reconcilingConditions(
      context.record.metadata.generation,
      CatalogSyncReason.Deleting,
      progress.message,
    ),
    status: {},
  };
}

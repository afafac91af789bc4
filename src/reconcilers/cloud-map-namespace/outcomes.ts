/** Condition reasons, poll intervals and messages of the CloudMapNamespace reconciler. Pure. */
import type { TagMap } from "../../aws/types.js";
import type { CloudMapNamespaceSpec } from "../../crds/index.js";
import { describeOwner } from "../ownership.js";

/** Condition reasons this kind writes (CamelCase). */
export const NamespaceReason = {
  Ready: "NamespaceReady",
  Adopted: "NamespaceAdopted",
  Creating: "NamespaceCreating",
  CreateFailed: "NamespaceCreateFailed",
  InUse: "NamespaceInUse",
  Deleting: "NamespaceDeleting",
  AlreadyExists: "AlreadyExists",
  ImmutableField: "ImmutableField",
} as const;

/** One of the NamespaceReason values. */
export type NamespaceReason = (typeof NamespaceReason)[keyof typeof NamespaceReason];

/** Requeue interval while a Cloud Map operation (create or delete) runs. */
export const OPERATION_POLL_MS = 2_000;

/** Requeue interval while a deletion waits for the namespace's services to go. */
export const IN_USE_POLL_MS = 10_000;

/** How many service names a NamespaceInUse message lists. */
export const IN_USE_LISTED_SERVICES = 5;

/** Ready message of a created (or silently re-found) namespace. */
export function readyMessage(spec: Pick<CloudMapNamespaceSpec, "dnsName">, namespaceId: string): string {
  return `namespace ${spec.dnsName} is ready (id ${namespaceId})`;
}

/** Ready message of a namespace taken over through `adopt: true`. */
export function adoptedMessage(spec: Pick<CloudMapNamespaceSpec, "dnsName">, namespaceId: string): string {
  return `adopted the existing namespace ${spec.dnsName} (id ${namespaceId}) and tagged it as this record's`;
}

/** Message while the create operation runs. */
export function creatingMessage(
  spec: Pick<CloudMapNamespaceSpec, "dnsName" | "vpcId">,
  operationId?: string,
): string {
  const op = operationId === undefined ? "" : ` (operation ${operationId})`;
  return `creating namespace ${spec.dnsName} in VPC ${spec.vpcId}${op}`;
}

/** Message of a create operation that AWS reported as FAIL. */
export function createFailedMessage(
  spec: Pick<CloudMapNamespaceSpec, "dnsName" | "vpcId">,
  errorCode: string | undefined,
  errorMessage: string | undefined,
): string {
  const why = [errorCode, errorMessage].filter((s) => s !== undefined && s !== "").join(": ");
  return `creating namespace ${spec.dnsName} in VPC ${spec.vpcId} failed: ${why === "" ? "no reason given" : why}; change the spec to retry`;
}

/** Refusal to take a namespace someone else created (no `adopt: true`). */
export function notOursMessage(
  spec: Pick<CloudMapNamespaceSpec, "dnsName" | "vpcId">,
  existingId: string,
): string {
  return (
    `a namespace ${spec.dnsName} already exists in VPC ${spec.vpcId} (id ${existingId}) and was not created by ` +
    "this record; set spec.adopt: true to take it over"
  );
}

/** Refusal to take a namespace another record owns (adopt never does that). */
export function ownedByOtherMessage(
  spec: Pick<CloudMapNamespaceSpec, "dnsName" | "vpcId">,
  existingId: string,
  tags: Readonly<TagMap>,
): string {
  return (
    `a namespace ${spec.dnsName} already exists in VPC ${spec.vpcId} (id ${existingId}) and belongs to ` +
    `${describeOwner(tags, "CloudMapNamespace")}; it is never adopted by another record`
  );
}

/** Refusal of a dnsName change: a Cloud Map namespace cannot be renamed. */
export function renamedMessage(
  spec: Pick<CloudMapNamespaceSpec, "dnsName">,
  namespaceId: string,
  actualName: string,
): string {
  return (
    `spec.dnsName is ${spec.dnsName} but namespace ${namespaceId} is named ${actualName}; a Cloud Map namespace ` +
    "cannot be renamed: restore dnsName, or delete this record and create a new one"
  );
}

/** Message while deletion waits for the namespace's services (the services' own records are probably going too). */
export function inUseMessage(
  spec: Pick<CloudMapNamespaceSpec, "dnsName">,
  namespaceId: string,
  serviceNames: readonly string[],
): string {
  if (serviceNames.length === 0) {
    return `namespace ${spec.dnsName} (id ${namespaceId}) still has services; deletion waits until they are gone`;
  }
  const listed = serviceNames.slice(0, IN_USE_LISTED_SERVICES).join(", ");
  const more = serviceNames.length > IN_USE_LISTED_SERVICES ? `, … (${serviceNames.length} in all)` : "";
  return (
    `namespace ${spec.dnsName} (id ${namespaceId}) still has Cloud Map services: ${listed}${more}; ` +
    "deletion waits until they are gone"
  );
}

/** Message while the delete operation runs. */
export function deletingMessage(
  spec: Pick<CloudMapNamespaceSpec, "dnsName">,
  namespaceId: string,
  operationId: string,
): string {
  return `deleting namespace ${spec.dnsName} (id ${namespaceId}, operation ${operationId})`;
}

/** Message while a deletion waits for a create operation to finish first. */
export function waitingForCreateMessage(spec: Pick<CloudMapNamespaceSpec, "dnsName">): string {
  return `waiting for the creation of namespace ${spec.dnsName} to finish before deleting it`;
}

/** True when a namespace's name is the spec's dnsName (AWS may return a trailing dot or other case). */
export function sameDnsName(actual: string, wanted: string): boolean {
  const norm = (s: string): string => s.toLowerCase().replace(/\.$/, "");
  return norm(actual) === norm(wanted);
}

/** Resolves the CloudMapNamespace records a FargateService refers to (discovery.cloudMap, Service Connect). */
import type { CloudMapNamespaceStatus } from "../../crds/index.js";
import { ConditionStatus } from "../../crds/index.js";
import { NotFoundError } from "../../store/errors.js";
import type { ResourceStore } from "../../store/types.js";
import { ConditionType, findCondition } from "../conditions.js";
import type { FargateServiceRecord, NamespaceResolution } from "./context.js";
import type { FargateServiceStepDeps } from "./steps.js";

/** A CloudMapNamespace reference (ObjectRef), resolved against the referring record's namespace. */
type NamespaceRef = { name: string; namespace?: string | undefined };

/** Reads one referenced CloudMapNamespace record: Ready with an id (and ARN), or why not. */
async function resolveRef(
  deps: FargateServiceStepDeps,
  record: FargateServiceRecord,
  ref: NamespaceRef,
): Promise<
  | { ready: true; dnsName: string; namespaceId: string; namespaceArn: string | undefined }
  | { ready: false; message: string }
> {
  const namespace = ref.namespace ?? record.metadata.namespace;
  let found: Awaited<ReturnType<ResourceStore["get"]>>;
  try {
    found = await deps.store.get("CloudMapNamespace", namespace, ref.name);
  } catch (error) {
    if (error instanceof NotFoundError) {
      return { ready: false, message: `CloudMapNamespace ${namespace}/${ref.name} does not exist` };
    }
    throw error;
  }
  const status = (found.status ?? {}) as CloudMapNamespaceStatus;
  const ready = findCondition(status.conditions, ConditionType.Ready);
  const dnsName = String(found.spec.dnsName);
  if (found.metadata.deletionTimestamp !== undefined) {
    return { ready: false, message: `CloudMapNamespace ${namespace}/${ref.name} is being deleted` };
  }
  if (status.namespaceId === undefined || ready?.status !== ConditionStatus.True) {
    return {
      ready: false,
      message: `CloudMapNamespace ${namespace}/${ref.name} is not Ready yet${ready === undefined ? "" : ` (${ready.reason}: ${ready.message})`}`,
    };
  }
  return { ready: true, dnsName, namespaceId: status.namespaceId, namespaceArn: status.namespaceArn };
}

/**
 * Reads the CloudMapNamespace records the spec refers to (discovery.cloudMap's, serviceConnectConfiguration's):
 * Ready with ids, or why not. Service Connect gets the namespace's ARN, as ECS's `namespace`.
 */
export async function resolveNamespace(
  deps: FargateServiceStepDeps,
  record: FargateServiceRecord,
): Promise<NamespaceResolution> {
  const cloudMapRef = record.spec.discovery?.cloudMap?.namespaceRef;
  const connectRef = record.spec.serviceConnectConfiguration?.namespaceRef;
  if (cloudMapRef === undefined && connectRef === undefined) {
    return { ready: false, message: "spec.discovery.cloudMap is not set" };
  }
  const cloudMap = cloudMapRef === undefined ? undefined : await resolveRef(deps, record, cloudMapRef);
  if (cloudMap?.ready === false) return cloudMap;
  if (connectRef === undefined) {
    if (cloudMap === undefined) return { ready: false, message: "spec.discovery.cloudMap is not set" };
    return { ready: true, dnsName: cloudMap.dnsName, namespaceId: cloudMap.namespaceId };
  }
  const connect = await resolveRef(deps, record, connectRef);
  if (!connect.ready) return { ready: false, message: `serviceConnectConfiguration: ${connect.message}` };
  if (connect.namespaceArn === undefined) {
    return {
      ready: false,
      message: `serviceConnectConfiguration: CloudMapNamespace ${connectRef.namespace ?? record.metadata.namespace}/${connectRef.name} has no namespaceArn in its status yet`,
    };
  }
  const base = cloudMap ?? connect;
  return {
    ready: true,
    dnsName: base.dnsName,
    namespaceId: base.namespaceId,
    serviceConnectNamespaceArn: connect.namespaceArn,
  };
}

/**
 * The FargateService's Cloud Map service step. Steady-state passes read it from the namespace's shared listing and
 * its tags from memory (src/aws/cloud-map-cache.ts): no Cloud Map call when nothing is to change. Whenever a write
 * is due, the service and its tags are read fresh first and the write is planned from that; adopting reads fresh
 * too. A service the listing no longer shows is confirmed with GetService before it is made again.
 */
import { AwsAlreadyExistsError, AwsNotFoundError } from "../../aws/errors.js";
import type { CloudMapServiceInfo, DnsRecord, TagMap } from "../../aws/types.js";
import { renderCloudMapService, renderCloudMapServiceTags, TagKey } from "../../render/index.js";
import { TemporaryError } from "../../runtime/errors.js";
import { needsOwnershipTags, Ownership, ownershipOf, ownershipTagMap } from "../ownership.js";
import type { EnsuredCloudMapService, FargateServiceRecord, NamespaceResolution } from "./context.js";
import { assertNameFree, identityOf } from "./name-check.js";
import { renderContextOf } from "./render-context.js";
import { type FargateServiceStepDeps, invalidSpec } from "./steps.js";

type Records = ReadonlyArray<{ Type?: string | undefined; TTL?: number | undefined }>;

function sameDnsRecords(a: Records, b: Records): boolean {
  const key = (r: { Type?: string | undefined; TTL?: number | undefined }) => `${r.Type}:${r.TTL}`;
  return a.length === b.length && a.map(key).sort().join() === b.map(key).sort().join();
}

/** True for the tag keys that carry the Consul mirror's instructions (ours to add and remove). */
function isConsulTagKey(key: string): boolean {
  return (
    key === TagKey.ConsulRegister ||
    key === TagKey.ConsulName ||
    key === TagKey.ConsulTags ||
    key === TagKey.ConsulPort ||
    key.startsWith(TagKey.ConsulMetaPrefix)
  );
}

/** The tag writes that bring `current` in line with `desired`; tags of anybody else are left alone. */
function tagChanges(current: TagMap, desired: TagMap): { add: TagMap; remove: string[] } {
  const add = Object.fromEntries(Object.entries(desired).filter(([k, v]) => current[k] !== v));
  const remove = Object.keys(current).filter((k) => isConsulTagKey(k) && !(k in desired));
  return { add, remove };
}

function hasChanges(changes: { add: TagMap; remove: string[] }): boolean {
  return Object.keys(changes.add).length > 0 || changes.remove.length > 0;
}

interface Desired {
  input: ReturnType<typeof renderCloudMapService>;
  records: DnsRecord[];
  tags: TagMap;
}

/** Writes the DNS records and tags `current` (read fresh) lacks. */
async function align(
  deps: FargateServiceStepDeps,
  current: CloudMapServiceInfo,
  tags: TagMap,
  desired: Desired,
  signal: AbortSignal,
): Promise<void> {
  const cache = deps.cloudMapCache;
  if (!sameDnsRecords(current.dnsRecords, desired.records)) {
    await cache.updateServiceDnsRecords(current, desired.records, signal);
  }
  const { add, remove } = tagChanges(tags, desired.tags);
  if (Object.keys(add).length > 0) await cache.tagResource(current.arn, add, signal);
  if (remove.length > 0) await cache.untagResource(current.arn, remove, signal);
}

/**
 * The recorded service when it still exists under this name in this namespace (undefined otherwise), brought in
 * line. The cached view decides whether anything is to change; only then is it read fresh, checked (a service
 * carrying another record's tags is that record's: NameConflict, nothing written) and written.
 */
async function ensureKnown(
  deps: FargateServiceStepDeps,
  record: FargateServiceRecord,
  namespace: NamespaceResolution & { ready: true },
  serviceId: string,
  desired: Desired,
  signal: AbortSignal,
): Promise<EnsuredCloudMapService | undefined> {
  const cache = deps.cloudMapCache;
  const matches = (s: CloudMapServiceInfo | undefined): s is CloudMapServiceInfo =>
    s !== undefined && s.name === desired.input.Name && s.namespaceId === namespace.namespaceId;
  let current = await cache.service(
    namespace.namespaceId,
    serviceId,
    deps.settings.steadyStateMaxAgeMs,
    signal,
  );
  // Listed no more (deleted out of band, or a listing that lags behind a create): only GetService can tell.
  current ??= await cache.readService(serviceId, signal);
  if (!matches(current)) return undefined;
  try {
    const cached = await cache.tags(current.arn, { signal });
    if (
      sameDnsRecords(current.dnsRecords, desired.records) &&
      !hasChanges(tagChanges(cached, desired.tags))
    ) {
      return { serviceId: current.id, serviceArn: current.arn };
    }
    const fresh = await cache.readService(serviceId, signal);
    if (!matches(fresh)) return undefined;
    const tags = await cache.tags(fresh.arn, { fresh: true, signal });
    if (ownershipOf(tags, identityOf(record)) === Ownership.OtherRecord) {
      assertNameFree(
        record,
        tags,
        `Cloud Map service ${fresh.name} (${fresh.id}) in namespace ${namespace.dnsName}`,
        "FargateService",
        "set spec.discovery.cloudMap.serviceName to another name",
      );
    }
    await align(deps, fresh, tags, desired, signal);
    return { serviceId: fresh.id, serviceArn: fresh.arn };
  } catch (error) {
    if (!(error instanceof AwsNotFoundError)) throw error;
    cache.forgetService(serviceId);
    return undefined;
  }
}

/**
 * The Cloud Map service of the spec: the recorded one if it still exists, else created or adopted. Its tags
 * (ownership and the Consul mirror's instructions) are brought in line on every pass.
 */
export async function ensureCloudMapService(
  deps: FargateServiceStepDeps,
  record: FargateServiceRecord,
  namespace: NamespaceResolution,
  signal: AbortSignal,
): Promise<EnsuredCloudMapService | undefined> {
  if (record.spec.discovery?.cloudMap === undefined || !namespace.ready) return undefined;
  let desired: Desired;
  try {
    const context = renderContextOf(record, deps.settings.region, namespace.dnsName);
    const input = renderCloudMapService(record.spec, context, namespace.namespaceId);
    desired = {
      input,
      records: input.DnsConfig?.DnsRecords ?? [],
      tags: renderCloudMapServiceTags(record.spec, context),
    };
  } catch (error) {
    invalidSpec(error);
  }
  const cache = deps.cloudMapCache;
  const known = record.status.cloudMap;
  if (known !== undefined) {
    const ensured = await ensureKnown(deps, record, namespace, known.serviceId, desired, signal);
    if (ensured !== undefined) return ensured;
  }
  let serviceId: string;
  try {
    const created = await cache.createService(desired.input, signal);
    return { serviceId: created.id, serviceArn: created.arn };
  } catch (error) {
    if (!(error instanceof AwsAlreadyExistsError) || error.existingId === undefined) throw error;
    serviceId = error.existingId;
  }
  // Adopting (or finding our own after a crash): read fresh, whatever is cached.
  const existing = await cache.readService(serviceId, signal);
  if (existing === undefined)
    throw new TemporaryError(`Cloud Map service ${serviceId} vanished while adopted`);
  let tags = await cache.tags(existing.arn, { fresh: true, signal });
  assertNameFree(
    record,
    tags,
    `Cloud Map service ${existing.name} (${existing.id}) in namespace ${namespace.dnsName}`,
    "FargateService",
    "set spec.discovery.cloudMap.serviceName to another name",
  );
  if (needsOwnershipTags(ownershipOf(tags, identityOf(record)))) {
    const ownership = ownershipTagMap(record.metadata);
    await cache.tagResource(existing.arn, ownership, signal);
    tags = { ...tags, ...ownership };
  }
  await align(deps, existing, tags, desired, signal);
  return { serviceId: existing.id, serviceArn: existing.arn };
}

/**
 * What the orphan sweep looks at: every ECS service (all clusters) and every Cloud Map service (all namespaces)
 * carrying the operator's ownership tags, grouped by the record the tags name (uid, namespace and name), and the
 * owned task-definition revisions of such a record's family.
 */
import { AwsNotFoundError } from "../../aws/errors.js";
import type { CloudMapGateway, EcsGateway, TagMap } from "../../aws/types.js";
import { ecsName, TagKey } from "../../render/index.js";

/** The record an ownership tag set names. */
export interface Owner {
  namespace: string;
  name: string;
  uid: string;
}

/** An ECS service of an owner. */
export interface OwnedEcsService {
  cluster: string;
  name: string;
  arn: string;
  desiredCount: number;
  /** Its `fargate-operator:deletion-policy` tag, when it has one. */
  policy?: string;
  /** True when its `fargate-operator:autoscaling` tag says a scalable target was registered for it. */
  autoscaled: boolean;
}

/** A Cloud Map service of an owner. */
export interface OwnedCloudMapService {
  id: string;
  arn: string;
  name: string;
  policy?: string;
}

/** Everything the sweep found for one owner. */
export interface OwnedResources {
  owner: Owner;
  ecsServices: OwnedEcsService[];
  cloudMapServices: OwnedCloudMapService[];
}

/** The owner named by `tags`, or undefined unless uid, namespace and name are all there. */
export function ownerOf(tags: Readonly<TagMap>): Owner | undefined {
  const uid = tags[TagKey.Uid];
  const namespace = tags[TagKey.Namespace];
  const name = tags[TagKey.Name];
  if (uid === undefined || namespace === undefined || name === undefined) return undefined;
  if (uid === "" || namespace === "" || name === "") return undefined;
  return { namespace, name, uid };
}

/** `namespace/name/uid`: one owner. */
export function ownerKey(owner: Owner): string {
  return `${owner.namespace}/${owner.name}/${owner.uid}`;
}

function tagMapOf(tags: ReadonlyArray<{ key?: string | undefined; value?: string | undefined }> | undefined) {
  const out: TagMap = {};
  for (const { key, value } of tags ?? []) if (key !== undefined) out[key] = value ?? "";
  return out;
}

function entryFor(found: Map<string, OwnedResources>, owner: Owner): OwnedResources {
  const key = ownerKey(owner);
  let entry = found.get(key);
  if (entry === undefined) {
    entry = { owner, ecsServices: [], cloudMapServices: [] };
    found.set(key, entry);
  }
  return entry;
}

/** What the sweep remembers between runs so it reads only what changed. */
export interface SweepMemory {
  /** Tags of owned Cloud Map services by ARN (a service's ownership tags never change). */
  cloudMapTags: Map<string, TagMap>;
  /** The owner (or none) of each family's newest ACTIVE revision, by that revision's ARN. */
  revisionOwners: Map<string, Owner | undefined>;
}

/**
 * Lists every owned ECS and Cloud Map service of the account, then the task-definition families that no live
 * record and no owner found so far accounts for (`skipFamilies`): a deletion cut short after its services went
 * leaves only revisions. Only a family's newest ACTIVE revision is read, and once per revision.
 */
export async function findOwnedResources(
  ecs: EcsGateway,
  cloudMap: CloudMapGateway,
  memory: SweepMemory,
  skipFamilies: ReadonlySet<string>,
  signal: AbortSignal,
): Promise<Map<string, OwnedResources>> {
  const { cloudMapTags } = memory;
  const found = new Map<string, OwnedResources>();
  for (const clusterArn of await ecs.listClusters(signal)) {
    const arns = await ecs.listServiceArns(clusterArn, signal);
    for (const service of await ecs.describeServices(clusterArn, arns, signal)) {
      const tags = tagMapOf(service.tags);
      const owner = ownerOf(tags);
      if (owner === undefined || service.serviceName === undefined || service.serviceArn === undefined)
        continue;
      const policy = tags[TagKey.DeletionPolicy];
      entryFor(found, owner).ecsServices.push({
        cluster: service.clusterArn ?? clusterArn,
        name: service.serviceName,
        arn: service.serviceArn,
        desiredCount: service.desiredCount ?? 0,
        ...(policy === undefined ? {} : { policy }),
        autoscaled: tags[TagKey.Autoscaling] === "true",
      });
    }
  }
  const listed = await cloudMap.listAccountServices(signal);
  const arns = new Set(listed.map((s) => s.arn));
  for (const arn of [...cloudMapTags.keys()]) if (!arns.has(arn)) cloudMapTags.delete(arn);
  for (const service of listed) {
    let tags = cloudMapTags.get(service.arn);
    if (tags === undefined) {
      try {
        tags = await cloudMap.listTags(service.arn, signal);
      } catch (error) {
        if (error instanceof AwsNotFoundError) continue; // deleted since the listing
        throw error;
      }
      if (ownerOf(tags) !== undefined) cloudMapTags.set(service.arn, tags);
    }
    const owner = ownerOf(tags);
    if (owner === undefined) continue;
    const policy = tags[TagKey.DeletionPolicy];
    entryFor(found, owner).cloudMapServices.push({
      id: service.id,
      arn: service.arn,
      name: service.name,
      ...(policy === undefined ? {} : { policy }),
    });
  }
  await findRevisionOnlyOwners(ecs, memory.revisionOwners, found, skipFamilies, signal);
  return found;
}

/** Owners whose family still has ACTIVE revisions but whose services are gone (or never existed). */
async function findRevisionOnlyOwners(
  ecs: EcsGateway,
  revisionOwners: Map<string, Owner | undefined>,
  found: Map<string, OwnedResources>,
  skipFamilies: ReadonlySet<string>,
  signal: AbortSignal,
): Promise<void> {
  const accounted = new Set([...skipFamilies, ...[...found.values()].map((r) => ecsName(r.owner))]);
  const newest = new Set<string>();
  for (const family of await ecs.listActiveFamilies(signal)) {
    if (accounted.has(family)) continue;
    const [arn] = await ecs.listActiveRevisions(family, signal);
    if (arn === undefined) continue;
    newest.add(arn);
    if (!revisionOwners.has(arn)) {
      try {
        revisionOwners.set(arn, ownerOf((await ecs.describeTaskDefinition(arn, signal)).tags));
      } catch (error) {
        if (!(error instanceof AwsNotFoundError)) throw error;
        continue;
      }
    }
    const owner = revisionOwners.get(arn);
    if (owner !== undefined && ecsName(owner) === family) entryFor(found, owner);
  }
  for (const arn of [...revisionOwners.keys()]) if (!newest.has(arn)) revisionOwners.delete(arn);
}

/** The ACTIVE revisions of the owner's family whose tags name exactly that owner. */
export async function ownedRevisions(ecs: EcsGateway, owner: Owner, signal: AbortSignal): Promise<string[]> {
  const out: string[] = [];
  for (const arn of await ecs.listActiveRevisions(ecsName(owner), signal)) {
    try {
      const revision = await ecs.describeTaskDefinition(arn, signal);
      const tagged = ownerOf(revision.tags);
      if (revision.status === "ACTIVE" && tagged !== undefined && ownerKey(tagged) === ownerKey(owner))
        out.push(arn);
    } catch (error) {
      if (!(error instanceof AwsNotFoundError)) throw error;
    }
  }
  return out;
}

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

/**
 * Lists every owned ECS and Cloud Map service of the account. `cloudMapTags` keeps the tags of owned Cloud Map
 * services by ARN between sweeps (a service's ownership tags never change), so only new services are read.
 */
export async function findOwnedResources(
  ecs: EcsGateway,
  cloudMap: CloudMapGateway,
  cloudMapTags: Map<string, TagMap>,
  signal: AbortSignal,
): Promise<Map<string, OwnedResources>> {
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
  return found;
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

/**
 * What exists in the simulated account, read through the public API (list + describe calls, as an auditor with
 * the AWS CLI would), and the comparison with the records: duplicates, orphans, surplus revisions, and drift
 * between a live record's spec and what ECS runs.
 */
import {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ListServicesCommand,
  ListTaskDefinitionsCommand,
  type ListTaskDefinitionsCommandOutput,
} from "@aws-sdk/client-ecs";
import {
  ListServicesCommand as ListCloudMapServicesCommand,
  ListNamespacesCommand,
  ListTagsForResourceCommand,
} from "@aws-sdk/client-servicediscovery";
import { TagKey } from "../../../../src/render/names.js";
import type { StoredResource } from "../../../../src/store/types.js";
import { clientsFor } from "../../aws-sim/support.js";
import { REL_CLUSTER, REL_DNS_NAME, REL_NAMESPACE, type ServiceWant } from "./stack.js";

type Tags = Record<string, string>;

/** Everything the account holds that the suites could have made. */
export interface AwsInventory {
  /** ECS services ListServices returns (ACTIVE; DRAINING ones are hidden, as in AWS). */
  ecsServices: Array<{ name: string; taskDefinition: string; desiredCount: number; tags: Tags }>;
  /** ACTIVE task-definition revisions of every family. */
  revisions: Array<{ arn: string; family: string; image: string; tags: Tags }>;
  /** Cloud Map namespaces named like the suites' one. */
  namespaces: number;
  /** Cloud Map services in that namespace. */
  cloudMapServices: Array<{ id: string; name: string; tags: Tags }>;
}

/** ECS tags (`key`/`value`) or Cloud Map tags (`Key`/`Value`) as a map. */
function tagMap(tags: ReadonlyArray<object>): Tags {
  const out: Tags = {};
  for (const t of tags as ReadonlyArray<Record<string, unknown>>) {
    const key = t.key ?? t.Key;
    const value = t.value ?? t.Value;
    if (typeof key === "string" && typeof value === "string") out[key] = value;
  }
  return out;
}

/** Reads the inventory (faults must be off: these clients make one attempt). */
export async function readInventory(endpoint: string): Promise<AwsInventory> {
  const { ecs, cloudMap } = clientsFor(endpoint);
  try {
    const arns: string[] = [];
    let token: string | undefined;
    do {
      const page = await ecs.send(new ListServicesCommand({ cluster: REL_CLUSTER, nextToken: token }));
      arns.push(...(page.serviceArns ?? []));
      token = page.nextToken;
    } while (token !== undefined);
    const ecsServices: AwsInventory["ecsServices"] = [];
    for (let i = 0; i < arns.length; i += 10) {
      const out = await ecs.send(
        new DescribeServicesCommand({
          cluster: REL_CLUSTER,
          services: arns.slice(i, i + 10),
          include: ["TAGS"],
        }),
      );
      for (const s of out.services ?? [])
        ecsServices.push({
          name: s.serviceName ?? "",
          taskDefinition: s.taskDefinition ?? "",
          desiredCount: s.desiredCount ?? 0,
          tags: tagMap(s.tags ?? []),
        });
    }

    const revisionArns: string[] = [];
    token = undefined;
    do {
      const listed: ListTaskDefinitionsCommandOutput = await ecs.send(
        new ListTaskDefinitionsCommand({ status: "ACTIVE", nextToken: token }),
      );
      revisionArns.push(...(listed.taskDefinitionArns ?? []));
      token = listed.nextToken;
    } while (token !== undefined);
    const revisions: AwsInventory["revisions"] = [];
    for (const arn of revisionArns) {
      const out = await ecs.send(
        new DescribeTaskDefinitionCommand({ taskDefinition: arn, include: ["TAGS"] }),
      );
      revisions.push({
        arn,
        family: out.taskDefinition?.family ?? "",
        image: out.taskDefinition?.containerDefinitions?.[0]?.image ?? "",
        tags: tagMap(out.tags ?? []),
      });
    }

    const namespaces = (await cloudMap.send(new ListNamespacesCommand({}))).Namespaces ?? [];
    const ours = namespaces.filter((n) => n.Name === REL_DNS_NAME);
    const cloudMapServices: AwsInventory["cloudMapServices"] = [];
    for (const ns of ours) {
      const services = await cloudMap.send(
        new ListCloudMapServicesCommand({ Filters: [{ Name: "NAMESPACE_ID", Values: [ns.Id ?? ""] }] }),
      );
      for (const s of services.Services ?? []) {
        const tags = await cloudMap.send(new ListTagsForResourceCommand({ ResourceARN: s.Arn }));
        cloudMapServices.push({ id: s.Id ?? "", name: s.Name ?? "", tags: tagMap(tags.Tags ?? []) });
      }
    }
    return { ecsServices, revisions, namespaces: ours.length, cloudMapServices };
  } finally {
    ecs.destroy();
    cloudMap.destroy();
  }
}

/** The audit of an inventory against the live records. */
export interface InventoryAudit {
  /** A live record with more than one ECS service, Cloud Map service or namespace. */
  duplicates: string[];
  /** Something no live record owns (left by a deleted record, or a stray copy). */
  orphans: string[];
  /** A live record with a missing resource, more than keepRevisions revisions, or ECS running another spec. */
  mismatches: string[];
  /** Totals, for the figures. */
  counts: { ecsServices: number; cloudMapServices: number; activeRevisions: number };
}

/**
 * Compares the inventory with the live records: each has exactly one ECS service `<ns>-<name>` and one Cloud
 * Map service `<name>` tagged with its uid, at most `keepRevisions` ACTIVE revisions all tagged with its uid,
 * and ECS runs the status's task definition with the wanted image and desired count. Anything else is an orphan.
 */
export function auditInventory(
  inventory: AwsInventory,
  live: readonly StoredResource[],
  wanted: ReadonlyMap<string, ServiceWant>,
  keepRevisions: number,
): InventoryAudit {
  const duplicates: string[] = [];
  const orphans: string[] = [];
  const mismatches: string[] = [];
  if (inventory.namespaces !== 1)
    duplicates.push(`${inventory.namespaces} Cloud Map namespaces ${REL_DNS_NAME}`);
  const uidOf = new Map(live.map((r) => [`${REL_NAMESPACE}-${r.metadata.name}`, r.metadata.uid]));
  for (const record of live) {
    const name = record.metadata.name;
    const family = `${REL_NAMESPACE}-${name}`;
    const uid = record.metadata.uid;
    const ecs = inventory.ecsServices.filter((s) => s.name === family);
    const cloudMap = inventory.cloudMapServices.filter((s) => s.name === name);
    const revisions = inventory.revisions.filter((r) => r.family === family);
    if (ecs.length > 1) duplicates.push(`${ecs.length} ECS services ${family}`);
    if (cloudMap.length > 1) duplicates.push(`${cloudMap.length} Cloud Map services ${name}`);
    if (ecs.length === 0) mismatches.push(`no ECS service ${family}`);
    if (cloudMap.length === 0) mismatches.push(`no Cloud Map service ${name}`);
    if (revisions.length > keepRevisions)
      mismatches.push(`${revisions.length} ACTIVE revisions of ${family} (keepRevisions ${keepRevisions})`);
    for (const s of [...ecs, ...cloudMap])
      if (s.tags[TagKey.Uid] !== uid)
        orphans.push(`${"id" in s ? "Cloud Map" : "ECS"} service ${name} not tagged ${uid}`);
    for (const r of revisions)
      if (r.tags[TagKey.Uid] !== uid) orphans.push(`revision ${r.arn} not tagged ${uid}`);
    const service = ecs[0];
    const want = wanted.get(name);
    if (service !== undefined && want !== undefined) {
      const running = inventory.revisions.find((r) => r.arn === service.taskDefinition);
      if (service.taskDefinition !== record.status?.taskDefinitionArn)
        mismatches.push(
          `${family} runs ${service.taskDefinition}, status says ${String(record.status?.taskDefinitionArn)}`,
        );
      if (running?.image !== want.image)
        mismatches.push(`${family} runs ${running?.image}, spec says ${want.image}`);
      if (service.desiredCount !== want.desiredCount)
        mismatches.push(`${family} desiredCount ${service.desiredCount}, spec says ${want.desiredCount}`);
    }
  }
  for (const s of inventory.ecsServices) if (!uidOf.has(s.name)) orphans.push(`ECS service ${s.name}`);
  const liveNames = new Set(live.map((r) => r.metadata.name));
  for (const s of inventory.cloudMapServices)
    if (!liveNames.has(s.name)) orphans.push(`Cloud Map service ${s.name}`);
  for (const r of inventory.revisions) if (!uidOf.has(r.family)) orphans.push(`revision ${r.arn}`);
  return {
    duplicates,
    orphans,
    mismatches,
    counts: {
      ecsServices: inventory.ecsServices.length,
      cloudMapServices: inventory.cloudMapServices.length,
      activeRevisions: inventory.revisions.length,
    },
  };
}

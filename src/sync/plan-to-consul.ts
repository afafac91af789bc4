/**
 * Cloud Map → Consul planning (DESIGN 6): every instance of every candidate Cloud Map service becomes a service
 * registration on the namespace's one synthetic node, with one check carrying Cloud Map's health (UNHEALTHY is
 * critical: the instance stays visible, it does not vanish). Only registrations on that node carrying this
 * CatalogSync's uid are ever changed or deregistered — except that a service ID the engine derives for one of its
 * instances is its own on its own node: someone else's registration there (or a check of theirs on ours) is
 * taken back and reported. Pure.
 */
import type { CatalogRegistration, HealthStatus } from "../consul/types.js";
import { classifyService } from "./candidates.js";
import { brief } from "./cloud-map-rules.js";
import type { ConsulNameVerdicts } from "./consul-names.js";
import { advanceGrace, type GraceState } from "./grace.js";
import type { CloudMapSnapshot, OwnedRegistration } from "./model.js";
import { consulServiceIdOf, EXTERNAL_SOURCE, SyncKey, syncCheckIdOf } from "./names.js";
import type { SyncDirectionSettings, SyncEngineConfig } from "./types.js";

/** One Consul write. */
export type ConsulWrite =
  | { kind: "register"; registration: CatalogRegistration; view: OwnedRegistration }
  | { kind: "deregister"; serviceId: string; why: "vanished" | "deliberate" | "taken back" };

/** Everything the planner reads. */
export interface ToConsulInput {
  owner: SyncEngineConfig["owner"];
  dnsName: string;
  settings: SyncDirectionSettings;
  /** The synthetic node. */
  node: string;
  cloudMap: CloudMapSnapshot;
  /** Our registrations on the node, by service ID; undefined when Consul could not be read. */
  registrations: ReadonlyMap<string, OwnedRegistration> | undefined;
  /** Service IDs on the node that are not ours: written over only where we want that very ID (taken back). */
  foreignIds?: ReadonlySet<string>;
  /** Our registrations that carry checks we did not write (they could mark our instances critical). */
  tamperedIds?: ReadonlySet<string>;
  /** Node-level checks on the synthetic node that are not ours (they mark every instance on it); reported. */
  foreignNodeChecks?: readonly string[];
  /** Consul names a FargateService is not mirrored into (consul-names.ts); none refused when absent. */
  consulNames?: ConsulNameVerdicts;
  grace: GraceState;
  now: number;
  graceMs: number;
}

/** The writes of one round, the new grace state, and what could not be synced. */
export interface ToConsulPlan {
  writes: ConsulWrite[];
  grace: Map<string, number>;
  nextGraceAt?: number;
  problems: string[];
}

/** Name of the check every mirrored instance carries. */
export const SYNC_CHECK_NAME = "Cloud Map health";

function sameRegistration(a: OwnedRegistration, b: OwnedRegistration): boolean {
  const metaKeys = Object.keys(a.meta);
  return (
    a.name === b.name &&
    a.address === b.address &&
    a.port === b.port &&
    a.checkStatus === b.checkStatus &&
    a.tags.length === b.tags.length &&
    a.tags.every((t, i) => b.tags[i] === t) &&
    metaKeys.length === Object.keys(b.meta).length &&
    metaKeys.every((k) => a.meta[k] === b.meta[k])
  );
}

function portOf(value: string | undefined): number {
  const port = Number(value ?? "0");
  return Number.isInteger(port) && port >= 0 && port <= 65535 ? port : 0;
}

/** The registration (and how it will look in Consul) of one desired instance. */
function registrationOf(node: string, dnsName: string, view: OwnedRegistration): CatalogRegistration {
  return {
    node,
    // A name, not an address: the node stands for the namespace; every service carries its own address.
    address: dnsName,
    nodeMeta: { [SyncKey.ExternalSource]: EXTERNAL_SOURCE },
    // Never rewrite a node that exists (it may be someone else's of the same name); only create it.
    skipNodeUpdate: true,
    service: {
      id: view.serviceId,
      name: view.name,
      tags: [...view.tags],
      address: view.address,
      port: view.port,
      meta: { ...view.meta },
    },
    checks: [
      {
        checkId: syncCheckIdOf(view.serviceId),
        name: SYNC_CHECK_NAME,
        status: view.checkStatus ?? "passing",
        serviceId: view.serviceId,
        output: view.checkStatus === "critical" ? "Cloud Map: UNHEALTHY" : "Cloud Map: HEALTHY or UNKNOWN",
      },
    ],
  };
}

/** The Cloud Map service ids our Consul registrations point at (none when Consul could not be read). */
export function referencedCloudMapIds(
  registrations: ReadonlyMap<string, OwnedRegistration> | undefined,
): Set<string> {
  const ids = new Set<string>();
  for (const seen of registrations?.values() ?? []) {
    const id = seen.meta[SyncKey.CloudMapServiceId];
    if (id !== undefined) ids.add(id);
  }
  return ids;
}

/** Plans one Cloud Map → Consul round. */
export function planToConsul(input: ToConsulInput): ToConsulPlan {
  const { owner, cloudMap, registrations } = input;
  const problems: string[] = [];
  const writes: ConsulWrite[] = [];
  if (!cloudMap.known || registrations === undefined)
    return { writes, grace: new Map(input.grace), problems };
  const desired = new Map<string, OwnedRegistration>();
  const frozen = new Set<string>();
  const classified = new Map(
    cloudMap.services.map((s) => [s.id, classifyService(s.name, s.tags, owner.uid, input.settings)]),
  );

  for (const service of cloudMap.services) {
    const c = classified.get(service.id);
    if (c?.kind === "unknown") frozen.add(service.id);
    if (c?.kind !== "candidate") continue;
    // A refused Consul name gets nothing (and what is there goes, below); one not read yet keeps what it has.
    if (c.fargateService && input.consulNames?.refused.has(c.consulName)) continue;
    if (c.fargateService && input.consulNames?.unchecked.has(c.consulName)) frozen.add(service.id);
    if (!service.fresh || service.instances === undefined || frozen.has(service.id)) {
      frozen.add(service.id);
      continue;
    }
    for (const [instanceId, attributes] of service.instances) {
      const address =
        attributes.AWS_INSTANCE_IPV4 ?? attributes.AWS_INSTANCE_IPV6 ?? attributes.AWS_INSTANCE_CNAME;
      if (address === undefined || address === "") {
        problems.push(`Cloud Map instance ${instanceId} of ${service.name} has no address; not synced`);
        continue;
      }
      const serviceId = consulServiceIdOf(service.name, instanceId);
      const ecsService = attributes.ECS_SERVICE_NAME;
      const checkStatus: HealthStatus = service.health[instanceId] === "UNHEALTHY" ? "critical" : "passing";
      desired.set(serviceId, {
        serviceId,
        name: c.consulName,
        tags: c.tags,
        address,
        port: portOf(attributes.AWS_INSTANCE_PORT) || (c.port ?? 0),
        // Ours last, so a user's meta can never replace the ownership marker.
        meta: {
          ...c.meta,
          [SyncKey.Owner]: owner.uid,
          [SyncKey.ExternalSource]: EXTERNAL_SOURCE,
          [SyncKey.CloudMapServiceId]: service.id,
          [SyncKey.CloudMapNamespace]: input.dnsName,
          [SyncKey.CloudMapInstanceId]: instanceId,
          ...(ecsService === undefined ? {} : { [SyncKey.EcsService]: ecsService }),
        },
        checkStatus,
      });
    }
  }

  for (const checkId of input.foreignNodeChecks ?? [])
    problems.push(
      `node check ${brief(checkId)} on ${input.node} is not this CatalogSync's; it applies to every instance`,
    );
  for (const view of desired.values()) {
    const squatted = input.foreignIds?.has(view.serviceId) === true;
    if (squatted || input.tamperedIds?.has(view.serviceId)) {
      // Deregistering first also drops every check the other party hung on that ID.
      const what = squatted ? "was registered by someone else" : "carries checks that are not ours";
      problems.push(`Consul service ID ${view.serviceId} on ${input.node} ${what}; taken back`);
      writes.push({ kind: "deregister", serviceId: view.serviceId, why: "taken back" });
      writes.push({ kind: "register", registration: registrationOf(input.node, input.dnsName, view), view });
      continue;
    }
    const seen = registrations.get(view.serviceId);
    if (seen === undefined || !sameRegistration(seen, view))
      writes.push({ kind: "register", registration: registrationOf(input.node, input.dnsName, view), view });
  }

  const byId = new Map(cloudMap.services.map((s) => [s.id, s]));
  const missing = new Set<string>();
  const deliberate = (serviceId: string) => writes.push({ kind: "deregister", serviceId, why: "deliberate" });
  for (const seen of registrations.values()) {
    if (desired.has(seen.serviceId)) continue;
    const cloudMapId = seen.meta[SyncKey.CloudMapServiceId];
    const service = cloudMapId === undefined ? undefined : byId.get(cloudMapId);
    const c = cloudMapId === undefined ? undefined : classified.get(cloudMapId);
    if (cloudMapId === undefined) missing.add(seen.serviceId);
    else if (service === undefined) {
      // Cloud Map refuses to delete a service with instances, so a confirmed deletion was deliberate.
      if (cloudMap.gone.has(cloudMapId)) deliberate(seen.serviceId);
    } else if (frozen.has(cloudMapId)) {
      // Its service could not be read: keep everything as it is.
    } else if (c?.kind !== "candidate") deliberate(seen.serviceId);
    else if (c.fargateService || seen.meta[SyncKey.EcsService] !== undefined) {
      // ECS deregisters a task only once it stopped (a rollout's replaced tasks, a scale-in): gone for good.
      deliberate(seen.serviceId);
    } else missing.add(seen.serviceId);
  }

  const step = advanceGrace(
    input.grace,
    missing,
    (key) => {
      const cloudMapId = registrations.get(key)?.meta[SyncKey.CloudMapServiceId];
      return cloudMapId !== undefined && (frozen.has(cloudMapId) || !byId.has(cloudMapId));
    },
    input.now,
    input.graceMs,
  );
  for (const serviceId of step.due) writes.push({ kind: "deregister", serviceId, why: "vanished" });
  return {
    writes,
    grace: step.state,
    problems,
    ...(step.nextDueAt === undefined ? {} : { nextGraceAt: step.nextDueAt }),
  };
}

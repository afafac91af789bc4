/**
 * Consul → Cloud Map planning (DESIGN 6): the writes that make the namespace mirror the included Consul services.
 * Only services tagged with this CatalogSync's uid, and only instances carrying its uid, are ever changed or
 * removed; instances the engine itself imported into Consul are never exported back. Pure.
 */
import type { CloudMapCreateServiceInput, DnsRecord } from "../aws/types.js";
import { TagKey } from "../render/names.js";
import { attributeProblems, brief, instanceIdProblems } from "./cloud-map-rules.js";
import { decideName, sourceNameOf } from "./filters.js";
import { advanceGrace, type GraceState } from "./grace.js";
import type { CloudMapSnapshot, ConsulInstance, ConsulSnapshot, ObservedService } from "./model.js";
import { cloudMapInstanceId, isOwnEntry, isOwnService, SyncKey, syncCreatorRequestId } from "./names.js";
import type { SyncDirectionSettings, SyncEngineConfig } from "./types.js";

/** One Cloud Map write. */
export type CloudMapWrite =
  | { kind: "createService"; consulName: string; input: CloudMapCreateServiceInput }
  | { kind: "updateDnsRecords"; serviceId: string; records: DnsRecord[] }
  | { kind: "registerInstance"; serviceId: string; instanceId: string; attributes: Record<string, string> }
  | { kind: "setHealth"; serviceId: string; instanceId: string; status: "HEALTHY" | "UNHEALTHY" }
  | { kind: "deregisterInstance"; serviceId: string; instanceId: string; why: "vanished" | "deliberate" }
  | { kind: "deleteService"; serviceId: string; name: string };

/** Everything the planner reads. */
export interface ToCloudMapInput {
  owner: SyncEngineConfig["owner"];
  namespaceId: string;
  settings: SyncDirectionSettings;
  /** TTL of the A and SRV records (seconds). */
  ttl: number;
  cloudMap: CloudMapSnapshot;
  consul: ConsulSnapshot;
  grace: GraceState;
  now: number;
  graceMs: number;
}

/** The writes of one round, the new grace state, and what could not be synced (never secrets). */
export interface ToCloudMapPlan {
  writes: CloudMapWrite[];
  grace: Map<string, number>;
  nextGraceAt?: number;
  problems: string[];
}

const SERVICE_NAME =
  /^[a-zA-Z0-9_](?:[-a-zA-Z0-9_]{0,61}[a-zA-Z0-9_])?(?:\.[a-zA-Z0-9_](?:[-a-zA-Z0-9_]{0,61}[a-zA-Z0-9_])?)*$/;
const IPV4 = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;
/** Consul's own service is never exported (every agent has it; it means nothing to a Fargate task). */
const CONSUL_SERVICE = "consul";
/** Set only at registration, so it is not compared afterwards. */
const INIT_HEALTH = "AWS_INIT_HEALTH_STATUS";

/** True when the Consul service `name` is exported under `settings`. */
export function isExported(name: string, settings: SyncDirectionSettings): boolean {
  return name !== CONSUL_SERVICE && decideName(name, settings).synced;
}

/**
 * A and SRV, MULTIVALUE: a Consul instance always has a port, which only SRV carries, while plain A records give
 * the name resolution `vault.<dnsName>` needs (Vault agents, JDBC URLs and most clients never ask for SRV).
 */
export function desiredDnsRecords(ttl: number): DnsRecord[] {
  return [
    { Type: "A", TTL: ttl },
    { Type: "SRV", TTL: ttl },
  ];
}

/** The CreateService input of the Cloud Map service mirroring Consul service `consulName`. */
export function cloudMapServiceInput(
  input: Pick<ToCloudMapInput, "owner" | "namespaceId" | "ttl">,
  consulName: string,
  cloudMapName: string,
): CloudMapCreateServiceInput {
  return {
    Name: cloudMapName,
    NamespaceId: input.namespaceId,
    CreatorRequestId: syncCreatorRequestId(input.owner.uid, cloudMapName),
    Description: `Consul service ${consulName}, mirrored by CatalogSync ${input.owner.namespace}/${input.owner.name}`,
    DnsConfig: { RoutingPolicy: "MULTIVALUE", DnsRecords: desiredDnsRecords(input.ttl) },
    HealthCheckCustomConfig: {},
    Tags: [{ Key: TagKey.SyncOwner, Value: input.owner.uid }],
  };
}

function sameRecords(a: readonly DnsRecord[], b: readonly DnsRecord[]): boolean {
  const key = (records: readonly DnsRecord[]) =>
    records
      .map((r) => `${r.Type}/${r.TTL}`)
      .sort()
      .join(",");
  return key(a) === key(b);
}

function sameAttributes(
  observed: Readonly<Record<string, string>>,
  desired: Record<string, string>,
): boolean {
  const keys = Object.keys(observed).filter((k) => k !== INIT_HEALTH);
  return keys.length === Object.keys(desired).length && keys.every((k) => observed[k] === desired[k]);
}

interface DesiredInstance {
  attributes: Record<string, string>;
  health: "HEALTHY" | "UNHEALTHY";
}

function desiredInstances(
  name: string,
  instances: readonly ConsulInstance[],
  uid: string,
  problems: string[],
): Map<string, DesiredInstance> {
  const out = new Map<string, DesiredInstance>();
  for (const i of instances) {
    const ip = i.address === "" ? i.nodeAddress : i.address;
    const entry = `Consul ${brief(name)} instance ${brief(i.serviceId)} on ${brief(i.node)}`;
    if (!IPV4.test(ip)) {
      problems.push(`${entry}: address ${brief(ip)} is not IPv4; not synced`);
      continue;
    }
    const instanceId = cloudMapInstanceId(i.node, i.serviceId);
    const attributes = {
      AWS_INSTANCE_IPV4: ip,
      AWS_INSTANCE_PORT: String(i.port),
      [SyncKey.Owner]: uid,
      [SyncKey.ConsulNode]: i.node,
      [SyncKey.ConsulServiceId]: i.serviceId,
    };
    // Consul allows what Cloud Map refuses (long ids, any Unicode in node names): skip the entry, not the round.
    const refused = [...instanceIdProblems(instanceId), ...attributeProblems(attributes)];
    if (refused.length > 0) {
      problems.push(`${entry}: ${refused.join(", ")}; not synced`);
      continue;
    }
    out.set(instanceId, {
      attributes,
      // Consul's warning still serves traffic; only critical keeps an instance out of DNS answers.
      health: i.status === "critical" ? "UNHEALTHY" : "HEALTHY",
    });
  }
  return out;
}

/** Plans the instance writes of one of our services; returns the keys of our instances Consul no longer has. */
function planInstances(
  service: ObservedService,
  desired: Map<string, DesiredInstance>,
  uid: string,
  writes: CloudMapWrite[],
  problems: string[],
): string[] {
  const observed = service.instances ?? new Map<string, Readonly<Record<string, string>>>();
  const custom = service.healthCheck === "custom";
  for (const [instanceId, d] of desired) {
    const seen = observed.get(instanceId);
    if (seen !== undefined && !isOwnEntry(seen, uid)) {
      problems.push(
        `Cloud Map instance ${instanceId} in ${service.name} is not this CatalogSync's; left alone`,
      );
      continue;
    }
    const health = service.health[instanceId] ?? "UNKNOWN";
    if (seen === undefined || !sameAttributes(seen, d.attributes)) {
      const attributes = custom ? { ...d.attributes, [INIT_HEALTH]: d.health } : d.attributes;
      writes.push({ kind: "registerInstance", serviceId: service.id, instanceId, attributes });
      // A re-registration keeps the current health, so a changed one is pushed as well.
      if (seen !== undefined && custom && health !== d.health)
        writes.push({ kind: "setHealth", serviceId: service.id, instanceId, status: d.health });
    } else if (custom && health !== d.health) {
      writes.push({ kind: "setHealth", serviceId: service.id, instanceId, status: d.health });
    }
  }
  const missing: string[] = [];
  for (const [instanceId, attributes] of observed)
    if (isOwnEntry(attributes, uid) && !desired.has(instanceId)) missing.push(`${service.id}/${instanceId}`);
  return missing;
}

/** Plans one Consul → Cloud Map round. */
export function planToCloudMap(input: ToCloudMapInput): ToCloudMapPlan {
  const { owner, settings, cloudMap, consul } = input;
  const problems: string[] = [];
  const writes: CloudMapWrite[] = [];
  const carried = { grace: new Map(input.grace), writes, problems };
  if (!cloudMap.known || !consul.listKnown) return carried;
  const byName = new Map(cloudMap.services.map((s) => [s.name, s]));
  const missing = new Set<string>();
  const frozen = new Set<string>();
  const handled = new Set<string>();

  for (const [name, state] of consul.services) {
    if (!isExported(name, settings)) continue;
    const target = `${settings.prefix}${name}`;
    const exportable = state.instances.filter((i) => !isOwnEntry(i.meta, owner.uid));
    const existing = byName.get(target);
    if (existing !== undefined && existing.tags === undefined) continue; // ownership not known yet
    if (existing !== undefined && !isOwnService(existing.tags, owner.uid)) {
      if (exportable.length > 0)
        problems.push(
          `Cloud Map service ${target} exists and is not this CatalogSync's; Consul ${brief(name)} not synced`,
        );
      continue;
    }
    if (!SERVICE_NAME.test(target) || target.length > 127) {
      if (exportable.length > 0)
        problems.push(`${brief(target)} is not a valid Cloud Map service name; not synced`);
      continue;
    }
    if (existing === undefined) {
      if (state.known && state.fresh && exportable.length > 0)
        writes.push({
          kind: "createService",
          consulName: name,
          input: cloudMapServiceInput(input, name, target),
        });
      continue;
    }
    handled.add(existing.id);
    if (!state.known || !state.fresh || !existing.fresh || existing.instances === undefined) {
      frozen.add(existing.id);
      continue;
    }
    if (exportable.length === 0 && existing.instances.size === 0) {
      // Nothing to export and nothing left in it: the empty service goes (it comes back with an instance).
      writes.push({ kind: "deleteService", serviceId: existing.id, name: existing.name });
      continue;
    }
    if (!sameRecords(existing.dnsRecords, desiredDnsRecords(input.ttl)))
      writes.push({
        kind: "updateDnsRecords",
        serviceId: existing.id,
        records: desiredDnsRecords(input.ttl),
      });
    const desired = desiredInstances(name, exportable, owner.uid, problems);
    for (const key of planInstances(existing, desired, owner.uid, writes, problems)) missing.add(key);
  }

  for (const service of cloudMap.services) {
    if (handled.has(service.id) || !isOwnService(service.tags, owner.uid)) continue;
    const consulName = sourceNameOf(service.name, settings.prefix);
    // Excluded by the configuration (or never a Consul name of this prefix): removed on purpose, at once.
    const deliberate = consulName === undefined || !isExported(consulName, settings);
    const unsure = !consul.listFresh || (consulName !== undefined && consul.names.has(consulName));
    if (!service.fresh || service.instances === undefined || (!deliberate && unsure)) {
      frozen.add(service.id);
      continue;
    }
    for (const [instanceId, attributes] of service.instances) {
      if (!isOwnEntry(attributes, owner.uid)) continue;
      if (deliberate)
        writes.push({ kind: "deregisterInstance", serviceId: service.id, instanceId, why: "deliberate" });
      else missing.add(`${service.id}/${instanceId}`);
    }
    if (service.instances.size === 0)
      writes.push({ kind: "deleteService", serviceId: service.id, name: service.name });
  }

  const step = advanceGrace(
    input.grace,
    missing,
    (key) => frozen.has(key.slice(0, key.indexOf("/"))),
    input.now,
    input.graceMs,
  );
  for (const key of step.due) {
    const slash = key.indexOf("/");
    writes.push({
      kind: "deregisterInstance",
      serviceId: key.slice(0, slash),
      instanceId: key.slice(slash + 1),
      why: "vanished",
    });
  }
  return {
    writes: orderWrites(writes),
    grace: step.state,
    problems,
    ...(step.nextDueAt === undefined ? {} : { nextGraceAt: step.nextDueAt }),
  };
}

const ORDER: Record<CloudMapWrite["kind"], number> = {
  createService: 0,
  updateDnsRecords: 1,
  registerInstance: 2,
  setHealth: 3,
  deregisterInstance: 4,
  deleteService: 5,
};

/** Additions before removals, so a round never leaves a name emptier than it must. Stable within a kind. */
function orderWrites(writes: CloudMapWrite[]): CloudMapWrite[] {
  return writes
    .map((w, i) => ({ w, i }))
    .sort((a, b) => ORDER[a.w.kind] - ORDER[b.w.kind] || a.i - b.i)
    .map(({ w }) => w);
}

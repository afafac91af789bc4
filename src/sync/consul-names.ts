/**
 * Consul names a FargateService is never mirrored into (DESIGN 11, NamespacePolicy, "Whatever the policy says"):
 * one that already has instances this engine did not register, such as the real `vault`. Otherwise a tenant that
 * asks for `consul.serviceName: vault` would put its tasks among Vault's servers, and every client of
 * `vault.service.consul` would send its login to them. Such a name is refused (and what the engine had put there
 * is taken back); the report says so on the service's entry, and the FargateService reads it as
 * `ConsulRegistered=False, reason=ConsulNameTaken`.
 *
 * Instances registered by another CatalogSync's engine (its ownership meta) are first come, first served instead:
 * the engine keeps a name it already mirrors into and does not enter one another engine mirrors into, so two
 * engines never take turns. Each name is read once when it first turns up and again every `resyncMs`; a name not
 * read yet (or whose read failed) gets no new registration, and what is there stays.
 */
import type { Clock } from "../clock.js";
import type { HealthServiceEntry } from "../consul/types.js";
import { classifyService } from "./candidates.js";
import type { SyncConsulClient } from "./deps.js";
import type { CloudMapSnapshot, OwnedRegistration } from "./model.js";
import { EXTERNAL_SOURCE, SyncKey } from "./names.js";
import { describeFailure } from "./pacing.js";
import type { SyncDirectionSettings } from "./types.js";

/** What the planner needs to know about the Consul names of FargateServices. */
export interface ConsulNameVerdicts {
  /** Names not to mirror into, with why. */
  refused: ReadonlyMap<string, string>;
  /** Names not read yet (or whose read failed): nothing new is registered under them. */
  unchecked: ReadonlySet<string>;
}

/** What one read of a name found besides the engine's own registrations. */
interface NameReading {
  at: number;
  /** Instances nobody's engine registered (the real service): the name is never mirrored into. */
  foreign: HealthServiceEntry[];
  /** Instances another CatalogSync's engine registered. */
  otherEngine: HealthServiceEntry[];
}

/** What the guard needs. */
export interface ConsulNameGuardOptions {
  consul: SyncConsulClient;
  clock: Clock;
  /** The engine's synthetic node and CatalogSync uid: its own registrations are on that node with that uid. */
  node: string;
  uid: string;
  resyncMs: number;
}

/** The Consul names of the FargateService services the engine would mirror (before any check). */
export function fargateConsulNames(
  cloudMap: CloudMapSnapshot,
  uid: string,
  settings: SyncDirectionSettings,
): Set<string> {
  const names = new Set<string>();
  for (const service of cloudMap.services) {
    const c = classifyService(service.name, service.tags, uid, settings);
    if (c.kind === "candidate" && c.fargateService) names.add(c.consulName);
  }
  return names;
}

function isEngineEntry(entry: HealthServiceEntry): boolean {
  const meta = entry.service.meta;
  return meta[SyncKey.Owner] !== undefined && meta[SyncKey.ExternalSource] === EXTERNAL_SOURCE;
}

function sample(entries: readonly HealthServiceEntry[]): string {
  const first = entries[0];
  const where = first === undefined ? "" : ` (e.g. ${first.service.id} on node ${first.node.name})`;
  return `${entries.length} instance(s)${where}`;
}

/** Reads and remembers who else has instances under the Consul names of FargateServices. */
export class ConsulNameGuard {
  readonly #readings = new Map<string, NameReading>();

  constructor(private readonly options: ConsulNameGuardOptions) {}

  /** Reads the Consul names of the FargateServices in `cloudMap` as needed and returns the verdicts on them. */
  async check(
    cloudMap: CloudMapSnapshot,
    settings: SyncDirectionSettings,
    registrations: ReadonlyMap<string, OwnedRegistration> | undefined,
    signal: AbortSignal,
  ): Promise<{ verdicts: ConsulNameVerdicts; error?: string }> {
    const names = fargateConsulNames(cloudMap, this.options.uid, settings);
    const error = await this.refresh(names, signal);
    return { verdicts: this.verdicts(names, registrations), ...(error === undefined ? {} : { error }) };
  }

  /** Reads every name of `names` not read within `resyncMs`; returns the first failure, if any. */
  async refresh(names: ReadonlySet<string>, signal: AbortSignal): Promise<string | undefined> {
    const { consul, clock, node, resyncMs } = this.options;
    for (const name of this.#readings.keys()) if (!names.has(name)) this.#readings.delete(name);
    let failure: string | undefined;
    for (const name of names) {
      const known = this.#readings.get(name);
      if (known !== undefined && clock.now() - known.at < resyncMs) continue;
      try {
        const { value } = await consul.healthService(name, { signal });
        // Entries on the engine's own synthetic node are its own or squatters it takes back (consul-side.ts):
        // neither makes a name someone else's.
        const others = value.filter((e) => e.node.name !== node);
        this.#readings.set(name, {
          at: clock.now(),
          foreign: others.filter((e) => !isEngineEntry(e)),
          otherEngine: others.filter(isEngineEntry),
        });
      } catch (error) {
        if (signal.aborted) throw error;
        this.#readings.delete(name);
        failure ??= `Consul service ${name} could not be read: ${describeFailure(error)}`;
      }
    }
    return failure;
  }

  /** The verdict on `names`, given the engine's own registrations (undefined: not known). */
  verdicts(
    names: ReadonlySet<string>,
    registrations: ReadonlyMap<string, OwnedRegistration> | undefined,
  ): ConsulNameVerdicts {
    const refused = new Map<string, string>();
    const unchecked = new Set<string>();
    const mine = new Set([...(registrations?.values() ?? [])].map((r) => r.name));
    for (const name of names) {
      const reading = this.#readings.get(name);
      if (reading === undefined || registrations === undefined) unchecked.add(name);
      else if (reading.foreign.length > 0)
        refused.set(
          name,
          `Consul service ${name} has ${sample(reading.foreign)} that this CatalogSync did not register`,
        );
      else if (reading.otherEngine.length > 0 && !mine.has(name))
        refused.set(
          name,
          `Consul service ${name} is mirrored by another CatalogSync (${sample(reading.otherEngine)})`,
        );
    }
    return { refused, unchecked };
  }
}

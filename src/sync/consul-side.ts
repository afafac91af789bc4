/**
 * The Consul side of Cloud Map → Consul: reads the engine's registrations on the synthetic node (service
 * fields from the node's catalog entry, check status from each service's health), re-reading them at every
 * resync or after a failure, and carries out a plan write by write, applying each success to what it knows.
 */
import type { Clock } from "../clock.js";
import { ConsulRequestError } from "../consul/errors.js";
import type { HealthStatus } from "../consul/types.js";
import type { Logger } from "../log.js";
import type { SyncConsulClient } from "./deps.js";
import type { OwnedRegistration } from "./model.js";
import { isOwnEntry, syncCheckIdOf } from "./names.js";
import { describeFailure, type WriteLimiter } from "./pacing.js";
import type { ConsulWrite, ToConsulInput } from "./plan-to-consul.js";

/** What the Consul side needs. */
export interface ConsulSideOptions {
  consul: SyncConsulClient;
  clock: Clock;
  log: Logger;
  node: string;
  uid: string;
  resyncMs: number;
  limiter: WriteLimiter;
}

/** What one apply did: writes made, entries Consul refused (the round went on), the failure that ended it. */
export interface ConsulApplied {
  written: number;
  problems: string[];
  error?: string;
}

/** The engine's registrations in Consul. */
export class ConsulSide {
  #registrations: Map<string, OwnedRegistration> | undefined;
  #foreign = new Set<string>();
  #tampered = new Set<string>();
  #foreignNodeChecks: string[] = [];
  #observedAt = Number.NEGATIVE_INFINITY;

  constructor(private readonly options: ConsulSideOptions) {}

  /** True when what is known must be read again first. */
  needsObserve(now: number): boolean {
    return this.#registrations === undefined || now - this.#observedAt >= this.options.resyncMs;
  }

  /** Our registrations by service ID; undefined until read (or after a failure). */
  registrations(): ReadonlyMap<string, OwnedRegistration> | undefined {
    return this.#registrations;
  }

  /**
   * What others put on the node, as the planner takes it: service IDs that are not ours (written over only where
   * we want that ID), our service IDs carrying checks we did not write, and node-level checks that are not ours.
   */
  othersOnNode(): Pick<ToConsulInput, "foreignIds" | "tamperedIds" | "foreignNodeChecks"> {
    return {
      foreignIds: this.#foreign,
      tamperedIds: this.#tampered,
      foreignNodeChecks: this.#foreignNodeChecks,
    };
  }

  /** Reads our registrations; on failure forgets them, so nothing is planned until a read succeeds. */
  async observe(signal: AbortSignal): Promise<void> {
    const { consul, node, uid } = this.options;
    try {
      const services = (await consul.nodeServices(node, { signal }))?.services ?? [];
      const ours = services.filter((s) => isOwnEntry(s.meta, uid));
      const checks = new Map<string, HealthStatus>();
      const tampered = new Set<string>();
      const nodeChecks = new Set<string>();
      const ourIds = new Set(ours.map((s) => s.id));
      for (const name of new Set(ours.map((s) => s.name))) {
        const { value } = await consul.healthService(name, { signal });
        for (const entry of value) {
          if (entry.node.name !== node || !ourIds.has(entry.service.id)) continue;
          const own = syncCheckIdOf(entry.service.id);
          const check = entry.checks.find((c) => c.checkId === own);
          if (check !== undefined) checks.set(entry.service.id, check.status);
          for (const c of entry.checks) {
            if (c.serviceId === "") nodeChecks.add(c.checkId);
            else if (c.checkId !== own) tampered.add(entry.service.id);
          }
        }
      }
      this.#foreign = new Set(services.filter((s) => !isOwnEntry(s.meta, uid)).map((s) => s.id));
      this.#tampered = tampered;
      this.#foreignNodeChecks = [...nodeChecks].sort();
      this.#registrations = new Map(
        ours.map((s) => {
          const status = checks.get(s.id);
          const view: OwnedRegistration = {
            serviceId: s.id,
            name: s.name,
            tags: [...s.tags],
            address: s.address,
            port: s.port,
            meta: { ...s.meta },
            ...(status === undefined ? {} : { checkStatus: status }),
          };
          return [s.id, view];
        }),
      );
      this.#observedAt = this.options.clock.now();
    } catch (error) {
      this.#registrations = undefined;
      throw error;
    }
  }

  /**
   * Applies `writes` in order. Consul refusing one registration (400: it breaks one of Consul's own limits) is
   * that entry's problem and the round goes on; any other failure ends the round and forgets what was known.
   */
  async apply(writes: readonly ConsulWrite[], signal: AbortSignal): Promise<ConsulApplied> {
    const { consul, node, limiter, log } = this.options;
    const out: ConsulApplied = { written: 0, problems: [] };
    for (const write of writes) {
      await limiter.take(signal);
      try {
        if (write.kind === "register") {
          await consul.register(write.registration, { signal });
          this.#registrations?.set(write.view.serviceId, write.view);
          this.#foreign.delete(write.view.serviceId);
          this.#tampered.delete(write.view.serviceId);
        } else {
          await consul.deregister({ node, serviceId: write.serviceId }, { signal });
          this.#registrations?.delete(write.serviceId);
          log.info(
            { consulServiceId: write.serviceId, why: write.why },
            "catalog sync: deregistered from Consul",
          );
        }
        out.written += 1;
      } catch (error) {
        if (signal.aborted) throw error;
        if (write.kind === "register" && error instanceof ConsulRequestError) {
          out.problems.push(
            `Consul refused ${write.view.serviceId}: ${describeFailure(error).slice(0, 300)}`,
          );
          continue;
        }
        this.#registrations = undefined;
        log.warn({ err: error, write: write.kind }, "catalog sync: Consul write failed");
        return { ...out, error: describeFailure(error) };
      }
    }
    return out;
  }
}

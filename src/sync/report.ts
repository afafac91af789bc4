/**
 * The engine's report: what each direction mirrored (pure), the throttle that hands reports to the caller at
 * most every `minIntervalMs` and only when something other than the times changed, and the log of problems.
 */
import type { Clock, TimerHandle } from "../clock.js";
import type { Logger } from "../log.js";
import { classifyService } from "./candidates.js";
import type { CloudMapSnapshot, ConsulSnapshot, OwnedRegistration } from "./model.js";
import { isOwnEntry, isOwnService, SyncKey } from "./names.js";
import { isExported } from "./plan-to-cloud-map.js";
import type { MirroredToCloudMap, MirroredToConsul, SyncDirectionSettings, SyncReport } from "./types.js";

/** The Consul services mirrored into Cloud Map: every exported one that has a service of ours. */
export function mirroredToCloudMap(
  uid: string,
  settings: SyncDirectionSettings,
  cloudMap: CloudMapSnapshot,
  consul: ConsulSnapshot,
): MirroredToCloudMap[] {
  const byName = new Map(cloudMap.services.map((s) => [s.name, s]));
  const out: MirroredToCloudMap[] = [];
  for (const consulName of [...consul.services.keys()].sort()) {
    if (!isExported(consulName, settings)) continue;
    const service = byName.get(`${settings.prefix}${consulName}`);
    if (service === undefined || !isOwnService(service.tags, uid)) continue;
    const ours = [...(service.instances ?? new Map()).entries()].filter(([, a]) => isOwnEntry(a, uid));
    out.push({
      consulName,
      cloudMapName: service.name,
      cloudMapServiceId: service.id,
      instances: ours.length,
      healthy: ours.filter(([id]) => service.health[id] === "HEALTHY").length,
    });
  }
  return out;
}

/**
 * The Cloud Map services mirrored into Consul: every candidate, with the registrations it has there, and why not
 * for a FargateService whose Consul name is refused (`refused`: Consul name → why).
 */
export function mirroredToConsul(
  uid: string,
  settings: SyncDirectionSettings,
  cloudMap: CloudMapSnapshot,
  registrations: ReadonlyMap<string, OwnedRegistration>,
  refused: ReadonlyMap<string, string> = new Map(),
): MirroredToConsul[] {
  const out: MirroredToConsul[] = [];
  for (const service of [...cloudMap.services].sort((a, b) => a.name.localeCompare(b.name))) {
    const c = classifyService(service.name, service.tags, uid, settings);
    if (c.kind !== "candidate") continue;
    const mine = [...registrations.values()].filter((r) => r.meta[SyncKey.CloudMapServiceId] === service.id);
    const why = c.fargateService ? refused.get(c.consulName) : undefined;
    out.push({
      cloudMapServiceId: service.id,
      cloudMapName: service.name,
      consulName: c.consulName,
      instances: mine.length,
      passing: mine.filter((r) => r.checkStatus === "passing").length,
      ...(why === undefined ? {} : { refused: why }),
    });
  }
  return out;
}

/** The parts of a report that count as a change (times are left out: rounds with writes change `writes`). */
function changeKey(report: SyncReport): string {
  const { lastSyncToCloudMap: _a, lastSyncToConsul: _b, lagMs: _c, ...rest } = report;
  return JSON.stringify(rest);
}

/** Hands reports on, at most every `minIntervalMs`, only when changed; the latest one always wins. */
export class ReportThrottle {
  #lastKey: string | undefined;
  #lastAt = Number.NEGATIVE_INFINITY;
  #pending: SyncReport | undefined;
  #timer: TimerHandle | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly minIntervalMs: number,
    private readonly emit: (report: SyncReport) => void,
  ) {}

  /** Offers the current report. */
  offer(report: SyncReport): void {
    if (changeKey(report) === this.#lastKey) {
      this.#pending = undefined;
      return;
    }
    this.#pending = report;
    const wait = this.#lastAt + this.minIntervalMs - this.clock.now();
    if (wait <= 0) this.flush();
    else this.#timer ??= this.clock.setTimer(() => this.flush(), wait);
  }

  /** Emits a pending report now (at stop, so the last word is never lost). */
  flush(): void {
    this.#timer?.cancel();
    this.#timer = undefined;
    const report = this.#pending;
    if (report === undefined) return;
    this.#pending = undefined;
    this.#lastKey = changeKey(report);
    this.#lastAt = this.clock.now();
    this.emit(report);
  }
}

/** At most this many problems are spelled out in a report's error; the rest are counted. */
export const MAX_PROBLEMS_SHOWN = 5;

/** A round's problems as one line for the report (the first few, then how many more). */
export function problemSummary(problems: readonly string[]): string | undefined {
  if (problems.length === 0) return undefined;
  const shown = problems.slice(0, MAX_PROBLEMS_SHOWN).join("; ");
  const more = problems.length - MAX_PROBLEMS_SHOWN;
  return more > 0 ? `${shown}; and ${more} more` : shown;
}

/**
 * Logs each problem (one entry and its reason) once as a warning while it lasts, instead of at every round; a
 * problem that went away and comes back is logged again.
 */
export class ProblemLog {
  readonly #seen = new Map<string, Set<string>>();

  constructor(private readonly log: Logger) {}

  /** Takes the problems of one round of `direction`. */
  note(direction: string, problems: readonly string[]): void {
    const before = this.#seen.get(direction) ?? new Set<string>();
    for (const problem of problems)
      if (!before.has(problem)) this.log.warn({ direction, problem }, "catalog sync: problem with an entry");
    this.#seen.set(direction, new Set(problems));
  }
}

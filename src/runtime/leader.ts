/**
 * Leader election over a lease item with the DynamoDB lock client's semantics. The holder rotates a record
 * version number every heartbeat. A contender takes over only after seeing the same version for a full lease
 * on its own clock (so no clock sync is needed); failover takes one lease plus at most one retry period. A
 * released lease is taken at the next retry. A holder whose renewal loses its condition steps down at once;
 * one that cannot reach the store steps down half a heartbeat before any contender could take over.
 */

import { type Clock, sleep, type TimerHandle } from "../clock.js";
import type { Logger } from "../log.js";
import { LeaseConflictError } from "../store/errors.js";
import type { LeaseBackend } from "./lease-backend.js";

/** Settings of one elector. */
export interface LeaderElectorOptions {
  backend: LeaseBackend;
  /** Lease item name (one per controller deployment). */
  name: string;
  /** This process's identity, written as the holder; must be unique among contenders. */
  identity: string;
  /** How long a version must stay unchanged before a contender takes over (ms). */
  leaseDurationMs: number;
  /** How often the holder rotates the version (ms). */
  heartbeatMs: number;
  /** How often a standby re-reads the lease (ms); defaults to the heartbeat. */
  retryPeriodMs?: number;
  clock: Clock;
  log: Logger;
  /** Called when this process becomes the leader. */
  onStartedLeading: () => void;
  /** Called when it stops being the leader (lost, stepped down, or stopping). */
  onStoppedLeading: () => void;
}

/** Runs the election loop for one process. */
export class LeaderElector {
  private leading = false;
  private version: string | undefined;
  private lastRenewStartedAt = 0;
  private observed: { version: string; at: number } | undefined;
  private deadline: TimerHandle | undefined;
  private readonly stopper = new AbortController();
  private loop: Promise<void> | undefined;

  constructor(private readonly options: LeaderElectorOptions) {
    if (options.heartbeatMs <= 0 || options.leaseDurationMs <= options.heartbeatMs) {
      throw new RangeError("lease duration must be longer than the heartbeat, and both positive");
    }
  }

  /** True while this process holds the lease. */
  get isLeader(): boolean {
    return this.leading;
  }

  /** Starts contending (and renewing once leading). */
  start(): void {
    this.loop ??= this.run();
  }

  /**
   * Stops the loop. With `release`, a holder gives the lease up so a standby takes over at its next retry;
   * stop the workers first, so no pass runs after the release. Without it the lease simply expires.
   */
  async stop(options: { release: boolean }): Promise<void> {
    this.stopper.abort();
    await this.loop;
    if (!this.leading) return;
    const version = this.version;
    this.stepDown("stopping", "info");
    if (!options.release || version === undefined) return;
    try {
      await this.options.backend.releaseLease(this.options.name, this.options.identity, version);
      this.options.log.info({ lease: this.options.name }, "lease released");
    } catch (error) {
      this.options.log.warn(
        { err: error, lease: this.options.name },
        "could not release the lease; it will expire",
      );
    }
  }

  private async run(): Promise<void> {
    const signal = this.stopper.signal;
    while (!signal.aborted) {
      try {
        if (this.leading) await this.renew();
        else await this.tryAcquire();
      } catch (error) {
        this.options.log.warn({ err: error, lease: this.options.name }, "lease round failed");
      }
      const wait = this.leading
        ? this.options.heartbeatMs
        : (this.options.retryPeriodMs ?? this.options.heartbeatMs);
      await sleep(this.options.clock, wait, signal).catch(() => undefined);
    }
  }

  private async tryAcquire(): Promise<void> {
    const { backend, name, clock } = this.options;
    const current = await backend.readLease(name);
    const now = clock.now();
    if (current === undefined) {
      await this.take(null);
      return;
    }
    if (this.observed?.version !== current.recordVersionNumber) {
      // First sight of this version: its lease starts now, on our own clock.
      this.observed = { version: current.recordVersionNumber, at: now };
      return;
    }
    if (now - this.observed.at >= current.leaseDurationMs) {
      this.options.log.info(
        { lease: name, previousHolder: current.holder, unchangedForMs: now - this.observed.at },
        "lease expired: taking over",
      );
      await this.take(current.recordVersionNumber);
    }
  }

  private async take(expected: string | null): Promise<void> {
    const { backend, name, identity, leaseDurationMs, clock } = this.options;
    const started = clock.now();
    try {
      const lease = await backend.acquireLease(name, identity, leaseDurationMs, expected);
      this.version = lease.recordVersionNumber;
    } catch (error) {
      if (error instanceof LeaseConflictError) {
        this.observed = undefined; // someone else moved first; watch the new version from scratch
        return;
      }
      throw error;
    }
    this.leading = true;
    this.renewed(started);
    this.options.log.info({ lease: name, identity }, "became leader");
    this.options.onStartedLeading();
  }

  private async renew(): Promise<void> {
    const { backend, name, identity, clock } = this.options;
    const started = clock.now();
    let next: string;
    try {
      next = await backend.renewLease(name, identity, this.version ?? "");
    } catch (error) {
      if (!(error instanceof LeaseConflictError)) {
        // Outcome unknown (it may have been written); the deadline timer steps down if this keeps failing.
        this.options.log.warn({ err: error, lease: name }, "lease renewal failed; retrying");
        return;
      }
      const adopted = await this.adoptOwnWrite();
      if (adopted === undefined) {
        this.stepDown("renewal lost its condition: another process holds the lease");
        return;
      }
      next = await backend.renewLease(name, identity, adopted);
    }
    if (!this.leading) return; // the deadline passed while the request was in flight
    this.version = next;
    this.renewed(started);
  }

  /** After a lost condition: an earlier renewal whose reply we missed may have landed; only we write our identity. */
  private async adoptOwnWrite(): Promise<string | undefined> {
    const current = await this.options.backend.readLease(this.options.name);
    return current?.holder === this.options.identity ? current.recordVersionNumber : undefined;
  }

  /**
   * Arms the step-down deadline: half a heartbeat before any contender could take over after this renewal
   * (contenders count a full lease from when they saw this version, which is after the renewal started).
   * One failed heartbeat is survived; two in a row step down.
   */
  private renewed(startedAt: number): void {
    this.lastRenewStartedAt = startedAt;
    this.deadline?.cancel();
    const safeFor = this.options.leaseDurationMs - this.options.heartbeatMs / 2;
    const remaining = startedAt + safeFor - this.options.clock.now();
    this.deadline = this.options.clock.setTimer(() => {
      if (this.leading && this.lastRenewStartedAt === startedAt)
        this.stepDown("could not renew the lease in time");
    }, remaining);
  }

  private stepDown(why: string, level: "info" | "warn" = "warn"): void {
    if (!this.leading) return;
    this.leading = false;
    this.observed = undefined;
    this.deadline?.cancel();
    this.options.log[level]({ lease: this.options.name, reason: why }, "stopped leading");
    this.options.onStoppedLeading();
  }
}

import { afterEach, describe, expect, it } from "vitest";
import { ManualClock } from "../../../src/clock.js";
import { silentLogger } from "../../../src/log.js";
import { LeaderElector } from "../../../src/runtime/leader.js";
import { FakeLeases } from "../../support/fake-store.js";

const LEASE = 15_000;
const HEARTBEAT = 5_000;
const NAME = "test-lease";

interface Contender {
  elector: LeaderElector;
  events: Array<{ event: "started" | "stopped"; at: number }>;
}

const running: LeaderElector[] = [];

function contender(identity: string, leases: FakeLeases, clock: ManualClock): Contender {
  const events: Contender["events"] = [];
  const elector = new LeaderElector({
    backend: leases,
    name: NAME,
    identity,
    leaseDurationMs: LEASE,
    heartbeatMs: HEARTBEAT,
    clock,
    log: silentLogger(),
    onStartedLeading: () => events.push({ event: "started", at: clock.now() }),
    onStoppedLeading: () => events.push({ event: "stopped", at: clock.now() }),
  });
  running.push(elector);
  return { elector, events };
}

afterEach(async () => {
  for (const e of running.splice(0)) await e.stop({ release: false });
});

describe("LeaderElector", () => {
  it("elects exactly one leader among contenders and keeps it while it renews", async () => {
    const clock = new ManualClock();
    const leases = new FakeLeases();
    const all = ["a", "b", "c"].map((id) => contender(id, leases, clock));
    for (const c of all) c.elector.start();
    for (let i = 0; i < 20; i++) {
      await clock.advance(HEARTBEAT / 2);
      expect(all.filter((c) => c.elector.isLeader)).toHaveLength(1);
    }
    expect(all[0]?.elector.isLeader).toBe(true);
    expect(all.flatMap((c) => c.events).filter((e) => e.event === "started")).toHaveLength(1);
  });

  it("takes over from a holder that stopped without releasing after one lease plus at most one retry period", async () => {
    const clock = new ManualClock();
    const leases = new FakeLeases();
    const a = contender("a", leases, clock);
    const b = contender("b", leases, clock);
    a.elector.start();
    await clock.advance(1);
    b.elector.start();
    await clock.advance(3 * HEARTBEAT + 1234);
    expect(a.elector.isLeader).toBe(true);
    const crashedAt = clock.now();
    await a.elector.stop({ release: false }); // a crash: the lease stays, its version stops changing
    while (!b.elector.isLeader) await clock.advance(100);
    const failover = (b.events[0]?.at ?? Number.NaN) - crashedAt;
    console.log(
      `failover after an unreleased stop (fake clock): ${failover} ms (lease ${LEASE} ms + retry ${HEARTBEAT} ms)`,
    );
    expect(failover).toBeGreaterThanOrEqual(LEASE - HEARTBEAT);
    expect(failover).toBeLessThanOrEqual(LEASE + HEARTBEAT);
  });

  it("never takes over while the holder keeps renewing, however long", async () => {
    const clock = new ManualClock();
    const leases = new FakeLeases();
    const a = contender("a", leases, clock);
    const b = contender("b", leases, clock);
    a.elector.start();
    await clock.advance(1);
    b.elector.start();
    await clock.advance(10 * LEASE);
    expect(a.elector.isLeader).toBe(true);
    expect(b.events).toEqual([]);
  });

  it("hands over at the standby's next retry after a graceful release", async () => {
    const clock = new ManualClock();
    const leases = new FakeLeases();
    const a = contender("a", leases, clock);
    const b = contender("b", leases, clock);
    a.elector.start();
    await clock.advance(1);
    b.elector.start();
    await clock.advance(2 * HEARTBEAT + 700);
    const releasedAt = clock.now();
    await a.elector.stop({ release: true });
    expect(leases.peek(NAME)).toBeUndefined();
    expect(a.events.map((e) => e.event)).toEqual(["started", "stopped"]);
    while (!b.elector.isLeader) await clock.advance(100);
    expect((b.events[0]?.at ?? Number.NaN) - releasedAt).toBeLessThanOrEqual(HEARTBEAT);
  });

  it("steps down at once when a renewal loses its condition", async () => {
    const clock = new ManualClock();
    const leases = new FakeLeases();
    const a = contender("a", leases, clock);
    a.elector.start();
    await clock.advance(1);
    const version = leases.peek(NAME)?.recordVersionNumber ?? "";
    await leases.acquireLease(NAME, "intruder", LEASE, version);
    await clock.advance(HEARTBEAT);
    expect(a.elector.isLeader).toBe(false);
    expect(a.events.map((e) => e.event)).toEqual(["started", "stopped"]);
    expect(leases.peek(NAME)?.holder).toBe("intruder");
  });

  it("steps down before a contender could take over when the store is unreachable", async () => {
    const clock = new ManualClock();
    const leases = new FakeLeases();
    const a = contender("a", leases, clock);
    const b = contender("b", leases, clock);
    a.elector.start();
    await clock.advance(1);
    b.elector.start();
    await clock.advance(HEARTBEAT);
    leases.outage = new Error("connect ECONNREFUSED");
    const outageAt = clock.now();
    await clock.advance(LEASE);
    const stopped = a.events.find((e) => e.event === "stopped");
    expect(stopped).toBeDefined();
    expect((stopped?.at ?? 0) - outageAt).toBeLessThanOrEqual(LEASE - HEARTBEAT / 2);
    expect(b.elector.isLeader).toBe(false);
    leases.outage = undefined;
    while (!a.elector.isLeader && !b.elector.isLeader) await clock.advance(100);
    expect([a.elector.isLeader, b.elector.isLeader].filter(Boolean)).toHaveLength(1);
  });

  it("keeps the lease when a renewal landed but its reply was lost", async () => {
    const clock = new ManualClock();
    const leases = new FakeLeases();
    const lossy = Object.create(leases) as FakeLeases;
    let loseNextReply = false;
    lossy.renewLease = async (name, holder, current) => {
      const next = await leases.renewLease(name, holder, current);
      if (loseNextReply) {
        loseNextReply = false;
        throw new Error("socket hang up");
      }
      return next;
    };
    const events: string[] = [];
    const elector = new LeaderElector({
      backend: lossy,
      name: NAME,
      identity: "a",
      leaseDurationMs: LEASE,
      heartbeatMs: HEARTBEAT,
      clock,
      log: silentLogger(),
      onStartedLeading: () => events.push("started"),
      onStoppedLeading: () => events.push("stopped"),
    });
    running.push(elector);
    elector.start();
    await clock.advance(1);
    loseNextReply = true;
    await clock.advance(4 * HEARTBEAT);
    expect(elector.isLeader).toBe(true);
    expect(events).toEqual(["started"]);
  });

  it("rejects a lease not longer than its heartbeat", () => {
    expect(() => contender("x", new FakeLeases(), new ManualClock()).elector).not.toThrow();
    expect(
      () =>
        new LeaderElector({
          backend: new FakeLeases(),
          name: NAME,
          identity: "x",
          leaseDurationMs: 1000,
          heartbeatMs: 1000,
          clock: new ManualClock(),
          log: silentLogger(),
          onStartedLeading: () => undefined,
          onStoppedLeading: () => undefined,
        }),
    ).toThrow(RangeError);
  });
});

import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { ManualClock } from "../../../src/clock.js";
import { TagKey } from "../../../src/render/names.js";
import {
  mirroredToCloudMap,
  mirroredToConsul,
  ProblemLog,
  problemSummary,
  ReportThrottle,
} from "../../../src/sync/report.js";
import type { SyncReport } from "../../../src/sync/types.js";
import {
  ALL,
  cloudMapSnapshot,
  consulInstance,
  consulSnapshot,
  ours,
  registration,
  service,
  UID,
} from "./fixtures.js";

const base: SyncReport = {
  writer: true,
  toCloudMap: [],
  toConsul: [],
  errors: {},
  writes: { toCloudMap: 0, toConsul: 0 },
};

describe("ReportThrottle", () => {
  it("emits at most every interval, only on change, the latest report winning; times alone are no change", () => {
    const clock = new ManualClock(0);
    const seen: SyncReport[] = [];
    const throttle = new ReportThrottle(clock, 2_000, (r) => seen.push(r));
    throttle.offer(base);
    expect(seen).toHaveLength(1);
    throttle.offer({ ...base, lastSyncToConsul: "2025-01-01T00:00:01.000Z", lagMs: { toConsul: 5 } });
    clock.advanceSync(5_000);
    expect(seen).toHaveLength(1);

    throttle.offer({ ...base, writes: { toCloudMap: 1, toConsul: 0 } });
    expect(seen).toHaveLength(2);
    throttle.offer({ ...base, writes: { toCloudMap: 2, toConsul: 0 } });
    throttle.offer({ ...base, writes: { toCloudMap: 3, toConsul: 0 } });
    expect(seen).toHaveLength(2);
    clock.advanceSync(1_999);
    expect(seen).toHaveLength(2);
    clock.advanceSync(1);
    expect(seen.map((r) => r.writes.toCloudMap)).toEqual([0, 1, 3]);
  });

  it("drops a pending report that went back to what was emitted, and flush emits what is pending", () => {
    const clock = new ManualClock(0);
    const seen: SyncReport[] = [];
    const throttle = new ReportThrottle(clock, 2_000, (r) => seen.push(r));
    throttle.offer(base);
    throttle.offer({ ...base, writer: false });
    throttle.offer(base);
    clock.advanceSync(3_000);
    expect(seen).toHaveLength(1);
    throttle.offer({ ...base, errors: { toConsul: "down" } });
    throttle.offer({ ...base, errors: { toConsul: "still down" } });
    throttle.flush();
    expect(seen.at(-1)?.errors).toEqual({ toConsul: "still down" });
  });
});

describe("mirrored lists", () => {
  it("to Cloud Map: exported Consul services with our service, counting our instances and healthy ones", () => {
    const cm = cloudMapSnapshot([
      ours(
        "srv-1",
        "c-vault",
        { a: { "fargate-operator-sync": UID }, b: { "fargate-operator-sync": UID }, x: {} },
        { a: "HEALTHY", b: "UNHEALTHY", x: "HEALTHY" },
      ),
    ]);
    const consul = consulSnapshot({ vault: [consulInstance("n", "v", "10.0.0.1")], db: [] });
    expect(mirroredToCloudMap(UID, { ...ALL, prefix: "c-" }, cm, consul)).toEqual([
      { consulName: "vault", cloudMapName: "c-vault", cloudMapServiceId: "srv-1", instances: 2, healthy: 1 },
    ]);
  });

  it("to Consul: every candidate with its registrations and passing ones", () => {
    const web = service("srv-web", "web", { [TagKey.Uid]: "u", [TagKey.ConsulRegister]: "true" });
    const idle = service("srv-idle", "idle", {});
    const regs = new Map([
      ["web:1", registration("web:1", "web", "srv-web")],
      ["web:2", registration("web:2", "web", "srv-web", { checkStatus: "critical" })],
    ]);
    expect(mirroredToConsul(UID, ALL, cloudMapSnapshot([web, idle]), regs)).toEqual([
      { cloudMapServiceId: "srv-idle", cloudMapName: "idle", consulName: "idle", instances: 0, passing: 0 },
      { cloudMapServiceId: "srv-web", cloudMapName: "web", consulName: "web", instances: 2, passing: 1 },
    ]);
  });
});

describe("problems", () => {
  it("are logged once per entry and reason while they last, and again when they come back", () => {
    const lines: Array<{ level: number; problem: string; direction: string }> = [];
    const log = pino({ level: "warn" }, { write: (line: string) => void lines.push(JSON.parse(line)) });
    const problems = new ProblemLog(log);
    problems.note("toCloudMap", ["a: too long", "b: not ASCII"]);
    problems.note("toCloudMap", ["a: too long", "b: not ASCII"]);
    problems.note("toConsul", ["a: too long"]);
    problems.note("toCloudMap", ["b: not ASCII"]);
    problems.note("toCloudMap", ["a: too long", "b: not ASCII"]);
    expect(lines.map((l) => `${l.direction} ${l.problem}`)).toEqual([
      "toCloudMap a: too long",
      "toCloudMap b: not ASCII",
      "toConsul a: too long",
      "toCloudMap a: too long",
    ]);
    expect(lines.every((l) => l.level === 40)).toBe(true);
  });

  it("are summarised in the report: the first five, then how many more", () => {
    expect(problemSummary([])).toBeUndefined();
    expect(problemSummary(["a", "b"])).toBe("a; b");
    const many = Array.from({ length: 12 }, (_, i) => `p${i}`);
    expect(problemSummary(many)).toBe("p0; p1; p2; p3; p4; and 7 more");
  });
});

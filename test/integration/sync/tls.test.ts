/**
 * The engine over TLS (DESIGN 11 "Consul over TLS") on the simulators and one ManualClock: a 60 s Consul outage
 * behind an https front removes nothing on either side; a token rotated in Secrets Manager while the engine runs
 * is re-read after Consul's 403 and the engine carries on (no failed round, so no loop lost its blocking index),
 * and neither token ever reaches a log line.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { RereadableToken } from "../../../src/consul/token.js";
import { OutageMode } from "../../../src/dev/consul-sim/index.js";
import { makeTestCertificates, type TestCertificates } from "../../../src/dev/tls-certs.js";
import { createLogger } from "../../../src/log.js";
import { syncNodeName } from "../../../src/sync/index.js";
import type { SyncReport } from "../../../src/sync/types.js";
import { consulServicesOn, discover, passTime, type SyncBed, startSyncBed, within } from "./support.js";

let certs: TestCertificates;
let bed: SyncBed | undefined;
beforeAll(async () => {
  certs = await makeTestCertificates();
});
afterAll(async () => {
  await certs.remove();
});
afterEach(async () => {
  await bed?.close();
  bed = undefined;
});

function tls() {
  return {
    server: { ...certs.server, ca: certs.ca.cert, requireClientCert: true },
    client: { ca: certs.ca.cert, serverName: certs.serverName, ...certs.client },
  };
}

/** A hand-made Cloud Map service with one instance. */
async function handMade(b: SyncBed, name: string, ip = "10.8.0.1") {
  const svc = await b.aws.cloudMap.createService({
    Name: name,
    NamespaceId: b.namespace.id,
    DnsConfig: { RoutingPolicy: "MULTIVALUE", DnsRecords: [{ Type: "A", TTL: 60 }] },
    HealthCheckCustomConfig: {},
    Tags: [],
  });
  await b.aws.cloudMap.registerInstance(svc.id, "i-1", { AWS_INSTANCE_IPV4: ip });
  return svc;
}

describe("catalog sync over TLS", () => {
  it("removes nothing anywhere while an mTLS Consul is down for 60 s, then resumes", async () => {
    const b = await startSyncBed("prod.internal", { tls: tls() });
    bed = b;
    const node = syncNodeName(b.namespace.dnsName);
    b.consulSim.control.registerService({ name: "vault", node: "n1", address: "10.0.1.5", port: 8200 });
    await handMade(b, "legacy");
    const engine = await b.engine({ deleteGraceMs: 30_000 });
    await within(b.clock, 3_000, async () => (await discover(b, "vault")).length === 1);
    await within(b.clock, 3_000, () => consulServicesOn(b, node).length === 1);

    await b.consulSim.control.setOutage(OutageMode.Refuse);
    await passTime(b.clock, 60_000, 1_000);
    expect(await discover(b, "vault")).toHaveLength(1);
    expect(consulServicesOn(b, node)).toHaveLength(1);
    expect(engine.report().errors.toCloudMap).toMatch(/unreachable|ECONNREFUSED/i);

    await b.consulSim.control.setOutage(OutageMode.None);
    b.consulSim.control.registerService({ name: "db", node: "n2", address: "10.0.2.5", port: 5432 });
    await within(b.clock, 35_000, async () => (await discover(b, "db")).length === 1, { stepMs: 500 });
    expect(await discover(b, "vault")).toHaveLength(1);
    expect(consulServicesOn(b, node)).toHaveLength(1);
    await within(b.clock, 5_000, () => engine.report().errors.toCloudMap === undefined);
  });

  it("re-reads a rotated token after a 403 and keeps syncing, never logging either token", async () => {
    const lines: string[] = [];
    const log = createLogger({ level: "debug", destination: { write: (line: string) => lines.push(line) } });
    let secret = "old-token-7f3a9c";
    let reads = 0;
    const b = await startSyncBed("prod.internal", {
      tls: tls(),
      aclToken: secret,
      token: new RereadableToken({
        initial: secret,
        read: async () => {
          reads += 1;
          return secret;
        },
        clock: { now: () => b.clock.now(), setTimer: (f, ms) => b.clock.setTimer(f, ms) },
        log,
      }),
    });
    bed = b;
    const reports: SyncReport[] = [];
    b.consulSim.control.registerService({ name: "vault", node: "n1", address: "10.0.1.5", port: 8200 });
    await b.engine({}, { log, onReport: (report) => reports.push(report), minWriteIntervalMs: 0 });
    await within(b.clock, 3_000, async () => (await discover(b, "vault")).length === 1);

    secret = "new-token-1b2d8e";
    b.consulSim.control.setAclToken(secret);
    b.consulSim.control.registerService({ name: "db", node: "n2", address: "10.0.2.5", port: 5432 });
    await within(b.clock, 10_000, async () => (await discover(b, "db")).length === 1);
    // Every blocking query comes back once (the wait ends) and is refused once: all on the new token now.
    await passTime(b.clock, 70_000, 1_000);
    b.consulSim.control.registerService({ name: "cache", node: "n3", address: "10.0.3.5", port: 6379 });
    await within(b.clock, 10_000, async () => (await discover(b, "cache")).length === 1);

    expect(await discover(b, "vault")).toHaveLength(1);
    expect(reads).toBe(1);
    expect(reports.filter((r) => Object.keys(r.errors).length > 0)).toEqual([]);
    const logged = lines.join("\n");
    expect(logged).toContain("re-read");
    expect(logged).not.toContain("old-token-7f3a9c");
    expect(logged).not.toContain("new-token-1b2d8e");
  });
});

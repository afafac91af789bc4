/**
 * What only the simulator offers or decides: deterministic wait timeouts on an injected clock, outages,
 * shutdown with queries hanging, ACL read filtering, and its in-process controls. Over real HTTP on 127.0.0.1.
 */

import { afterEach, describe, expect, it, vi } from "vitest";
import { ConsulClient } from "../../../src/consul/client.js";
import { ConsulUnavailableError } from "../../../src/consul/errors.js";
import {
  type ConsulSimulator,
  type ConsulSimulatorOptions,
  ManualClock,
  OutageMode,
  startConsulSimulator,
} from "../../../src/dev/consul-sim/index.js";

const running: ConsulSimulator[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((simulator) => simulator.stop()));
});

async function start(
  options: ConsulSimulatorOptions = {},
): Promise<{ sim: ConsulSimulator; client: ConsulClient }> {
  const sim = await startConsulSimulator(options);
  running.push(sim);
  const client = new ConsulClient({
    address: sim.address,
    ...(options.aclToken ? { token: options.aclToken } : {}),
  });
  return { sim, client };
}

const failureOf = (promise: Promise<unknown>): Promise<unknown> =>
  promise.then(
    () => new Error("expected a failure"),
    (error: unknown) => error,
  );

describe("Consul simulator: wait timeouts on an injected clock", () => {
  it("holds a query for the wait plus Consul's jitter, then answers with the same index", async () => {
    const clock = new ManualClock(0);
    // random 0.5 → jitter of half of wait/16: 16 s wait → 500 ms jitter.
    const { sim, client } = await start({ clock, random: () => 0.5 });
    const first = await client.listServices();
    const pending = client.listServices({ index: first.index, waitMs: 16_000 });
    await sim.control.whenBlocked(1);
    clock.advanceSync(16_499);
    expect(sim.control.blockedQueries()).toBe(1);
    clock.advanceSync(1);
    const answer = await pending;
    expect(answer.index).toBe(first.index);
    expect(answer.value).toEqual(first.value);
    expect(sim.control.blockedQueries()).toBe(0);
  });

  it("waits 5 minutes when no wait is given, and at most 10 minutes", async () => {
    const clock = new ManualClock(0);
    const { sim, client } = await start({ clock, random: () => 0 });
    const { index } = await client.listServices();

    const byDefault = client.listServices({ index });
    await sim.control.whenBlocked(1);
    clock.advanceSync(5 * 60_000 - 1);
    expect(sim.control.blockedQueries()).toBe(1);
    clock.advanceSync(1);
    await byDefault;

    const capped = client.listServices({ index, waitMs: 60 * 60_000 });
    await sim.control.whenBlocked(1);
    clock.advanceSync(10 * 60_000 - 1);
    expect(sim.control.blockedQueries()).toBe(1);
    clock.advanceSync(1);
    expect((await capped).index).toBe(index);
  });

  it("wakes a service query for its own service only", async () => {
    const clock = new ManualClock(0);
    const { sim, client } = await start({ clock });
    sim.control.registerService({ name: "web", node: "n1" });
    const web = await client.healthService("web");
    const pending = client.healthService("web", { index: web.index, waitMs: 60_000 });
    await sim.control.whenBlocked(1);

    sim.control.registerService({ name: "db", node: "n2" });
    expect(sim.control.blockedQueries()).toBe(1);
    sim.control.setCheckStatus("n1", "service:web", "critical", "down");
    const answer = await pending;
    expect(answer.index).toBeGreaterThan(web.index);
    expect(answer.value.map((entry) => entry.status)).toEqual(["critical"]);
  });
});

describe("Consul simulator: writes and indexes", () => {
  it("keeps the service index on an identical re-registration while the raft index rises", async () => {
    const { sim, client } = await start();
    sim.control.registerService({ name: "web", port: 80 });
    const before = await client.healthService("web");
    const raftBefore = sim.control.index();
    sim.control.registerService({ name: "web", port: 80 });
    expect(sim.control.index()).toBe(raftBefore + 1);
    expect((await client.healthService("web")).index).toBe(before.index);
  });

  it("holds the server's own node, serfHealth check and consul service, as a real server does", async () => {
    const { client } = await start({ nodeName: "server-1" });
    const self = await client.nodeServices("server-1");
    expect(self?.services.map((service) => service.name)).toEqual(["consul"]);
    const consul = await client.healthService("consul", { passingOnly: true });
    expect(consul.value[0]?.checks.map((check) => check.checkId)).toEqual(["serfHealth"]);
  });

  it("counts requests per endpoint", async () => {
    const { sim, client } = await start();
    await client.listServices();
    await client.listServices();
    await client.healthService("web");
    expect(sim.control.requestCounts()).toMatchObject({
      "GET /v1/catalog/services": 2,
      "GET /v1/health/service/web": 1,
    });
  });
});

describe("Consul simulator: outages and shutdown", () => {
  it("answers 500 No cluster leader during a leader-lost outage, ending hanging queries, then recovers", async () => {
    const { sim, client } = await start();
    const { index } = await client.listServices();
    const hanging = failureOf(client.listServices({ index, waitMs: 60_000 }));
    await sim.control.whenBlocked(1);
    await sim.control.setOutage(OutageMode.LeaderLost);

    const ended = await hanging;
    expect(ended).toBeInstanceOf(ConsulUnavailableError);
    expect((ended as ConsulUnavailableError).status).toBe(500);
    const refused = await failureOf(client.listServices());
    expect(refused).toBeInstanceOf(ConsulUnavailableError);
    expect((refused as Error).message).toContain("No cluster leader");

    await sim.control.setOutage(OutageMode.None);
    expect((await client.listServices()).index).toBe(index);
  });

  it("refuses connections during a refuse outage, dropping hanging queries, and keeps the catalog", async () => {
    const { sim, client } = await start();
    sim.control.registerService({ name: "web" });
    const { index } = await client.listServices();
    const hanging = failureOf(client.listServices({ index, waitMs: 60_000 }));
    await sim.control.whenBlocked(1);
    await sim.control.setOutage(OutageMode.Refuse);

    expect(await hanging).toBeInstanceOf(ConsulUnavailableError);
    const refused = await failureOf(client.listServices());
    expect(refused).toBeInstanceOf(ConsulUnavailableError);
    expect((refused as Error).message).toContain("ECONNREFUSED");

    await sim.control.setOutage(OutageMode.None);
    expect(Object.keys((await client.listServices()).value)).toContain("web");
  });

  it("stop() ends hanging queries and closes kept-alive connections", async () => {
    const sim = await startConsulSimulator();
    const client = new ConsulClient({ address: sim.address });
    const { index } = await client.listServices(); // leaves a kept-alive connection open
    const hanging = failureOf(client.listServices({ index, waitMs: 60_000 }));
    await sim.control.whenBlocked(1);
    await sim.stop();
    expect(await hanging).toBeInstanceOf(ConsulUnavailableError);
    expect(await failureOf(client.listServices())).toBeInstanceOf(ConsulUnavailableError);
  });

  it("lets a caller abort a hanging query: the caller gets its own reason and the server lets go", async () => {
    const { sim, client } = await start();
    const { index } = await client.listServices();
    const controller = new AbortController();
    const reason = new Error("shutting down");
    const hanging = failureOf(client.listServices({ index, waitMs: 60_000, signal: controller.signal }));
    await sim.control.whenBlocked(1);
    controller.abort(reason);
    expect(await hanging).toBe(reason);
    await vi.waitFor(() => expect(sim.control.blockedQueries()).toBe(0));
  });
});

describe("Consul simulator: ACL model (default policy deny)", () => {
  it("filters reads for the anonymous token to nothing and refuses it agent:read", async () => {
    const { sim } = await start({ aclToken: "management-secret" });
    sim.control.registerService({ name: "web" });
    const anonymous = new ConsulClient({ address: sim.address });
    expect((await anonymous.listServices()).value).toEqual({});
    expect((await anonymous.healthService("web")).value).toEqual([]);
    expect(await anonymous.nodeServices("sim-node-1")).toBeUndefined();
    const self = await fetch(`${sim.url}/v1/agent/self`);
    expect(self.status).toBe(403);
    expect(await self.text()).toContain("anonymous token lacks permission 'agent:read'");
  });

  it("needs no token for the leader, and ignores tokens when ACLs are off", async () => {
    const { sim } = await start({ aclToken: "management-secret" });
    expect(await new ConsulClient({ address: sim.address }).leader()).toMatch(/:8300$/);
    const open = await start();
    const withToken = new ConsulClient({ address: open.sim.address, token: "anything" });
    expect((await withToken.listServices()).value).toHaveProperty("consul");
  });
});

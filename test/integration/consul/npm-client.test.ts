/** The Consul simulator works with the npm `consul` client (2.x) used directly, as tools outside this project use it. */
import Consul from "consul";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ConsulSimulator, startConsulSimulator } from "../../../src/dev/consul-sim/index.js";

interface HealthEntry {
  Service: { Service: string; Port: number };
  Checks: Array<{ Status: string }>;
}

describe("npm consul client against the simulator", () => {
  let sim: ConsulSimulator;
  let consul: Consul;

  beforeAll(async () => {
    sim = await startConsulSimulator({ port: 0, aclToken: "sim-test-token" });
    const url = new URL(sim.url);
    consul = new Consul({
      host: url.hostname,
      port: Number(url.port),
      defaults: { token: "sim-test-token" },
    });
  });
  afterAll(async () => {
    consul.destroy();
    await sim.stop();
  });

  it("registers a service with a check and reads it back through catalog and health", async () => {
    await consul.catalog.register({
      node: "ec2-db-1",
      address: "10.1.2.3",
      service: { service: "postgres", id: "postgres-1", port: 5432, tags: ["primary"] },
      check: { checkid: "pg-alive", name: "pg alive", status: "passing", serviceid: "postgres-1" },
    });
    const services = (await consul.catalog.service.list()) as Record<string, string[]>;
    expect(services.postgres).toEqual(["primary"]);
    const nodes = (await consul.catalog.service.nodes("postgres")) as Array<{
      Address: string;
      ServicePort: number;
    }>;
    expect(nodes.map((n) => [n.Address, n.ServicePort])).toEqual([["10.1.2.3", 5432]]);
    const health = (await consul.health.service({ service: "postgres", passing: true })) as HealthEntry[];
    expect(health).toHaveLength(1);
    expect(health[0]?.Checks.some((c) => c.Status === "passing")).toBe(true);
    expect(await consul.status.leader()).toMatch(/:\d+$/);
  });

  it("hides a critical instance from passing-only health reads and deregisters it", async () => {
    const { node, checkId } = sim.control.registerService({ name: "cache", port: 6379, address: "10.1.2.4" });
    sim.control.setCheckStatus(node, checkId, "critical");
    expect((await consul.health.service({ service: "cache", passing: true })) as HealthEntry[]).toHaveLength(
      0,
    );
    expect((await consul.health.service({ service: "cache" })) as HealthEntry[]).toHaveLength(1);
    await consul.catalog.deregister({ node, serviceid: "cache" });
    expect((await consul.catalog.service.list()) as Record<string, string[]>).not.toHaveProperty("cache");
  });

  it("refuses a client without the ACL token", async () => {
    const url = new URL(sim.url);
    const anonymous = new Consul({ host: url.hostname, port: Number(url.port) });
    try {
      await expect(anonymous.catalog.register({ node: "x", address: "10.0.0.9" })).rejects.toMatchObject({
        statusCode: 403,
      });
    } finally {
      anonymous.destroy();
    }
  });
});

/**
 * The Consul contract: the same calls through the project's ConsulClient against every target (the simulator,
 * with and without ACLs, and a real Consul when CONSUL_HTTP_ADDR is set). Nothing here relies on simulator-only
 * behaviour: names are unique, every node created is removed, and nothing is assumed about other services.
 */

import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { nextBlockingIndex } from "../../../src/consul/blocking-index.js";
import { ConsulClient } from "../../../src/consul/client.js";
import { ConsulAuthError, ConsulUnavailableError } from "../../../src/consul/errors.js";
import type { HealthStatus } from "../../../src/consul/types.js";
import { type ConsulEndpoint, consulTargets } from "../../support/consul-target.js";

const { targets, summary } = consulTargets();
console.info(summary);

// A guard so a query that never wakes fails the test instead of hanging for Consul's 5-minute wait.
const WAKE_GUARD_MS = 20_000;
const LONG_WAIT_MS = 5 * 60_000;

for (const target of targets) {
  describe(`Consul contract: ${target.name}`, () => {
    let endpoint: ConsulEndpoint;
    let client: ConsulClient;
    const nodes = new Set<string>();
    const unique = (label: string): string => `fo-contract-${label}-${randomUUID().slice(0, 8)}`;

    const registerInstance = async (options: {
      service: string;
      node?: string;
      status?: HealthStatus;
      tags?: string[];
      port?: number;
    }): Promise<{ node: string; serviceId: string; checkId: string }> => {
      const node = options.node ?? unique("node");
      nodes.add(node);
      const serviceId = `${options.service}-${node}`;
      const checkId = `service:${serviceId}`;
      await client.register({
        node,
        address: "10.20.30.40",
        nodeMeta: { "fo-contract": "true" },
        service: {
          id: serviceId,
          name: options.service,
          tags: options.tags ?? ["v1"],
          address: "10.20.30.41",
          port: options.port ?? 8080,
          meta: { owner: "fo-contract" },
        },
        checks: [{ checkId, name: "contract check", status: options.status ?? "passing", serviceId }],
      });
      return { node, serviceId, checkId };
    };

    beforeAll(async () => {
      endpoint = await target.start();
      client = new ConsulClient({
        address: endpoint.address,
        ...(endpoint.token ? { token: endpoint.token } : {}),
      });
    });

    afterAll(async () => {
      try {
        for (const node of nodes) await client.deregister({ node });
      } finally {
        await endpoint.stop();
      }
    });

    it("registers a service that the services list and the catalog then show", async () => {
      const service = unique("svc");
      const { node, serviceId } = await registerInstance({ service, tags: ["blue", "v1"], port: 9000 });

      const listed = await client.listServices();
      expect(listed.value[service]?.slice().sort()).toEqual(["blue", "v1"]);
      expect(listed.index).toBeGreaterThan(0);

      const catalog = await client.catalogService(service);
      expect(catalog.value).toHaveLength(1);
      const [entry] = catalog.value;
      expect(entry?.node).toMatchObject({
        name: node,
        address: "10.20.30.40",
        meta: { "fo-contract": "true" },
      });
      expect(entry?.service).toMatchObject({
        id: serviceId,
        name: service,
        address: "10.20.30.41",
        port: 9000,
        meta: { owner: "fo-contract" },
      });
      expect(entry?.service.tags.slice().sort()).toEqual(["blue", "v1"]);
      expect(entry?.service.modifyIndex).toBeGreaterThan(0);

      const onNode = await client.nodeServices(node);
      expect(onNode?.node.name).toBe(node);
      expect(onNode?.services.map((s) => s.id)).toEqual([serviceId]);
    });

    it("upserts a service by ID instead of adding a second instance", async () => {
      const service = unique("svc");
      const node = unique("node");
      await registerInstance({ service, node, port: 1000 });
      await registerInstance({ service, node, port: 2000 });
      const catalog = await client.catalogService(service);
      expect(catalog.value.map((e) => e.service.port)).toEqual([2000]);
    });

    it("filters the catalog by tag", async () => {
      const service = unique("svc");
      await registerInstance({ service, tags: ["blue"] });
      await registerInstance({ service, tags: ["green"] });
      const blue = await client.catalogService(service, { tags: ["blue"] });
      expect(blue.value.map((e) => e.service.tags)).toEqual([["blue"]]);
      const health = await client.healthService(service, { tags: ["green"] });
      expect(health.value.map((e) => e.service.tags)).toEqual([["green"]]);
    });

    it("maps check statuses and keeps only all-passing instances with passingOnly", async () => {
      const service = unique("svc");
      const passing = await registerInstance({ service, status: "passing" });
      const warning = await registerInstance({ service, status: "warning" });
      const critical = await registerInstance({ service, status: "critical" });
      // A failing node-level check makes the node's passing service count as critical.
      const nodeDown = await registerInstance({ service, status: "passing" });
      await client.register({
        node: nodeDown.node,
        address: "10.20.30.40",
        nodeMeta: { "fo-contract": "true" },
        checks: [{ checkId: "fo-node-check", name: "node check", status: "critical" }],
      });

      const all = await client.healthService(service);
      const statusOf = new Map(all.value.map((e) => [e.node.name, e.status]));
      expect(statusOf).toEqual(
        new Map([
          [passing.node, "passing"],
          [warning.node, "warning"],
          [critical.node, "critical"],
          [nodeDown.node, "critical"],
        ]),
      );
      const serviceCheck = all.value
        .find((e) => e.node.name === warning.node)
        ?.checks.find((c) => c.serviceId !== "");
      expect(serviceCheck).toMatchObject({
        checkId: warning.checkId,
        status: "warning",
        serviceName: service,
      });

      const healthy = await client.healthService(service, { passingOnly: true });
      expect(healthy.value.map((e) => e.node.name)).toEqual([passing.node]);
    });

    it("deregisters a service, and then its node", async () => {
      const service = unique("svc");
      const { node, serviceId } = await registerInstance({ service });
      await client.deregister({ node, serviceId });
      expect((await client.listServices()).value[service]).toBeUndefined();
      expect((await client.healthService(service)).value).toEqual([]);
      expect((await client.nodeServices(node))?.services).toEqual([]);

      await client.deregister({ node });
      nodes.delete(node);
      expect(await client.nodeServices(node)).toBeUndefined();
    });

    it("answers a blocking health query when its service changes", async () => {
      const service = unique("svc");
      const { node, serviceId, checkId } = await registerInstance({ service });
      const before = await client.healthService(service);

      const pending = client.healthService(service, {
        index: before.index,
        waitMs: LONG_WAIT_MS,
        signal: AbortSignal.timeout(WAKE_GUARD_MS),
      });
      await client.register({
        node,
        address: "10.20.30.40",
        skipNodeUpdate: true,
        checks: [{ checkId, name: "contract check", status: "warning", serviceId }],
      });
      const after = await pending;
      expect(after.index).toBeGreaterThan(before.index);
      expect(after.value.map((e) => e.status)).toEqual(["warning"]);
    });

    it("answers a blocking services query when a service is added", async () => {
      const before = await client.listServices();
      const service = unique("svc");
      const signal = AbortSignal.timeout(WAKE_GUARD_MS);
      const pending = client.listServices({ index: before.index, waitMs: LONG_WAIT_MS, signal });
      await registerInstance({ service });
      let after = await pending;
      expect(after.index).toBeGreaterThan(before.index);
      // On a shared Consul another write may wake the query first; keep blocking as a real watcher would.
      while (after.value[service] === undefined) {
        const index = nextBlockingIndex(after.index, after.index);
        after = await client.listServices({ index, waitMs: LONG_WAIT_MS, signal });
      }
      expect(after.value[service]).toEqual(["v1"]);
    });

    it("returns the same index after the wait when nothing changed", async () => {
      const service = unique("svc");
      await registerInstance({ service });
      const before = await client.healthService(service);
      const after = await client.healthService(service, { index: before.index, waitMs: 1_000 });
      expect(after.index).toBe(before.index);
      expect(after.value).toEqual(before.value);
    });

    it("answers at once for index 0 and for an index behind the current one", async () => {
      const service = unique("svc");
      await registerInstance({ service });
      const current = await client.healthService(service);
      expect(current.index).toBeGreaterThan(1);

      const guard = { waitMs: LONG_WAIT_MS, signal: AbortSignal.timeout(WAKE_GUARD_MS) };
      const fromZero = await client.healthService(service, { index: 0, ...guard });
      expect(fromZero.index).toBe(current.index);
      const fromBehind = await client.healthService(service, { index: current.index - 1, ...guard });
      expect(fromBehind.index).toBe(current.index);
    });

    it("returns a lower index for an index ahead of the current one, which the client rule resets to 0", async () => {
      const service = unique("svc");
      await registerInstance({ service });
      const current = await client.healthService(service);
      const ahead = current.index + 1_000_000;
      const answer = await client.healthService(service, { index: ahead, waitMs: 1_000 });
      expect(answer.index).toBeLessThan(ahead);
      expect(nextBlockingIndex(ahead, answer.index)).toBe(0);
      expect(nextBlockingIndex(current.index, answer.index)).toBe(answer.index);
    });

    it("reports an unknown datacenter as unavailable, with Consul's message", async () => {
      const elsewhere = new ConsulClient({
        address: endpoint.address,
        datacenter: "fo-no-such-dc",
        ...(endpoint.token ? { token: endpoint.token } : {}),
      });
      const failure = await elsewhere.listServices().catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(ConsulUnavailableError);
      expect((failure as Error).message).toContain("No path to datacenter");
    });

    it("knows a leader", async () => {
      expect(await client.leader()).toMatch(/:\d+$/);
    });

    if (target.acl) {
      describe("ACL", () => {
        it("refuses an unknown token, without putting the token in the error", async () => {
          const wrongToken = `fo-wrong-${randomUUID()}`;
          const stranger = new ConsulClient({ address: endpoint.address, token: wrongToken });
          const failure = await stranger.listServices().catch((error: unknown) => error);
          expect(failure).toBeInstanceOf(ConsulAuthError);
          expect((failure as Error).message).toContain("ACL not found");
          expect(
            JSON.stringify({ message: (failure as Error).message, stack: (failure as Error).stack }),
          ).not.toContain(wrongToken);
        });

        it("refuses a catalog write without a token", async () => {
          const anonymous = new ConsulClient({ address: endpoint.address });
          const node = unique("node");
          const failure = await anonymous
            .register({ node, address: "10.20.30.40", service: { name: unique("svc") } })
            .catch((error: unknown) => error);
          expect(failure).toBeInstanceOf(ConsulAuthError);
          expect((failure as Error).message).toContain("Permission denied");
          expect(await client.nodeServices(node)).toBeUndefined();
        });
      });
    }
  });
}

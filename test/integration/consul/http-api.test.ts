/**
 * Consul's HTTP API as third-party clients see it (the npm `consul` client, consul-template, curl): raw paths,
 * PascalCase fields, headers, token placements and error answers, checked with plain `fetch` against every
 * target. It keeps the simulator honest independently of the project's own client.
 */

import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ConsulEndpoint, consulTargets } from "../../support/consul-target.js";

const { targets, summary } = consulTargets();
console.info(summary);

type Json = Record<string, unknown>;

for (const target of targets) {
  describe(`Consul HTTP API: ${target.name}`, () => {
    let endpoint: ConsulEndpoint;
    let base: string;
    const node = `fo-contract-http-${randomUUID().slice(0, 8)}`;
    const service = `fo-contract-http-svc-${randomUUID().slice(0, 8)}`;

    const call = (path: string, init: RequestInit & { token?: string | null } = {}): Promise<Response> => {
      const headers = new Headers(init.headers);
      const token = init.token === undefined ? endpoint.token : init.token;
      if (token && !headers.has("Authorization")) headers.set("X-Consul-Token", token);
      return fetch(`${base}${path}`, { ...init, headers });
    };
    const json = async (path: string): Promise<{ body: unknown; response: Response }> => {
      const response = await call(path);
      expect(response.status).toBe(200);
      return { body: await response.json(), response };
    };

    beforeAll(async () => {
      endpoint = await target.start();
      base = endpoint.address.startsWith("http") ? endpoint.address : `http://${endpoint.address}`;
      const response = await call("/v1/catalog/register", {
        method: "PUT",
        body: JSON.stringify({
          Node: node,
          Address: "10.9.8.7",
          NodeMeta: { rack: "r1" },
          Service: { Service: service, Tags: ["primary"], Port: 5432, Meta: { version: "16" } },
          Check: { Name: "db alive", Status: "warning", ServiceID: service, Output: "slow" },
        }),
      });
      expect(response.status).toBe(200);
      expect(await response.json()).toBe(true);
    });

    afterAll(async () => {
      try {
        await call("/v1/catalog/deregister", { method: "PUT", body: JSON.stringify({ Node: node }) });
      } finally {
        await endpoint.stop();
      }
    });

    it("lists services as name → tags with the blocking headers", async () => {
      const { body, response } = await json("/v1/catalog/services");
      expect((body as Json)[service]).toEqual(["primary"]);
      expect(Number(response.headers.get("X-Consul-Index"))).toBeGreaterThan(0);
      expect(response.headers.get("X-Consul-KnownLeader")).toBe("true");
      expect(response.headers.get("X-Consul-LastContact")).toMatch(/^\d+$/);
      expect(response.headers.get("Content-Type")).toContain("application/json");
    });

    it("returns catalog service rows with Consul's flattened PascalCase fields", async () => {
      const { body } = await json(`/v1/catalog/service/${service}`);
      const rows = body as Json[];
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({
        Node: node,
        Address: "10.9.8.7",
        NodeMeta: { rack: "r1" },
        ServiceID: service,
        ServiceName: service,
        ServiceTags: ["primary"],
        ServiceAddress: "",
        ServicePort: 5432,
        ServiceMeta: { version: "16" },
      });
      for (const key of [
        "ID",
        "Datacenter",
        "TaggedAddresses",
        "CreateIndex",
        "ModifyIndex",
        "ServiceWeights",
      ]) {
        expect(rows[0]).toHaveProperty(key);
      }
      const byMeta = await json(`/v1/catalog/service/${service}?node-meta=rack:r2`);
      expect(byMeta.body).toEqual([]);
      const byTag = await json(`/v1/catalog/service/${service}?tag=primary`);
      expect(byTag.body).toHaveLength(1);
    });

    it("returns health entries with Node, Service and Checks, and the check ID defaulted to its name", async () => {
      const { body } = await json(`/v1/health/service/${service}`);
      const [entry] = body as Array<{ Node: Json; Service: Json; Checks: Json[] }>;
      expect(entry?.Node).toMatchObject({ Node: node, Address: "10.9.8.7", Meta: { rack: "r1" } });
      expect(entry?.Service).toMatchObject({ ID: service, Service: service, Tags: ["primary"], Port: 5432 });
      expect(entry?.Checks).toEqual([
        expect.objectContaining({
          Node: node,
          CheckID: "db alive",
          Name: "db alive",
          Status: "warning",
          Output: "slow",
          ServiceID: service,
          ServiceName: service,
        }),
      ]);
      expect((await json(`/v1/health/service/${service}?passing`)).body).toEqual([]);
      expect((await json(`/v1/health/service/${service}?passing=false`)).body).toHaveLength(1);
    });

    it("lists a service's checks and the node's services", async () => {
      const checks = (await json(`/v1/health/checks/${service}`)).body as Json[];
      expect(checks.map((check) => check.CheckID)).toEqual(["db alive"]);
      const nodeServices = (await json(`/v1/catalog/node/${node}`)).body as { Node: Json; Services: Json };
      expect(nodeServices.Node.Node).toBe(node);
      expect(Object.keys(nodeServices.Services)).toEqual([service]);
      expect((await json(`/v1/catalog/node/${node}-absent`)).body).toBeNull();
      const nodes = (await json("/v1/catalog/nodes")).body as Json[];
      expect(nodes.find((entry) => entry.Node === node)).toMatchObject({ Address: "10.9.8.7" });
    });

    it("describes the agent and its leader", async () => {
      const self = (await json("/v1/agent/self")).body as { Config: Json };
      expect(typeof self.Config.Datacenter).toBe("string");
      expect(typeof self.Config.NodeName).toBe("string");
      const leader = (await json("/v1/status/leader")).body;
      expect(leader).toMatch(/:\d+$/);
    });

    it("rejects a malformed wait or index with 400, and an unknown datacenter with 500", async () => {
      const badWait = await call("/v1/catalog/services?index=1&wait=soon");
      expect(badWait.status).toBe(400);
      expect(await badWait.text()).toContain("Invalid wait time");
      const badIndex = await call("/v1/catalog/services?index=-3");
      expect(badIndex.status).toBe(400);
      expect(await badIndex.text()).toContain("Invalid index");
      const badDc = await call("/v1/catalog/services?dc=fo-no-such-dc");
      expect(badDc.status).toBe(500);
      expect(await badDc.text()).toContain("No path to datacenter");
    });

    if (target.acl) {
      describe("ACL token placement", () => {
        it("accepts the token as X-Consul-Token, Authorization: Bearer and ?token=", async () => {
          const token = endpoint.token ?? "";
          expect((await call("/v1/agent/self")).status).toBe(200);
          const bearer = await call("/v1/agent/self", {
            token: null,
            headers: { Authorization: `Bearer ${token}` },
          });
          expect(bearer.status).toBe(200);
          const query = await call(`/v1/agent/self?token=${encodeURIComponent(token)}`, { token: null });
          expect(query.status).toBe(200);
        });

        it("answers 403 ACL not found for an unknown token in any placement", async () => {
          const wrong = `fo-wrong-${randomUUID()}`;
          for (const response of [
            await call("/v1/catalog/services", { token: wrong }),
            await call("/v1/catalog/services", {
              token: null,
              headers: { Authorization: `Bearer ${wrong}` },
            }),
            await call(`/v1/catalog/services?token=${wrong}`, { token: null }),
          ]) {
            expect(response.status).toBe(403);
            expect(await response.text()).toContain("ACL not found");
          }
        });

        it("answers 403 Permission denied to a write without a token", async () => {
          const response = await call("/v1/catalog/register", {
            method: "PUT",
            token: null,
            body: JSON.stringify({ Node: node, Address: "10.9.8.7" }),
          });
          expect(response.status).toBe(403);
          expect(await response.text()).toContain("Permission denied");
        });
      });
    }
  });
}

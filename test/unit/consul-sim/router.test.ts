import { describe, expect, it } from "vitest";
import { ManualClock } from "../../../src/clock.js";
import { BlockingQueries } from "../../../src/dev/consul-sim/blocking.js";
import { ConsulCatalog } from "../../../src/dev/consul-sim/catalog.js";
import { createRouter, type SimRequest } from "../../../src/dev/consul-sim/router.js";

const TOKEN = "secret-management-token";

function setup(aclToken?: string) {
  const catalog = new ConsulCatalog("dc1", 0);
  const blocking = new BlockingQueries(new ManualClock(0));
  catalog.onChange(() => blocking.recheckAll());
  const route = createRouter({
    catalog,
    blocking,
    datacenter: "dc1",
    aclToken,
    random: () => 0,
    self: { node: "server-1", nodeId: "id-1", address: "127.0.0.1", version: "1.20.0" },
  });
  const send = (
    method: string,
    pathAndQuery: string,
    options: { headers?: Record<string, string>; body?: unknown } = {},
  ) => {
    const url = new URL(pathAndQuery, "http://sim.invalid");
    const request: SimRequest = {
      method,
      path: url.pathname,
      query: url.searchParams,
      headers: options.headers ?? {},
      readBody: async () => options.body,
      signal: new AbortController().signal,
    };
    return route(request);
  };
  return { catalog, send };
}

describe("Consul simulator router", () => {
  it("never answers X-Consul-Index 0", async () => {
    const { send } = setup();
    const response = await send("GET", "/v1/catalog/services");
    expect(response.headers["X-Consul-Index"]).toBe("1");
    expect(response.body).toBe("{}");
  });

  it("answers 404 for unknown paths and 405 with Allow for the wrong method", async () => {
    const { send } = setup();
    expect((await send("GET", "/v1/kv/foo")).status).toBe(404);
    const wrongMethod = await send("GET", "/v1/catalog/register");
    expect(wrongMethod).toMatchObject({
      status: 405,
      headers: { Allow: "PUT" },
      body: "method GET not allowed",
    });
  });

  it("answers Consul's errors for bad input", async () => {
    const { send } = setup();
    const cases: Array<[Promise<{ status: number; body: string }>, number, string]> = [
      [send("GET", "/v1/catalog/services?dc=dc2"), 500, "No path to datacenter"],
      [send("GET", "/v1/catalog/services?index=x"), 400, "Invalid index"],
      [send("GET", "/v1/catalog/services?index=1&wait=10"), 400, "Invalid wait time"],
      [send("GET", "/v1/health/service/web?passing=maybe"), 400, "Invalid value for ?passing"],
      [send("GET", "/v1/catalog/service/"), 400, "Missing service name"],
      [send("PUT", "/v1/catalog/register", { body: { Node: "n1" } }), 500, "Must provide node and address"],
      [
        send("PUT", "/v1/catalog/register", { body: { Node: "n", Address: "a", Datacenter: "dc9" } }),
        500,
        "No path",
      ],
      [send("PUT", "/v1/catalog/register", { body: [] }), 400, "Request decode failed"],
      [send("PUT", "/v1/catalog/deregister", { body: {} }), 500, "Must provide node"],
    ];
    for (const [response, status, text] of cases) {
      const answer = await response;
      expect(answer.status).toBe(status);
      expect(answer.body).toContain(text);
    }
  });

  it("resolves the token from ?token, X-Consul-Token or Authorization: Bearer", async () => {
    const { send } = setup(TOKEN);
    const ok = [
      await send("GET", `/v1/agent/self?token=${TOKEN}`),
      await send("GET", "/v1/agent/self", { headers: { "x-consul-token": TOKEN } }),
      await send("GET", "/v1/agent/self", { headers: { authorization: `bearer ${TOKEN}` } }),
    ];
    expect(ok.map((response) => response.status)).toEqual([200, 200, 200]);
    // ?token wins over the header, as in Consul.
    const conflicting = await send("GET", "/v1/agent/self?token=wrong", {
      headers: { "x-consul-token": TOKEN },
    });
    expect(conflicting).toMatchObject({ status: 403, body: "ACL not found" });
  });

  it("refuses anonymous writes with Consul's permission message and leaves the catalog alone", async () => {
    const { send, catalog } = setup(TOKEN);
    const response = await send("PUT", "/v1/catalog/register", {
      body: { Node: "n1", Address: "10.0.0.1", Service: { Service: "web" } },
    });
    expect(response.status).toBe(403);
    expect(response.body).toContain(
      "Permission denied: anonymous token lacks permission 'service:write' on \"web\"",
    );
    expect(catalog.snapshot().nodes).toEqual([]);
  });

  it("registers with a valid token and answers true", async () => {
    const { send, catalog } = setup(TOKEN);
    const response = await send("PUT", "/v1/catalog/register", {
      headers: { "x-consul-token": TOKEN },
      body: { Node: "n1", Address: "10.0.0.1", Service: { Service: "web" } },
    });
    expect(response).toMatchObject({ status: 200, body: "true" });
    expect(catalog.snapshot().services.map((service) => service.ID)).toEqual(["web"]);
  });

  it("decodes percent-encoded names in the path", async () => {
    const { send } = setup();
    await send("PUT", "/v1/catalog/register", {
      body: { Node: "n1", Address: "10.0.0.1", Service: { Service: "a b" } },
    });
    const rows = JSON.parse((await send("GET", "/v1/catalog/service/a%20b")).body) as unknown[];
    expect(rows).toHaveLength(1);
  });
});

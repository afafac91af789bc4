/** The project's Consul adapter (src/consul) without a network: index rule, decoding and error translation. */

import { describe, expect, it } from "vitest";
import { nextBlockingIndex } from "../../../src/consul/blocking-index.js";
import { ConsulClient } from "../../../src/consul/client.js";
import { decodeHealthEntries, worstStatus } from "../../../src/consul/decode.js";
import {
  ConsulAuthError,
  ConsulNotFoundError,
  ConsulRequestError,
  ConsulUnavailableError,
  translateConsulError,
} from "../../../src/consul/errors.js";

const SECRET = "s3cr3t-token-value";
const CALL = { method: "GET", path: "/v1/catalog/services", address: "consul:8500" };

function clientAnswering(response: () => Response | Promise<Response>, token = SECRET) {
  const seen: Array<{ url: string; headers: Headers; body: unknown }> = [];
  const fetchStub: typeof fetch = async (input, init) => {
    seen.push({ url: String(input), headers: new Headers(init?.headers), body: init?.body });
    return response();
  };
  return { client: new ConsulClient({ address: "consul.test:8500", token, fetch: fetchStub }), seen };
}

describe("nextBlockingIndex", () => {
  it("resets to 0 when the index goes backwards and never returns below 1 otherwise", () => {
    expect(nextBlockingIndex(100, 50)).toBe(0);
    expect(nextBlockingIndex(100, 100)).toBe(100);
    expect(nextBlockingIndex(100, 120)).toBe(120);
    expect(nextBlockingIndex(0, 0)).toBe(1);
    expect(nextBlockingIndex(0, 7)).toBe(7);
  });
});

describe("decoding", () => {
  it("combines check statuses into the worst, treating unknown statuses as critical", () => {
    expect(worstStatus([])).toBe("passing");
    expect(worstStatus(["passing", "warning"])).toBe("warning");
    expect(worstStatus(["warning", "critical", "passing"])).toBe("critical");
    const [entry] = decodeHealthEntries([
      {
        Node: { Node: "n" },
        Service: { ID: "s", Service: "s" },
        Checks: [{ CheckID: "m", Status: "maintenance" }],
      },
    ]);
    expect(entry?.status).toBe("critical");
  });
});

describe("translateConsulError", () => {
  it("classifies by status", () => {
    const status = (code: number) =>
      translateConsulError({ kind: "status", status: code, body: "x" }, CALL, []);
    expect(status(403)).toBeInstanceOf(ConsulAuthError);
    expect(status(404)).toBeInstanceOf(ConsulNotFoundError);
    expect(status(400)).toBeInstanceOf(ConsulRequestError);
    expect(status(429)).toBeInstanceOf(ConsulUnavailableError);
    expect(status(500)).toBeInstanceOf(ConsulUnavailableError);
    expect(status(500).temporary).toBe(true);
    expect(status(403).temporary).toBe(false);
  });

  it("keeps the cause and redacts secrets from the message and the cause", () => {
    const network = new TypeError("fetch failed", {
      cause: Object.assign(new Error("x"), { code: "ECONNREFUSED" }),
    });
    const translated = translateConsulError({ kind: "network", error: network }, CALL, [SECRET]);
    expect(translated).toBeInstanceOf(ConsulUnavailableError);
    expect(translated.cause).toBe(network);
    expect(translated.message).toContain("ECONNREFUSED");

    const echoed = translateConsulError({ kind: "status", status: 403, body: `bad ${SECRET}` }, CALL, [
      SECRET,
    ]);
    expect(echoed.message).not.toContain(SECRET);
    expect(String(echoed.cause)).not.toContain(SECRET);
  });
});

describe("ConsulClient", () => {
  it("sends the token only as a header, and the datacenter, index and wait as query parameters", async () => {
    const fetchStub: typeof fetch = async () =>
      new Response("{}", { headers: { "X-Consul-Index": "42", "Content-Type": "application/json" } });
    const seen: string[] = [];
    const client = new ConsulClient({
      address: "http://consul.test:8500/",
      token: SECRET,
      datacenter: "dc7",
      fetch: async (input, init) => {
        seen.push(String(input));
        expect(new Headers(init?.headers).get("X-Consul-Token")).toBe(SECRET);
        return fetchStub(input, init);
      },
    });
    expect(await client.listServices({ index: 41, waitMs: 30_000 })).toEqual({ value: {}, index: 42 });
    expect(seen).toEqual(["http://consul.test:8500/v1/catalog/services?index=41&wait=30000ms&dc=dc7"]);
    expect(seen[0]).not.toContain(SECRET);
  });

  it("sends no index or wait for a non-blocking read", async () => {
    const { client, seen } = clientAnswering(
      () => new Response("[]", { headers: { "X-Consul-Index": "5" } }),
    );
    await client.healthService("web", { index: 0, waitMs: 1000, passingOnly: true, tags: ["a", "b"] });
    expect(seen[0]?.url).toBe("http://consul.test:8500/v1/health/service/web?passing=true&tag=a&tag=b");
  });

  it("translates statuses and keeps the token out of the error even when the body echoes it", async () => {
    const { client } = clientAnswering(
      () => new Response(`token ${SECRET} unknown: ACL not found`, { status: 403 }),
    );
    const failure = await client.listServices().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ConsulAuthError);
    expect((failure as Error).message).toContain("ACL not found");
    expect((failure as Error).message).not.toContain(SECRET);
  });

  it("reports a non-JSON or mis-shaped body as unavailable", async () => {
    const html = clientAnswering(() => new Response("<html>proxy error</html>"));
    expect(await html.client.listServices().catch((e: unknown) => e)).toBeInstanceOf(ConsulUnavailableError);
    const shaped = clientAnswering(() => new Response("[1,2]"));
    expect(await shaped.client.listServices().catch((e: unknown) => e)).toBeInstanceOf(
      ConsulUnavailableError,
    );
  });

  it("reports a network failure as unavailable and a caller's abort as the caller's reason", async () => {
    const down = clientAnswering(() => Promise.reject(new TypeError("fetch failed")));
    expect(await down.client.listServices().catch((e: unknown) => e)).toBeInstanceOf(ConsulUnavailableError);

    const reason = new Error("caller stopped");
    const controller = new AbortController();
    controller.abort(reason);
    const aborted = new ConsulClient({
      address: "consul.test:8500",
      fetch: async (_input, init) => {
        init?.signal?.throwIfAborted();
        return new Response("{}");
      },
    });
    expect(await aborted.listServices({ signal: controller.signal }).catch((e: unknown) => e)).toBe(reason);
  });

  it("maps a registration to Consul's PascalCase body and refuses one without node or address", async () => {
    const { client, seen } = clientAnswering(() => new Response("true"));
    await client.register({
      node: "n1",
      address: "10.0.0.1",
      service: { name: "web", port: 80 },
      checks: [{ checkId: "c1", name: "alive", status: "passing", serviceId: "web" }],
    });
    expect(JSON.parse(String(seen[0]?.body))).toEqual({
      Node: "n1",
      Address: "10.0.0.1",
      Service: { ID: "web", Service: "web", Tags: [], Address: "", Port: 80, Meta: {} },
      Checks: [
        {
          Node: "n1",
          CheckID: "c1",
          Name: "alive",
          Status: "passing",
          ServiceID: "web",
          Notes: "",
          Output: "",
        },
      ],
    });
    const refused = await client.register({ node: "", address: "x" }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ConsulRequestError);
    expect(seen).toHaveLength(1);
  });
});

/** The project's Consul adapter (src/consul) without a network: index rule, decoding and error translation. */

import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { ManualClock } from "../../../src/clock.js";
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
import { RereadableToken } from "../../../src/consul/token.js";

const SECRET = "s3cr3t-token-value";
const CALL = { method: "GET", path: "/v1/catalog/services", address: "consul:8500" };

interface Seen {
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

interface Answer {
  status?: number;
  body: string;
  headers?: Record<string, string>;
}

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

/** A loopback HTTP server answering every request with `answer`, and a client pointed at it. */
async function clientAnswering(
  answer: () => Answer | "drop",
  options: { token?: string; datacenter?: string; prefix?: string } = { token: SECRET },
) {
  const seen: Seen[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      seen.push({ url: request.url ?? "", headers: request.headers, body: Buffer.concat(chunks).toString() });
      const a = answer();
      if (a === "drop") return request.socket.destroy();
      response.writeHead(a.status ?? 200, { "Content-Type": "text/plain", ...a.headers });
      response.end(a.body);
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  const client = new ConsulClient({
    address: `${options.prefix ?? ""}127.0.0.1:${port}`,
    ...(options.token === undefined ? {} : { token: options.token }),
    ...(options.datacenter === undefined ? {} : { datacenter: options.datacenter }),
  });
  return { client, seen, port };
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
    const { client, seen } = await clientAnswering(
      () => ({ body: "{}", headers: { "X-Consul-Index": "42", "Content-Type": "application/json" } }),
      { token: SECRET, datacenter: "dc7", prefix: "http://" },
    );
    expect(await client.listServices({ index: 41, waitMs: 30_000 })).toEqual({ value: {}, index: 42 });
    const url = new URL(seen[0]?.url ?? "", "http://x");
    expect(url.pathname).toBe("/v1/catalog/services");
    expect(Object.fromEntries(url.searchParams)).toEqual({ index: "41", wait: "30000ms", dc: "dc7" });
    expect(seen[0]?.headers["x-consul-token"]).toBe(SECRET);
    expect(seen[0]?.url).not.toContain(SECRET);
  });

  it("sends no index or wait for a non-blocking read", async () => {
    const { client, seen } = await clientAnswering(() => ({
      body: "[]",
      headers: { "X-Consul-Index": "5" },
    }));
    await client.healthService("web", { index: 0, waitMs: 1000, passingOnly: true, tags: ["a", "b"] });
    expect(seen[0]?.url).toBe("/v1/health/service/web?tag=a&tag=b&passing=true");
  });

  it("translates statuses and keeps the token out of the error even when the body echoes it", async () => {
    const { client } = await clientAnswering(() => ({
      status: 403,
      body: `token ${SECRET} unknown: ACL not found`,
    }));
    const failure = await client.listServices().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ConsulAuthError);
    expect((failure as Error).message).toContain("ACL not found");
    expect((failure as Error).message).not.toContain(SECRET);
  });

  it("re-reads a token source after a 403 and repeats the call once with the new token", async () => {
    let accepted = "new-token";
    const clock = new ManualClock(0);
    let reads = 0;
    const source = new RereadableToken({
      initial: "old-token",
      clock,
      read: async () => {
        reads += 1;
        return accepted;
      },
    });
    const server = await clientAnswering(() => {
      const token = String(server.seen.at(-1)?.headers["x-consul-token"] ?? "");
      return token === accepted ? { body: "{}" } : { status: 403, body: "ACL not found" };
    });
    const rotating = new ConsulClient({ address: server.client.address, token: source });
    expect((await rotating.listServices()).value).toEqual({});
    expect(server.seen.map((s) => s.headers["x-consul-token"])).toEqual(["old-token", "new-token"]);
    expect(reads).toBe(1);
    // A token that is simply wrong: one re-read per interval, not one per call.
    accepted = "never";
    const failed = await rotating.listServices().catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(ConsulAuthError);
    expect(await rotating.listServices().catch((e: unknown) => e)).toBeInstanceOf(ConsulAuthError);
    expect(reads).toBe(1);
    clock.advanceSync(30_000);
    await rotating.listServices().catch(() => undefined);
    expect(reads).toBe(2);
  });

  it("reports a non-JSON or mis-shaped body as unavailable", async () => {
    const html = await clientAnswering(() => ({ body: "<html>proxy error</html>" }));
    expect(await html.client.listServices().catch((e: unknown) => e)).toBeInstanceOf(ConsulUnavailableError);
    const shaped = await clientAnswering(() => ({
      body: "[1,2]",
      headers: { "Content-Type": "application/json" },
    }));
    expect(await shaped.client.listServices().catch((e: unknown) => e)).toBeInstanceOf(
      ConsulUnavailableError,
    );
    const broken = await clientAnswering(() => ({
      body: "{",
      headers: { "Content-Type": "application/json" },
    }));
    expect(await broken.client.listServices().catch((e: unknown) => e)).toBeInstanceOf(
      ConsulUnavailableError,
    );
  });

  it("reports a network failure as unavailable and a caller's abort as the caller's reason", async () => {
    const down = await clientAnswering(() => "drop");
    expect(await down.client.listServices().catch((e: unknown) => e)).toBeInstanceOf(ConsulUnavailableError);

    const reason = new Error("caller stopped");
    const controller = new AbortController();
    controller.abort(reason);
    const { client, seen } = await clientAnswering(() => ({ body: "{}" }));
    expect(await client.listServices({ signal: controller.signal }).catch((e: unknown) => e)).toBe(reason);
    expect(seen).toHaveLength(0);
  });

  it("maps a registration to Consul's PascalCase body and refuses one without node or address", async () => {
    const { client, seen } = await clientAnswering(() => ({ body: "true" }));
    await client.register({
      node: "n1",
      address: "10.0.0.1",
      service: { name: "web", port: 80 },
      checks: [{ checkId: "c1", name: "alive", status: "passing", serviceId: "web", output: "fine" }],
    });
    expect(seen[0]?.headers["x-consul-token"]).toBe(SECRET);
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
          Output: "fine",
        },
      ],
    });
    const refused = await client.register({ node: "", address: "x" }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ConsulRequestError);
    expect(seen).toHaveLength(1);
  });
});

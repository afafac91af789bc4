import { ListClustersCommand, ListServicesCommand } from "@aws-sdk/client-ecs";
import { ListNamespacesCommand } from "@aws-sdk/client-servicediscovery";
import { afterEach, describe, expect, it } from "vitest";
import { rejectionOf, type SimHarness, startHarness } from "./support.js";

let h: SimHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const post = (endpoint: string, target: string | undefined, body = "{}") =>
  fetch(endpoint, {
    method: "POST",
    headers: {
      "content-type": "application/x-amz-json-1.1",
      ...(target === undefined ? {} : { "x-amz-target": target }),
    },
    body,
  });

describe("the simulator's HTTP layer", () => {
  it("answers unknown operations with AWS's UnknownOperationException shape, for both APIs and none", async () => {
    h = await startHarness();
    for (const target of [
      "AmazonEC2ContainerServiceV20141113.RunTask",
      "Route53AutoNaming_v20170314.CreateHttpNamespace",
      "DynamoDB_20120810.ListTables",
      undefined,
    ]) {
      const res = await post(h.sim.endpoint, target);
      expect(res.status).toBe(400);
      const body = (await res.json()) as Record<string, unknown>;
      expect(body.__type).toBe("com.amazon.coral.service#UnknownOperationException");
    }
    const health = await fetch(`${h.sim.endpoint}/_sim/health`);
    expect(((await health.json()) as Record<string, unknown>).ok).toBe(true);
  });

  it("answers malformed JSON with SerializationException and keeps serving", async () => {
    h = await startHarness();
    const res = await post(h.sim.endpoint, "AmazonEC2ContainerServiceV20141113.ListClusters", "{not json");
    expect(res.status).toBe(400);
    expect(((await res.json()) as Record<string, unknown>).__type).toBe("SerializationException");
    expect((await h.ecs.send(new ListClustersCommand({}))).clusterArns).toEqual([]);
  });

  it("injects 5xx and throttles at the configured percentage, reproducibly from a seed", async () => {
    const run = async () => {
      const s = await startHarness();
      s.sim.control.setFaults(
        { serverErrorPercent: 30, throttlePercent: 20, operations: ["ecs:ListClusters"] },
        99,
      );
      const names: string[] = [];
      for (let i = 0; i < 200; i += 1) {
        try {
          await s.ecs.send(new ListClustersCommand({}));
          names.push("ok");
        } catch (error) {
          names.push(
            error instanceof Error
              ? `${error.name}:${(error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode}`
              : "?",
          );
        }
      }
      await s.ecs.send(new ListServicesCommand({ cluster: "c" }));
      const counters = s.sim.control.counters();
      await s.close();
      return { names, counters };
    };
    const first = await run();
    const second = await run();
    expect(second.names).toEqual(first.names);
    const count = (name: string) => first.names.filter((n) => n === name).length;
    expect(count("ServerException:500")).toBeGreaterThan(40);
    expect(count("ServerException:500")).toBeLessThan(80);
    expect(count("ThrottlingException:400")).toBeGreaterThan(25);
    expect(count("ThrottlingException:400")).toBeLessThan(55);
    expect(first.counters["ecs:ListClusters"]).toMatchObject({
      calls: 200,
      injectedServerErrors: count("ServerException:500"),
      injectedThrottles: count("ThrottlingException:400"),
      succeeded: count("ok"),
    });
    expect(first.counters["ecs:ListServices"]).toMatchObject({ calls: 1, succeeded: 1 });
  });

  it("drops connections on request and serves again once faults are cleared", async () => {
    h = await startHarness();
    h.sim.control.setFaults({ dropPercent: 100 });
    const dropped = await rejectionOf(h.cloudMap.send(new ListNamespacesCommand({})));
    expect(dropped.$metadata?.httpStatusCode).toBeUndefined();
    h.sim.control.clearFaults();
    expect((await h.cloudMap.send(new ListNamespacesCommand({}))).Namespaces).toEqual([]);
    expect(h.sim.control.counters()["servicediscovery:ListNamespaces"]).toMatchObject({
      calls: 2,
      dropped: 1,
      succeeded: 1,
    });
  });

  it("offers the same controls over HTTP under /_sim", async () => {
    h = await startHarness();
    const call = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(`${h?.sim.endpoint}${path}`, {
        method,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    expect((await call("PUT", "/_sim/faults", { serverErrorPercent: 100, seed: 5 })).status).toBe(200);
    expect((await rejectionOf(h.ecs.send(new ListClustersCommand({})))).name).toBe("ServerException");
    await call("DELETE", "/_sim/faults");
    await h.ecs.send(new ListClustersCommand({}));
    const counters = await call("GET", "/_sim/counters");
    expect(counters.body["ecs:ListClusters"]).toMatchObject({
      calls: 2,
      injectedServerErrors: 1,
      succeeded: 1,
    });
    await call("POST", "/_sim/counters/reset");
    expect((await call("GET", "/_sim/counters")).body).toEqual({});
    expect((await call("PUT", "/_sim/throttling", { enabled: true })).body.enabled).toBe(true);
    expect((await call("POST", "/_sim/failing-images", { image: "web:9" })).body.images).toEqual(["web:9"]);
    expect(h.sim.control.failingImages()).toEqual(["web:9"]);
    expect((await call("DELETE", "/_sim/failing-images", { image: "web:9" })).body.images).toEqual([]);
    const pull = await call("POST", "/_sim/failing-images", { image: "web:10", failure: "pull" });
    expect(pull.body.failures).toEqual({ "web:10": "pull" });
    expect((await call("POST", "/_sim/failing-images", { image: "x", failure: "melt" })).status).toBe(400);
    expect((await call("PUT", "/_sim/faults", { dropPercent: "lots" })).status).toBe(400);
    expect((await call("GET", "/_sim/nothing")).status).toBe(404);
  });
});

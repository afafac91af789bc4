/**
 * The shared Cloud Map listing and tag cache (src/aws/cloud-map-cache.ts): one listing per namespace serves every
 * reader within its max age, in pages of 100, one in flight at a time; tags are kept by ARN and follow our own
 * writes; fresh reads, NotFound and the rolling refresh go back to Cloud Map.
 */
import { ListServicesCommand, ListTagsForResourceCommand } from "@aws-sdk/client-servicediscovery";
import { afterEach, describe, expect, it } from "vitest";
import { CloudMapServiceCache } from "../../../src/aws/cloud-map-cache.js";
import { AwsUnavailableError } from "../../../src/aws/errors.js";
import type { CloudMapServiceInfo } from "../../../src/aws/types.js";
import { ManualClock } from "../../../src/clock.js";
import { FakeCloudMap } from "../../support/fake-cloud-map.js";
import { type MockedGateways, mockedGateways } from "./support.js";

const MINUTE = 60_000;

function setup(tagCycleMs?: number) {
  const clock = new ManualClock();
  const cloudMap = new FakeCloudMap();
  const ns = cloudMap.putNamespace({ name: "apps.internal", vpc: "vpc-1" });
  const cache = new CloudMapServiceCache(clock, cloudMap, tagCycleMs);
  return { clock, cloudMap, ns, cache };
}

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

let m: MockedGateways | undefined;
afterEach(() => {
  m?.close();
  m = undefined;
});

describe("CloudMapServiceCache listings", () => {
  it("serves every record of a namespace from one listing while it is younger than the max age", async () => {
    const { clock, cloudMap, ns, cache } = setup();
    const services = ["a", "b", "c"].map((name) => cloudMap.putService(ns.id, name));
    cloudMap.resetCalls();
    const seen = await Promise.all(services.map((s) => cache.service(ns.id, s.id, MINUTE)));
    expect(seen.map((s) => s?.name)).toEqual(["a", "b", "c"]);
    expect(cloudMap.count("listServices")).toBe(1);
    await clock.advance(MINUTE - 1);
    expect((await cache.serviceNamed(ns.id, "b", MINUTE))?.id).toBe(services[1]?.id);
    expect(cloudMap.count("listServices")).toBe(1);
    await clock.advance(1);
    await cache.service(ns.id, "srv-none", MINUTE);
    expect(cloudMap.count("listServices")).toBe(2);
    expect(cloudMap.count("getService") + cloudMap.count("listTags")).toBe(0);
  });

  it("lists in pages of 100 and shares the pages among concurrent readers", async () => {
    m = mockedGateways();
    const summaries = Array.from({ length: 250 }, (_, i) => ({
      Id: `srv-${i}`,
      Arn: `arn:aws:servicediscovery:us-east-1:123456789012:service/srv-${i}`,
      Name: `svc-${i}`,
      DnsConfig: { NamespaceId: "ns-1", DnsRecords: [{ Type: "A" as const, TTL: 10 }] },
    }));
    m.cloudMap
      .on(ListServicesCommand)
      .resolvesOnce({ Services: summaries.slice(0, 100), NextToken: "p2" })
      .resolvesOnce({ Services: summaries.slice(100, 200), NextToken: "p3" })
      .resolvesOnce({ Services: summaries.slice(200) });
    const cache = new CloudMapServiceCache(m.clock, m.aws.cloudMap);
    const seen = await Promise.all(
      ["srv-0", "srv-150", "srv-249"].map((id) => cache.service("ns-1", id, MINUTE)),
    );
    expect(seen.map((s) => s?.name)).toEqual(["svc-0", "svc-150", "svc-249"]);
    const inputs = m.cloudMap.commandCalls(ListServicesCommand).map((c) => c.args[0].input);
    expect(inputs).toHaveLength(3);
    expect(inputs.map((i) => [i.MaxResults, i.NextToken])).toEqual([
      [100, undefined],
      [100, "p2"],
      [100, "p3"],
    ]);
  });

  it("a read that needs a listing younger than the one in flight waits for a single follow-up", async () => {
    const { clock, cloudMap, ns } = setup();
    cloudMap.putService(ns.id, "a");
    const gates: Array<ReturnType<typeof deferred<void>>> = [];
    let listings = 0;
    const gated = Object.create(cloudMap) as FakeCloudMap;
    gated.listServices = async (id: string) => {
      listings += 1;
      const gate = deferred<void>();
      gates.push(gate);
      await gate.promise;
      return cloudMap.listServices(id);
    };
    const cache = new CloudMapServiceCache(clock, gated);
    const first = cache.serviceNamed(ns.id, "a", 0);
    const same = cache.serviceNamed(ns.id, "a", 0);
    await clock.advance(10);
    const later = [cache.serviceNamed(ns.id, "a", 0), cache.serviceNamed(ns.id, "a", 0)];
    expect(listings).toBe(1);
    gates[0]?.resolve();
    await Promise.all([first, same]);
    await Promise.resolve();
    await new Promise((r) => setImmediate(r));
    expect(listings).toBe(2);
    gates[1]?.resolve();
    expect((await Promise.all(later)).map((s) => s?.name)).toEqual(["a", "a"]);
    expect(listings).toBe(2);
  });

  it("a failed listing fails every reader that shared it, and the next read lists again", async () => {
    const { cloudMap, ns, cache } = setup();
    cloudMap.putService(ns.id, "a");
    cloudMap.failNext(
      "listServices",
      new AwsUnavailableError("down", {
        service: "servicediscovery",
        operation: "ListServices",
        code: "ServiceUnavailable",
      }),
    );
    const results = await Promise.allSettled([
      cache.serviceNamed(ns.id, "a", MINUTE),
      cache.serviceNamed(ns.id, "a", MINUTE),
    ]);
    expect(results.map((r) => r.status)).toEqual(["rejected", "rejected"]);
    expect((await cache.serviceNamed(ns.id, "a", MINUTE))?.name).toBe("a");
    expect(cloudMap.count("listServices")).toBe(2);
  });
});

describe("CloudMapServiceCache writes and invalidation", () => {
  it("our own create, DNS update and delete show at once, and a listing sent before them does not undo them", async () => {
    const { clock, cloudMap, ns } = setup();
    const gate = deferred<void>();
    const gated = Object.create(cloudMap) as FakeCloudMap;
    let listed: CloudMapServiceInfo[] | undefined;
    gated.listServices = async (id: string) => {
      listed = await cloudMap.listServices(id);
      await gate.promise;
      return listed;
    };
    const cache = new CloudMapServiceCache(clock, gated);
    const old = cloudMap.putService(ns.id, "old");
    const inFlight = cache.serviceNamed(ns.id, "old", MINUTE);
    await new Promise((r) => setImmediate(r));
    const created = await cache.createService({
      Name: "web",
      NamespaceId: ns.id,
      DnsConfig: { DnsRecords: [{ Type: "A", TTL: 10 }] },
      Tags: [{ Key: "fargate-operator:uid", Value: "u1" }],
    });
    await cache.deleteService(old);
    gate.resolve();
    expect(await inFlight).toBeUndefined();
    expect((await cache.service(ns.id, created.id, MINUTE))?.name).toBe("web");
    await cache.updateServiceDnsRecords(created, [{ Type: "A", TTL: 60 }]);
    expect((await cache.service(ns.id, created.id, MINUTE))?.dnsRecords).toEqual([{ Type: "A", TTL: 60 }]);
    expect(await cache.tags(created.arn)).toEqual({ "fargate-operator:uid": "u1" });
    expect(cloudMap.count("listTags")).toBe(0);
  });

  it("keeps tags by ARN: read once, updated by our tag writes, read again when asked fresh or invalidated", async () => {
    const { cloudMap, ns, cache } = setup();
    const svc = cloudMap.putService(ns.id, "web");
    await cloudMap.tagResource(svc.arn, { team: "a" });
    cloudMap.resetCalls();
    expect(await cache.tags(svc.arn)).toEqual({ team: "a" });
    expect(await cache.tags(svc.arn)).toEqual({ team: "a" });
    expect(cloudMap.count("listTags")).toBe(1);
    await cache.tagResource(svc.arn, { owner: "x" });
    await cache.untagResource(svc.arn, ["team"]);
    expect(await cache.tags(svc.arn)).toEqual({ owner: "x" });
    expect(cloudMap.count("listTags")).toBe(1);
    // Out of band: only a fresh read (or an invalidation) sees it.
    await cloudMap.tagResource(svc.arn, { owner: "someone-else" });
    expect(await cache.tags(svc.arn)).toEqual({ owner: "x" });
    expect(await cache.tags(svc.arn, { fresh: true })).toEqual({ owner: "someone-else" });
    await cloudMap.tagResource(svc.arn, { owner: "third" });
    cache.invalidateTags(svc.arn);
    expect(await cache.tags(svc.arn)).toEqual({ owner: "third" });
    expect(cloudMap.count("listTags")).toBe(3);
  });

  it("a NotFound forgets the service and its tags", async () => {
    const { cloudMap, ns, cache } = setup();
    const svc = cloudMap.putService(ns.id, "web");
    expect((await cache.service(ns.id, svc.id, MINUTE))?.name).toBe("web");
    await cache.tags(svc.arn);
    await cloudMap.deleteService(svc.id);
    expect(await cache.readService(svc.id)).toBeUndefined();
    expect(await cache.service(ns.id, svc.id, MINUTE)).toBeUndefined();
    await expect(cache.tags(svc.arn)).rejects.toThrow();
    cloudMap.resetCalls();
    await expect(cache.tags(svc.arn)).rejects.toThrow();
    expect(cloudMap.count("listTags")).toBe(1);
  });
});

describe("CloudMapServiceCache rolling tag refresh", () => {
  it("re-reads every cached tag set once per tag cycle, a share at each listing, oldest first", async () => {
    const cycle = 10 * MINUTE;
    const { clock, cloudMap, ns, cache } = setup(cycle);
    const services = Array.from({ length: 20 }, (_, i) => cloudMap.putService(ns.id, `svc-${i}`));
    const resync = async () => {
      for (const s of services) {
        const seen = await cache.service(ns.id, s.id, MINUTE);
        if (seen !== undefined) await cache.tags(seen.arn);
      }
    };
    await resync();
    cloudMap.resetCalls();
    const readsPerResync: number[] = [];
    for (let r = 0; r < 10; r += 1) {
      await clock.advance(MINUTE);
      await resync();
      readsPerResync.push(cloudMap.count("listTags"));
      cloudMap.resetCalls();
    }
    // 20 services × 1 minute / 10 minutes: two tag sets a listing, each one once in the cycle.
    expect(readsPerResync).toEqual(Array.from({ length: 10 }, () => 2));
  });

  it("an out-of-band retag is seen within one tag cycle", async () => {
    m = mockedGateways();
    const arn = "arn:aws:servicediscovery:us-east-1:123456789012:service/srv-1";
    m.cloudMap.on(ListServicesCommand).resolves({
      Services: [{ Id: "srv-1", Arn: arn, Name: "web", DnsConfig: { NamespaceId: "ns-1", DnsRecords: [] } }],
    });
    m.cloudMap
      .on(ListTagsForResourceCommand)
      .resolvesOnce({ Tags: [{ Key: "fargate-operator:uid", Value: "u1" }] })
      .resolves({ Tags: [{ Key: "fargate-operator:uid", Value: "someone-else" }] });
    const cache = new CloudMapServiceCache(m.clock, m.aws.cloudMap, 2 * MINUTE);
    const observe = async () => {
      await cache.service("ns-1", "srv-1", MINUTE);
      return (await cache.tags(arn))["fargate-operator:uid"];
    };
    expect(await observe()).toBe("u1");
    await m.clock.advance(MINUTE);
    expect(await observe()).toBe("u1");
    await m.clock.advance(MINUTE);
    expect(await observe()).toBe("someone-else");
  });
});

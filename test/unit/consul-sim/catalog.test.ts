import { describe, expect, it } from "vitest";
import { ConsulCatalog } from "../../../src/dev/consul-sim/catalog.js";
import { ConsulSimHttpError } from "../../../src/dev/consul-sim/errors.js";
import { decodeRegisterRequest } from "../../../src/dev/consul-sim/requests.js";

const NO_FILTER = { tags: [], nodeMeta: {} };
const HEALTH = { ...NO_FILTER, passingOnly: false };

function register(catalog: ConsulCatalog, body: Record<string, unknown>): number {
  return catalog.register(decodeRegisterRequest({ Address: "10.0.0.1", ...body }));
}

function web(catalog: ConsulCatalog, node = "n1", extra: Record<string, unknown> = {}): number {
  return register(catalog, {
    Node: node,
    Service: { Service: "web", Port: 80, ...extra },
    Check: { CheckID: `web-${node}`, Name: "web check", ServiceID: "web", Status: "passing" },
  });
}

describe("ConsulCatalog register", () => {
  it("gives every write the next raft index and stamps created entries with it", () => {
    const catalog = new ConsulCatalog("dc1", 10);
    expect(web(catalog)).toBe(11);
    const [row] = catalog.serviceNodes("web", NO_FILTER).value;
    expect(row).toMatchObject({ ServiceID: "web", ServiceName: "web", CreateIndex: 11, ModifyIndex: 11 });
    expect(web(catalog, "n2")).toBe(12);
  });

  it("defaults the service ID to its name, the check ID to its name and the check status to critical", () => {
    const catalog = new ConsulCatalog("dc1");
    register(catalog, {
      Node: "n1",
      Service: { Service: "api" },
      Check: { Name: "alive", ServiceID: "api" },
    });
    const [check] = catalog.serviceChecks("api").value;
    expect(check).toMatchObject({
      CheckID: "alive",
      Status: "critical",
      ServiceID: "api",
      ServiceName: "api",
    });
  });

  it("upserts a service by ID, keeping CreateIndex and moving ModifyIndex", () => {
    const catalog = new ConsulCatalog("dc1", 0);
    web(catalog, "n1", { Port: 80 });
    web(catalog, "n1", { Port: 81 });
    const rows = catalog.serviceNodes("web", NO_FILTER).value;
    expect(rows.map((row) => [row.ServicePort, row.CreateIndex, row.ModifyIndex])).toEqual([[81, 1, 2]]);
  });

  it("leaves table and service indexes alone on an identical write", () => {
    const catalog = new ConsulCatalog("dc1");
    web(catalog);
    const services = catalog.listServices().index;
    const health = catalog.healthService("web", HEALTH).index;
    const raft = catalog.lastIndex();
    web(catalog);
    expect(catalog.lastIndex()).toBe(raft + 1);
    expect(catalog.listServices().index).toBe(services);
    expect(catalog.healthService("web", HEALTH).index).toBe(health);
  });

  it("refuses a check linked to a service the node does not have, changing nothing", () => {
    const catalog = new ConsulCatalog("dc1");
    const raft = catalog.lastIndex();
    const attempt = () =>
      register(catalog, {
        Node: "n1",
        Check: { CheckID: "c", Name: "c", ServiceID: "nope", Status: "passing" },
      });
    expect(attempt).toThrow(new ConsulSimHttpError(500, "Missing service registration"));
    expect(catalog.lastIndex()).toBe(raft);
    expect(catalog.listNodes().value).toEqual([]);
  });

  it("leaves an existing node alone with SkipNodeUpdate", () => {
    const catalog = new ConsulCatalog("dc1");
    register(catalog, { Node: "n1", Address: "10.0.0.1", NodeMeta: { a: "1" } });
    register(catalog, { Node: "n1", Address: "10.9.9.9", SkipNodeUpdate: true, Service: { Service: "x" } });
    expect(catalog.listNodes().value[0]).toMatchObject({ Address: "10.0.0.1", Meta: { a: "1" } });
  });
});

describe("ConsulCatalog service-specific indexes", () => {
  it("moves a service's index only for changes to that service, its checks or its nodes", () => {
    const catalog = new ConsulCatalog("dc1");
    web(catalog);
    const webIndex = catalog.healthService("web", HEALTH).index;
    register(catalog, { Node: "n2", Service: { Service: "db" } });
    expect(catalog.healthService("web", HEALTH).index).toBe(webIndex);
    expect(catalog.listServices().index).toBeGreaterThan(webIndex);

    const nodeCheck = register(catalog, {
      Node: "n1",
      Check: { CheckID: "disk", Name: "disk", Status: "warning" },
    });
    expect(catalog.healthService("web", HEALTH).index).toBe(nodeCheck);
    const nodeChange = register(catalog, { Node: "n1", Address: "10.0.0.2" });
    expect(catalog.healthService("web", HEALTH).index).toBe(nodeChange);
    expect(catalog.serviceNodes("web", NO_FILTER).index).toBe(nodeChange);
  });

  it("reports the tables' maximum for a service with no instances, so a watcher still sees its removal", () => {
    const catalog = new ConsulCatalog("dc1");
    web(catalog);
    const removal = catalog.deregister({ Datacenter: "", Node: "n1", ServiceID: "web", CheckID: "" });
    expect(catalog.healthService("web", HEALTH)).toEqual({ value: [], index: removal });
    expect(catalog.healthService("never-existed", HEALTH).index).toBe(removal);
  });
});

describe("ConsulCatalog deregister", () => {
  it("removes a service with its checks, a single check, or a whole node", () => {
    const catalog = new ConsulCatalog("dc1");
    web(catalog);
    register(catalog, { Node: "n1", Service: { Service: "db" } });
    register(catalog, { Node: "n1", Check: { CheckID: "disk", Name: "disk", Status: "passing" } });

    catalog.deregister({ Datacenter: "", Node: "n1", ServiceID: "web", CheckID: "" });
    expect(Object.keys(catalog.listServices().value)).toEqual(["db"]);
    expect(catalog.snapshot().checks.map((check) => check.CheckID)).toEqual(["disk"]);

    catalog.deregister({ Datacenter: "", Node: "n1", ServiceID: "", CheckID: "disk" });
    expect(catalog.snapshot().checks).toEqual([]);

    catalog.deregister({ Datacenter: "", Node: "n1", ServiceID: "", CheckID: "" });
    expect(catalog.snapshot()).toEqual({ nodes: [], services: [], checks: [] });
  });

  it("treats removing something absent as a no-op that still takes a raft index", () => {
    const catalog = new ConsulCatalog("dc1");
    web(catalog);
    const services = catalog.listServices().index;
    const raft = catalog.deregister({ Datacenter: "", Node: "ghost", ServiceID: "", CheckID: "" });
    expect(raft).toBe(services + 1);
    expect(catalog.listServices().index).toBe(services);
  });
});

describe("ConsulCatalog queries", () => {
  it("filters health by passing, tag (case-insensitive) and node meta", () => {
    const catalog = new ConsulCatalog("dc1");
    register(catalog, {
      Node: "a",
      NodeMeta: { zone: "1" },
      Service: { Service: "web", Tags: ["Blue"] },
      Check: { Name: "c", ServiceID: "web", Status: "passing" },
    });
    register(catalog, {
      Node: "b",
      NodeMeta: { zone: "2" },
      Service: { Service: "web", Tags: ["green"] },
      Check: { Name: "c", ServiceID: "web", Status: "warning" },
    });
    const nodesOf = (filter: Parameters<ConsulCatalog["healthService"]>[1]) =>
      catalog.healthService("web", filter).value.map((entry) => entry.Node.Node);
    expect(nodesOf(HEALTH)).toEqual(["a", "b"]);
    expect(nodesOf({ ...HEALTH, passingOnly: true })).toEqual(["a"]);
    expect(nodesOf({ ...HEALTH, tags: ["blue"] })).toEqual(["a"]);
    expect(nodesOf({ ...HEALTH, nodeMeta: { zone: "2" } })).toEqual(["b"]);
  });

  it("unions tags per service name and answers null for an unknown node", () => {
    const catalog = new ConsulCatalog("dc1");
    web(catalog, "n1", { Tags: ["b", "a"] });
    web(catalog, "n2", { Tags: ["c", "a"] });
    expect(catalog.listServices().value).toEqual({ web: ["a", "b", "c"] });
    expect(catalog.nodeServices("nope").value).toBeNull();
  });
});

/**
 * The simulator's catalog: nodes, services and checks with Consul's raft-index bookkeeping. Pure: no I/O.
 *
 * Indexes, as Consul keeps them: every write takes the next raft index; a write that changes nothing leaves the
 * tables' indexes alone (so blocking queries do not wake for idempotent writes); each table (nodes, services,
 * checks) remembers the index of its last change; each service name remembers the index of the last change to
 * any of its instances, their checks, or their nodes. Service-specific queries report that index while the
 * service exists, and the tables' maximum once it has no instances, as Consul's `maxIndexForService` does.
 */

import { ConsulSimHttpError } from "./errors.js";
import type { CheckRegistration, DeregisterRequest, RegisterRequest } from "./requests.js";
import { byName, sameContent, toServiceNodeRow } from "./rows.js";
import type {
  CheckStatus,
  CheckWire,
  HealthEntryWire,
  NodeServicesWire,
  NodeWire,
  ServiceNodeWire,
  ServiceWire,
} from "./wire.js";

/** A query result and the index Consul would put in `X-Consul-Index` (before its 0→1 rule). */
export interface Indexed<T> {
  value: T;
  index: number;
}

/** The filters `/v1/catalog/service/:name` and `/v1/health/service/:name` accept. */
export interface ServiceFilter {
  /** Every tag must be present (case-insensitive, as Consul matches tags). */
  tags: readonly string[];
  /** Every `key: value` must match the node's meta. */
  nodeMeta: Readonly<Record<string, string>>;
}

/** A snapshot of everything in the catalog, for tests and debugging. */
export interface CatalogSnapshot {
  nodes: NodeWire[];
  services: Array<ServiceWire & { Node: string }>;
  checks: CheckWire[];
}

/** The catalog of one simulated datacenter. */
export class ConsulCatalog {
  private raftIndex: number;
  private readonly tableIndex = { nodes: 0, services: 0, checks: 0 };
  private readonly serviceIndex = new Map<string, number>();
  private readonly nodes = new Map<string, NodeWire>();
  private readonly services = new Map<string, Map<string, ServiceWire>>();
  private readonly checks = new Map<string, Map<string, CheckWire>>();
  private readonly listeners = new Set<() => void>();

  /**
   * @param datacenter the datacenter every node reports.
   * @param startIndex the raft index before the first write; Consul's own first writes are internal, so a
   *   user-visible index is never 1.
   */
  constructor(
    readonly datacenter: string,
    startIndex = 10,
  ) {
    this.raftIndex = startIndex;
  }

  /** The last raft index handed out. */
  lastIndex(): number {
    return this.raftIndex;
  }

  /** Calls `listener` after every write; returns the unsubscribe function. */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Applies a register request as one raft write; returns its raft index. */
  register(request: RegisterRequest): number {
    const existingServices = this.services.get(request.Node);
    const service = request.Service;
    // Validate everything before touching state: a failed write changes nothing.
    for (const check of request.Checks) {
      if (
        check.ServiceID !== "" &&
        check.ServiceID !== service?.ID &&
        !existingServices?.has(check.ServiceID)
      ) {
        throw new ConsulSimHttpError(500, "Missing service registration");
      }
    }
    const index = ++this.raftIndex;
    const existingNode = this.nodes.get(request.Node);
    if (!(request.SkipNodeUpdate && existingNode)) this.putNode(request, existingNode, index);
    if (service) {
      const services = this.services.get(request.Node) ?? new Map<string, ServiceWire>();
      this.services.set(request.Node, services);
      const previous = services.get(service.ID);
      const next: ServiceWire = {
        ...service,
        CreateIndex: previous?.CreateIndex ?? index,
        ModifyIndex: index,
      };
      if (!sameContent(previous, next)) {
        services.set(service.ID, next);
        this.tableIndex.services = index;
        this.serviceIndex.set(next.Service, index);
        if (previous && previous.Service !== next.Service) this.serviceIndex.set(previous.Service, index);
        this.refreshServiceChecks(request.Node, next, index);
      }
    }
    for (const check of request.Checks) this.putCheck(check, index);
    this.notify();
    return index;
  }

  /** Applies a deregister request as one raft write; returns its raft index. Unknown targets change nothing. */
  deregister(request: DeregisterRequest): number {
    const index = ++this.raftIndex;
    if (request.ServiceID !== "") this.deleteService(request.Node, request.ServiceID, index);
    if (request.CheckID !== "") this.deleteCheck(request.Node, request.CheckID, index);
    if (request.ServiceID === "" && request.CheckID === "") this.deleteNode(request.Node, index);
    this.notify();
    return index;
  }

  /** Sets one check's status (and output) as a raft write, as an agent's anti-entropy would. */
  setCheckStatus(node: string, checkId: string, status: CheckStatus, output = ""): number {
    const existing = this.checks.get(node)?.get(checkId);
    if (!existing) throw new ConsulSimHttpError(404, `Unknown check "${checkId}" on node "${node}"`);
    const index = ++this.raftIndex;
    this.putCheck({ ...existing, Status: status, Output: output }, index);
    this.notify();
    return index;
  }

  /** `/v1/catalog/services`: service name → the union of its instances' tags. */
  listServices(): Indexed<Record<string, string[]>> {
    const tags = new Map<string, Set<string>>();
    for (const services of this.services.values()) {
      for (const service of services.values()) {
        const set = tags.get(service.Service) ?? new Set<string>();
        for (const tag of service.Tags) set.add(tag);
        tags.set(service.Service, set);
      }
    }
    const value: Record<string, string[]> = {};
    for (const name of [...tags.keys()].sort(byName)) value[name] = [...(tags.get(name) ?? [])].sort(byName);
    return { value, index: this.tableIndex.services };
  }

  /** `/v1/catalog/nodes`. */
  listNodes(): Indexed<NodeWire[]> {
    const value = [...this.nodes.values()]
      .sort((a, b) => byName(a.Node, b.Node))
      .map((node) => ({ ...node }));
    return { value, index: this.tableIndex.nodes };
  }

  /** `/v1/catalog/node/:node` (`null` for an unknown node, as Consul answers). */
  nodeServices(nodeName: string): Indexed<NodeServicesWire | null> {
    const index = Math.max(this.tableIndex.nodes, this.tableIndex.services);
    const node = this.nodes.get(nodeName);
    if (!node) return { value: null, index };
    const services: Record<string, ServiceWire> = {};
    for (const service of this.sortedServices(nodeName)) services[service.ID] = structuredClone(service);
    return { value: { Node: { ...node }, Services: services }, index };
  }

  /** `/v1/catalog/service/:name`. */
  serviceNodes(name: string, filter: ServiceFilter): Indexed<ServiceNodeWire[]> {
    const value = this.instances(name, filter).map(({ node, service }) => toServiceNodeRow(node, service));
    return { value, index: this.serviceQueryIndex(name, false) };
  }

  /** `/v1/health/service/:name`; `passingOnly` drops instances with any non-passing check, as `?passing` does. */
  healthService(name: string, filter: ServiceFilter & { passingOnly: boolean }): Indexed<HealthEntryWire[]> {
    const entries = this.instances(name, filter).map(({ node, service }) => {
      const checks = [...(this.checks.get(node.Node)?.values() ?? [])]
        .filter((check) => check.ServiceID === "" || check.ServiceID === service.ID)
        .sort((a, b) => byName(a.ServiceID, b.ServiceID) || byName(a.CheckID, b.CheckID))
        .map((check) => structuredClone(check));
      return { Node: { ...node }, Service: structuredClone(service), Checks: checks };
    });
    const value = filter.passingOnly
      ? entries.filter((entry) => entry.Checks.every((check) => check.Status === "passing"))
      : entries;
    return { value, index: this.serviceQueryIndex(name, true) };
  }

  /** `/v1/health/checks/:service`. */
  serviceChecks(name: string): Indexed<CheckWire[]> {
    const value: CheckWire[] = [];
    for (const nodeName of [...this.checks.keys()].sort(byName)) {
      const checks = [...(this.checks.get(nodeName)?.values() ?? [])].filter((c) => c.ServiceName === name);
      value.push(
        ...checks.sort((a, b) => byName(a.CheckID, b.CheckID)).map((check) => structuredClone(check)),
      );
    }
    return { value, index: this.tableIndex.checks };
  }

  /** Everything, copied. */
  snapshot(): CatalogSnapshot {
    return structuredClone({
      nodes: [...this.nodes.values()],
      services: [...this.services.entries()].flatMap(([node, services]) =>
        [...services.values()].map((service) => ({ ...service, Node: node })),
      ),
      checks: [...this.checks.values()].flatMap((checks) => [...checks.values()]),
    });
  }

  private putNode(request: RegisterRequest, previous: NodeWire | undefined, index: number): void {
    const next: NodeWire = {
      ID: request.ID,
      Node: request.Node,
      Address: request.Address,
      Datacenter: this.datacenter,
      TaggedAddresses: request.TaggedAddresses,
      Meta: request.NodeMeta,
      CreateIndex: previous?.CreateIndex ?? index,
      ModifyIndex: index,
    };
    if (sameContent(previous, next)) return;
    this.nodes.set(request.Node, next);
    this.tableIndex.nodes = index;
    // A node's change shows in every one of its services' health, so their indexes move too.
    this.touchServicesOfNode(request.Node, index);
  }

  private putCheck(check: CheckRegistration, index: number): void {
    const checks = this.checks.get(check.Node) ?? new Map<string, CheckWire>();
    this.checks.set(check.Node, checks);
    const previous = checks.get(check.CheckID);
    const service = check.ServiceID === "" ? undefined : this.services.get(check.Node)?.get(check.ServiceID);
    const next: CheckWire = {
      Node: check.Node,
      CheckID: check.CheckID,
      Name: check.Name,
      Status: check.Status,
      Notes: check.Notes,
      Output: check.Output,
      ServiceID: check.ServiceID,
      ServiceName: service?.Service ?? "",
      ServiceTags: [...(service?.Tags ?? [])],
      Type: "",
      Interval: "",
      Timeout: "",
      ExposedPort: 0,
      Definition: {},
      CreateIndex: previous?.CreateIndex ?? index,
      ModifyIndex: index,
    };
    if (sameContent(previous, next)) return;
    checks.set(check.CheckID, next);
    this.tableIndex.checks = index;
    if (service) this.serviceIndex.set(service.Service, index);
    else if (check.ServiceID === "") this.touchServicesOfNode(check.Node, index);
  }

  private refreshServiceChecks(nodeName: string, service: ServiceWire, index: number): void {
    for (const check of this.checks.get(nodeName)?.values() ?? []) {
      if (check.ServiceID === service.ID) this.putCheck(check, index);
    }
  }

  private deleteService(nodeName: string, serviceId: string, index: number): void {
    const services = this.services.get(nodeName);
    const service = services?.get(serviceId);
    if (!services || !service) return;
    services.delete(serviceId);
    this.tableIndex.services = index;
    this.serviceIndex.set(service.Service, index);
    const checks = this.checks.get(nodeName);
    for (const check of [...(checks?.values() ?? [])]) {
      if (check.ServiceID === serviceId) {
        checks?.delete(check.CheckID);
        this.tableIndex.checks = index;
      }
    }
  }

  private deleteCheck(nodeName: string, checkId: string, index: number): void {
    const checks = this.checks.get(nodeName);
    const check = checks?.get(checkId);
    if (!checks || !check) return;
    checks.delete(checkId);
    this.tableIndex.checks = index;
    if (check.ServiceName !== "") this.serviceIndex.set(check.ServiceName, index);
    else this.touchServicesOfNode(nodeName, index);
  }

  private deleteNode(nodeName: string, index: number): void {
    if (!this.nodes.has(nodeName)) return;
    for (const serviceId of [...(this.services.get(nodeName)?.keys() ?? [])]) {
      this.deleteService(nodeName, serviceId, index);
    }
    if ((this.checks.get(nodeName)?.size ?? 0) > 0) this.tableIndex.checks = index;
    this.checks.delete(nodeName);
    this.services.delete(nodeName);
    this.nodes.delete(nodeName);
    this.tableIndex.nodes = index;
  }

  private touchServicesOfNode(nodeName: string, index: number): void {
    for (const service of this.services.get(nodeName)?.values() ?? []) {
      this.serviceIndex.set(service.Service, index);
    }
  }

  private sortedServices(nodeName: string): ServiceWire[] {
    return [...(this.services.get(nodeName)?.values() ?? [])].sort((a, b) => byName(a.ID, b.ID));
  }

  private instances(name: string, filter: ServiceFilter): Array<{ node: NodeWire; service: ServiceWire }> {
    const wanted = filter.tags.map((tag) => tag.toLowerCase());
    const result: Array<{ node: NodeWire; service: ServiceWire }> = [];
    for (const nodeName of [...this.services.keys()].sort(byName)) {
      const node = this.nodes.get(nodeName);
      if (!node) continue;
      if (!Object.entries(filter.nodeMeta).every(([key, value]) => node.Meta[key] === value)) continue;
      for (const service of this.sortedServices(nodeName)) {
        if (service.Service !== name) continue;
        const tags = service.Tags.map((tag) => tag.toLowerCase());
        if (wanted.every((tag) => tags.includes(tag))) result.push({ node, service });
      }
    }
    return result;
  }

  private serviceExists(name: string): boolean {
    for (const services of this.services.values()) {
      for (const service of services.values()) if (service.Service === name) return true;
    }
    return false;
  }

  private serviceQueryIndex(name: string, withChecks: boolean): number {
    if (this.serviceExists(name)) return this.serviceIndex.get(name) ?? this.raftIndex;
    const { nodes, services, checks } = this.tableIndex;
    return withChecks ? Math.max(nodes, services, checks) : Math.max(nodes, services);
  }

  private notify(): void {
    for (const listener of [...this.listeners]) listener();
  }
}

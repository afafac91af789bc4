/**
 * An in-memory CloudMapGateway for reconciler unit tests, with Cloud Map's semantics: namespace create/delete are
 * asynchronous operations that stay SUBMITTED until the test completes (or fails) them; a second create of the
 * same name in the same VPC is AlreadyExists with the existing id and CreatorRequestId (or, while the first is
 * still running, returns that operation's id, as the real gateway does with AWS's DuplicateRequest); deleting
 * a namespace with services is ResourceInUse. Every call is logged for assertions.
 */
import {
  AwsAlreadyExistsError,
  type AwsError,
  AwsNotFoundError,
  AwsResourceInUseError,
} from "../../src/aws/errors.js";
import type {
  CloudMapCreateServiceInput,
  CloudMapGateway,
  CloudMapHealthStatus,
  CloudMapInstance,
  CloudMapNamespaceInfo,
  CloudMapOperation,
  CloudMapServiceInfo,
  CloudMapServiceSummary,
  CreatePrivateDnsNamespaceInput,
  DnsRecord,
  TagMap,
} from "../../src/aws/types.js";

/** Methods of the gateway, as logged in `calls`. */
export type CloudMapMethod = keyof CloudMapGateway;

/** Methods that change something in AWS. */
export const CLOUD_MAP_WRITES: readonly CloudMapMethod[] = [
  "createPrivateDnsNamespace",
  "deleteNamespace",
  "createService",
  "updateServiceDnsRecords",
  "deleteService",
  "tagResource",
  "untagResource",
  "registerInstance",
  "deregisterInstance",
  "updateInstanceCustomHealthStatus",
];

interface FakeNamespace {
  info: CloudMapNamespaceInfo;
  vpc: string;
  tags: TagMap;
}

interface FakeService {
  info: CloudMapServiceInfo;
  tags: TagMap;
  instances: Map<string, { attributes: Record<string, string>; health: CloudMapHealthStatus }>;
  /** Moves when instances are registered, changed or deregistered (not for health), as DiscoverInstancesRevision. */
  revision: number;
}

interface FakeOperation {
  operation: CloudMapOperation;
  /** Applied when the operation succeeds. */
  apply: () => void;
  /** Pending namespace creation: name, VPC and CreatorRequestId, for duplicate detection. */
  creating?: { name: string; vpc: string; creatorRequestId: string };
}

const REGION = "us-east-1";
const ACCOUNT = "123456789012";

function clone<T>(value: T): T {
  return structuredClone(value);
}

/** The in-memory Cloud Map. */
export class FakeCloudMap implements CloudMapGateway {
  private readonly namespaces = new Map<string, FakeNamespace>();
  private readonly services = new Map<string, FakeService>();
  private readonly operations = new Map<string, FakeOperation>();
  private readonly failures = new Map<CloudMapMethod, Error[]>();
  private seq = 0;
  /** Every call in order, by method name. */
  readonly calls: CloudMapMethod[] = [];

  /** Calls that changed (or tried to change) something in AWS. */
  writes(): CloudMapMethod[] {
    return this.calls.filter((c) => CLOUD_MAP_WRITES.includes(c));
  }

  /** How many times `method` was called. */
  count(method: CloudMapMethod): number {
    return this.calls.filter((c) => c === method).length;
  }

  /** Forgets the call log. */
  resetCalls(): void {
    this.calls.length = 0;
  }

  /** Makes the next call of `method` throw `error` (queued, one per call). */
  failNext(method: CloudMapMethod, error: Error): void {
    const list = this.failures.get(method) ?? [];
    list.push(error);
    this.failures.set(method, list);
  }

  /** A namespace made outside the operator (by hand, Terraform, another record): exists at once. */
  putNamespace(input: {
    name: string;
    vpc: string;
    tags?: TagMap;
    creatorRequestId?: string;
  }): CloudMapNamespaceInfo {
    const id = this.id("ns");
    const info: CloudMapNamespaceInfo = {
      id,
      arn: this.arn("namespace", id),
      name: input.name,
      type: "DNS_PRIVATE",
      hostedZoneId: `Z${id.slice(3).toUpperCase()}`,
      serviceCount: 0,
      ...(input.creatorRequestId === undefined ? {} : { creatorRequestId: input.creatorRequestId }),
    };
    this.namespaces.set(id, { info, vpc: input.vpc, tags: { ...input.tags } });
    return clone(info);
  }

  /** A Cloud Map service in `namespaceId` (e.g. one a FargateService made): exists at once. */
  putService(namespaceId: string, name: string): CloudMapServiceInfo {
    return this.addService({ NamespaceId: namespaceId, Name: name });
  }

  /** Removes a namespace at once (deleted behind the operator's back). */
  dropNamespace(id: string): void {
    this.namespaces.delete(id);
  }

  /** The namespace with tags and VPC (undefined when it does not exist), for assertions. */
  peekNamespace(id: string): (CloudMapNamespaceInfo & { vpc: string; tags: TagMap }) | undefined {
    const ns = this.namespaces.get(id);
    return ns === undefined ? undefined : { ...clone(ns.info), vpc: ns.vpc, tags: { ...ns.tags } };
  }

  /** Every namespace, for assertions. */
  allNamespaces(): CloudMapNamespaceInfo[] {
    return [...this.namespaces.values()].map((n) => clone(n.info));
  }

  /** Ids of operations still SUBMITTED or PENDING. */
  runningOperations(): string[] {
    return [...this.operations.values()]
      .filter((o) => o.operation.status === "SUBMITTED" || o.operation.status === "PENDING")
      .map((o) => o.operation.id);
  }

  /** Moves a running operation to PENDING (AWS reports that while it works). */
  markPending(operationId: string): void {
    const op = this.mustOperation(operationId);
    if (op.operation.status === "SUBMITTED") op.operation.status = "PENDING";
  }

  /** Lets a running operation succeed (its effect happens now). */
  completeOperation(operationId: string): void {
    const op = this.mustOperation(operationId);
    if (op.operation.status === "SUCCESS" || op.operation.status === "FAIL") return;
    op.operation.status = "SUCCESS";
    delete op.creating;
    op.apply();
  }

  /** Lets every running operation succeed. */
  completeOperations(): void {
    for (const id of this.runningOperations()) this.completeOperation(id);
  }

  /** Makes a running operation fail with AWS's error code and message (nothing happens). */
  failOperation(operationId: string, errorCode: string, errorMessage: string): void {
    const op = this.mustOperation(operationId);
    op.operation.status = "FAIL";
    op.operation.errorCode = errorCode;
    op.operation.errorMessage = errorMessage;
    delete op.creating;
  }

  /** Forgets an operation, as AWS does after a while (GetOperation is NotFound then). */
  forgetOperation(operationId: string): void {
    this.operations.delete(operationId);
  }

  async createPrivateDnsNamespace(
    input: CreatePrivateDnsNamespaceInput,
    signal?: AbortSignal,
  ): Promise<string> {
    this.enter("createPrivateDnsNamespace", signal);
    const name = input.name.replace(/\.$/, "");
    const same = [...this.namespaces.values()].find((n) => n.info.name === name && n.vpc === input.vpc);
    if (same !== undefined) {
      const error = new AwsAlreadyExistsError(`Namespace ${name} already exists.`, {
        service: "servicediscovery",
        operation: "CreatePrivateDnsNamespace",
        code: "NamespaceAlreadyExists",
      });
      error.existingId = same.info.id;
      if (same.info.creatorRequestId !== undefined) error.creatorRequestId = same.info.creatorRequestId;
      throw error;
    }
    const running = [...this.operations.values()].find(
      (o) => o.creating !== undefined && o.creating.name === name && o.creating.vpc === input.vpc,
    );
    // AWS answers DuplicateRequest naming the running operation, and the real gateway returns that id: whoever
    // started it (the caller checks whose namespace it made).
    if (running !== undefined) return running.operation.id;
    const id = this.id("ns");
    const info: CloudMapNamespaceInfo = {
      id,
      arn: this.arn("namespace", id),
      name,
      type: "DNS_PRIVATE",
      hostedZoneId: `Z${id.slice(3).toUpperCase()}`,
      serviceCount: 0,
      creatorRequestId: input.creatorRequestId,
    };
    return this.submit(
      { NAMESPACE: id },
      () => this.namespaces.set(id, { info, vpc: input.vpc, tags: { ...input.tags } }),
      { name, vpc: input.vpc, creatorRequestId: input.creatorRequestId },
    );
  }

  async getOperation(operationId: string, signal?: AbortSignal): Promise<CloudMapOperation> {
    this.enter("getOperation", signal);
    const op = this.operations.get(operationId);
    if (op === undefined) throw this.notFound("GetOperation", "OperationNotFound", operationId);
    return clone(op.operation);
  }

  async getNamespace(namespaceId: string, signal?: AbortSignal): Promise<CloudMapNamespaceInfo> {
    this.enter("getNamespace", signal);
    const ns = this.namespaces.get(namespaceId);
    if (ns === undefined) throw this.notFound("GetNamespace", "NamespaceNotFound", namespaceId);
    return { ...clone(ns.info), serviceCount: this.servicesIn(namespaceId).length };
  }

  async deleteNamespace(namespaceId: string, signal?: AbortSignal): Promise<string> {
    this.enter("deleteNamespace", signal);
    if (!this.namespaces.has(namespaceId))
      throw this.notFound("DeleteNamespace", "NamespaceNotFound", namespaceId);
    if (this.servicesIn(namespaceId).length > 0) {
      throw new AwsResourceInUseError(
        `Namespace ${namespaceId} has associated services and can't be deleted.`,
        {
          service: "servicediscovery",
          operation: "DeleteNamespace",
          code: "ResourceInUse",
        },
      );
    }
    return this.submit({ NAMESPACE: namespaceId }, () => this.namespaces.delete(namespaceId));
  }

  async listServices(namespaceId: string, signal?: AbortSignal): Promise<CloudMapServiceInfo[]> {
    this.enter("listServices", signal);
    return this.servicesIn(namespaceId).map((s) => clone(s.info));
  }

  async listAccountServices(signal?: AbortSignal): Promise<CloudMapServiceSummary[]> {
    this.enter("listAccountServices", signal);
    return [...this.services.values()].map((s) => ({ id: s.info.id, arn: s.info.arn, name: s.info.name }));
  }

  async createService(input: CloudMapCreateServiceInput, signal?: AbortSignal): Promise<CloudMapServiceInfo> {
    this.enter("createService", signal);
    return this.addService(input);
  }

  async getService(serviceId: string, signal?: AbortSignal): Promise<CloudMapServiceInfo> {
    this.enter("getService", signal);
    const service = this.services.get(serviceId);
    if (service === undefined) throw this.notFound("GetService", "ServiceNotFound", serviceId);
    return { ...clone(service.info), instanceCount: service.instances.size };
  }

  async updateServiceDnsRecords(
    serviceId: string,
    records: DnsRecord[],
    signal?: AbortSignal,
  ): Promise<string> {
    this.enter("updateServiceDnsRecords", signal);
    const service = this.services.get(serviceId);
    if (service === undefined) throw this.notFound("UpdateService", "ServiceNotFound", serviceId);
    const id = this.submit({ SERVICE: serviceId }, () => {
      service.info.dnsRecords = clone(records);
    });
    this.completeOperation(id);
    return id;
  }

  async deleteService(serviceId: string, signal?: AbortSignal): Promise<void> {
    this.enter("deleteService", signal);
    const service = this.services.get(serviceId);
    if (service === undefined) throw this.notFound("DeleteService", "ServiceNotFound", serviceId);
    if (service.instances.size > 0) {
      throw new AwsResourceInUseError(`Service ${serviceId} has registered instances.`, {
        service: "servicediscovery",
        operation: "DeleteService",
        code: "ResourceInUse",
      });
    }
    this.services.delete(serviceId);
  }

  async listInstanceIds(serviceId: string, signal?: AbortSignal): Promise<string[]> {
    this.enter("listInstanceIds", signal);
    const service = this.services.get(serviceId);
    if (service === undefined) throw this.notFound("ListInstances", "ServiceNotFound", serviceId);
    return [...service.instances.keys()];
  }

  /** Registers (upserts) an instance, as ECS does for a running task; HEALTHY unless AWS_INIT_HEALTH_STATUS says. */
  async registerInstance(
    serviceId: string,
    instanceId: string,
    attributes: Record<string, string> = {},
    signal?: AbortSignal,
  ): Promise<string> {
    this.enter("registerInstance", signal);
    const service = this.mustService(serviceId, "RegisterInstance");
    const health =
      service.instances.get(instanceId)?.health ??
      (attributes.AWS_INIT_HEALTH_STATUS === "UNHEALTHY" ? "UNHEALTHY" : "HEALTHY");
    service.instances.set(instanceId, { attributes: { ...attributes }, health });
    service.revision += 1;
    return this.id("op");
  }

  async deregisterInstance(serviceId: string, instanceId: string, signal?: AbortSignal): Promise<void> {
    this.enter("deregisterInstance", signal);
    if (this.mustService(serviceId, "DeregisterInstance").instances.delete(instanceId))
      this.mustService(serviceId, "DeregisterInstance").revision += 1;
  }

  async listInstances(serviceId: string, signal?: AbortSignal): Promise<CloudMapInstance[]> {
    this.enter("listInstances", signal);
    const service = this.mustService(serviceId, "ListInstances");
    return [...service.instances].map(([id, i]) => ({ id, attributes: { ...i.attributes } }));
  }

  async getInstancesHealthStatus(
    serviceId: string,
    signal?: AbortSignal,
  ): Promise<Record<string, CloudMapHealthStatus>> {
    this.enter("getInstancesHealthStatus", signal);
    const service = this.mustService(serviceId, "GetInstancesHealthStatus");
    return Object.fromEntries([...service.instances].map(([id, i]) => [id, i.health]));
  }

  async updateInstanceCustomHealthStatus(
    serviceId: string,
    instanceId: string,
    status: "HEALTHY" | "UNHEALTHY",
    signal?: AbortSignal,
  ): Promise<void> {
    this.enter("updateInstanceCustomHealthStatus", signal);
    const instance = this.mustService(serviceId, "UpdateInstanceCustomHealthStatus").instances.get(
      instanceId,
    );
    if (instance === undefined)
      throw this.notFound("UpdateInstanceCustomHealthStatus", "InstanceNotFound", instanceId);
    instance.health = status;
  }

  async discoverInstancesRevision(
    namespaceName: string,
    serviceName: string,
    signal?: AbortSignal,
  ): Promise<number> {
    this.enter("discoverInstancesRevision", signal);
    const ns = [...this.namespaces.values()].find((n) => n.info.name === namespaceName);
    const service = ns && this.servicesIn(ns.info.id).find((s) => s.info.name === serviceName);
    if (service === undefined)
      throw this.notFound("DiscoverInstancesRevision", "ServiceNotFound", serviceName);
    return service.revision;
  }

  async listTags(arn: string, signal?: AbortSignal): Promise<TagMap> {
    this.enter("listTags", signal);
    return { ...this.tagsOf(arn, "ListTagsForResource") };
  }

  async tagResource(arn: string, tags: TagMap, signal?: AbortSignal): Promise<void> {
    this.enter("tagResource", signal);
    Object.assign(this.tagsOf(arn, "TagResource"), tags);
  }

  async untagResource(arn: string, keys: string[], signal?: AbortSignal): Promise<void> {
    this.enter("untagResource", signal);
    const tags = this.tagsOf(arn, "UntagResource");
    for (const key of keys) delete tags[key];
  }

  private mustService(serviceId: string, operation: string): FakeService {
    const service = this.services.get(serviceId);
    if (service === undefined) throw this.notFound(operation, "ServiceNotFound", serviceId);
    return service;
  }

  private addService(input: CloudMapCreateServiceInput): CloudMapServiceInfo {
    const namespaceId = input.NamespaceId ?? "";
    const name = input.Name ?? "";
    if (!this.namespaces.has(namespaceId))
      throw this.notFound("CreateService", "NamespaceNotFound", namespaceId);
    const same = this.servicesIn(namespaceId).find((s) => s.info.name === name);
    if (same !== undefined) {
      const error = new AwsAlreadyExistsError(`Service ${name} already exists.`, {
        service: "servicediscovery",
        operation: "CreateService",
        code: "ServiceAlreadyExists",
      });
      error.existingId = same.info.id;
      if (same.info.creatorRequestId !== undefined) error.creatorRequestId = same.info.creatorRequestId;
      throw error;
    }
    const id = this.id("srv");
    const info: CloudMapServiceInfo = {
      id,
      arn: this.arn("service", id),
      name,
      namespaceId,
      dnsRecords: clone(input.DnsConfig?.DnsRecords ?? []),
      ...(input.DnsConfig?.RoutingPolicy === undefined
        ? {}
        : { routingPolicy: input.DnsConfig.RoutingPolicy }),
      ...(input.CreatorRequestId === undefined ? {} : { creatorRequestId: input.CreatorRequestId }),
    };
    const tags: TagMap = {};
    for (const t of input.Tags ?? []) if (t.Key !== undefined) tags[t.Key] = t.Value ?? "";
    this.services.set(id, { info, tags, instances: new Map(), revision: 0 });
    return clone(info);
  }

  private tagsOf(arn: string, operation: string): TagMap {
    for (const ns of this.namespaces.values()) if (ns.info.arn === arn) return ns.tags;
    for (const s of this.services.values()) if (s.info.arn === arn) return s.tags;
    throw this.notFound(operation, "ResourceNotFoundException", arn);
  }

  private servicesIn(namespaceId: string): FakeService[] {
    return [...this.services.values()].filter((s) => s.info.namespaceId === namespaceId);
  }

  private submit(
    targets: Record<string, string>,
    apply: () => void,
    creating?: FakeOperation["creating"],
  ): string {
    const id = this.id("op");
    this.operations.set(id, {
      operation: { id, status: "SUBMITTED", targets },
      apply,
      ...(creating === undefined ? {} : { creating }),
    });
    return id;
  }

  private mustOperation(operationId: string): FakeOperation {
    const op = this.operations.get(operationId);
    if (op === undefined) throw new Error(`fake Cloud Map: no operation ${operationId}`);
    return op;
  }

  private enter(method: CloudMapMethod, signal: AbortSignal | undefined): void {
    this.calls.push(method);
    signal?.throwIfAborted();
    const error = this.failures.get(method)?.shift();
    if (error !== undefined) throw error;
  }

  private notFound(operation: string, code: string, what: string): AwsError {
    return new AwsNotFoundError(`${what} not found`, { service: "servicediscovery", operation, code });
  }

  private id(prefix: string): string {
    this.seq += 1;
    return `${prefix}-${this.seq.toString(16).padStart(16, "0")}`;
  }

  private arn(type: string, id: string): string {
    return `arn:aws:servicediscovery:${REGION}:${ACCOUNT}:${type}/${id}`;
  }
}

import type { SimContext } from "../context.js";
import { cloudMapError } from "../errors.js";

/** A Cloud Map tag. */
export interface CmTag {
  /** Tag key. */
  Key: string;
  /** Tag value. */
  Value: string;
}

/** A private DNS namespace. */
export interface CmNamespace {
  readonly id: string;
  readonly arn: string;
  readonly name: string;
  readonly vpc: string;
  readonly hostedZoneId: string;
  readonly createdAt: number;
  readonly creatorRequestId: string | undefined;
  description: string | undefined;
  soaTtl: number;
  tags: CmTag[];
}

/** One DNS record template of a service. */
export interface CmDnsRecord {
  /** A, AAAA, SRV or CNAME. */
  Type: string;
  /** Time to live in seconds. */
  TTL: number;
}

/** A registered instance. */
export interface CmInstance {
  readonly id: string;
  readonly creatorRequestId: string | undefined;
  attributes: Record<string, string>;
  health: "HEALTHY" | "UNHEALTHY" | "UNKNOWN";
}

/** A Cloud Map service. */
export interface CmService {
  readonly id: string;
  readonly arn: string;
  readonly name: string;
  readonly namespaceId: string;
  readonly createdAt: number;
  readonly creatorRequestId: string | undefined;
  readonly type: "DNS_HTTP" | "HTTP" | "DNS";
  description: string | undefined;
  routingPolicy: string | undefined;
  dnsRecords: CmDnsRecord[] | undefined;
  healthCheckConfig: Record<string, unknown> | undefined;
  healthCheckCustomFailureThreshold: number | undefined;
  hasCustomHealth: boolean;
  instances: Map<string, CmInstance>;
  /** Starts at 0; bumped when instances are registered, changed or deregistered, never for health (AWS). */
  revision: number;
  tags: CmTag[];
}

/** A Cloud Map asynchronous operation. */
export interface CmOperation {
  readonly id: string;
  readonly type: string;
  readonly createdAt: number;
  readonly targets: Record<string, string>;
  status: "SUBMITTED" | "PENDING" | "SUCCESS" | "FAIL";
  updatedAt: number;
  errorCode: string | undefined;
  errorMessage: string | undefined;
}

/** A namespace creation not yet finished (invisible to GetNamespace until it succeeds). */
export interface PendingNamespace {
  readonly name: string;
  readonly vpc: string;
  readonly operationId: string;
  readonly creatorRequestId: string | undefined;
}

/** Everything Cloud Map holds for one simulated account, with lookups that raise Cloud Map errors. */
export class CloudMapState {
  /** Live namespaces by id. */
  readonly namespaces = new Map<string, CmNamespace>();
  /** Namespace creations in flight, by operation id. */
  readonly pendingNamespaces = new Map<string, PendingNamespace>();
  /** Services by id. */
  readonly services = new Map<string, CmService>();
  /** Operations by id. */
  readonly operations = new Map<string, CmOperation>();
  /** The simulator context. */
  readonly ctx: SimContext;

  /** Empty state on `ctx`. */
  constructor(ctx: SimContext) {
    this.ctx = ctx;
  }

  /** The namespace with this id or ARN, else `NamespaceNotFound`. */
  namespace(idOrArn: string): CmNamespace {
    const id = idOrArn.startsWith("arn:") ? (idOrArn.split("/").pop() ?? "") : idOrArn;
    const ns = this.namespaces.get(id);
    if (ns === undefined) throw cloudMapError("NamespaceNotFound", `Namespace not found: ${idOrArn}`);
    return ns;
  }

  /** The service with this id or ARN, else `ServiceNotFound`. */
  service(idOrArn: string): CmService {
    const id = idOrArn.startsWith("arn:") ? (idOrArn.split("/").pop() ?? "") : idOrArn;
    const svc = this.services.get(id);
    if (svc === undefined) throw cloudMapError("ServiceNotFound", `Service not found: ${idOrArn}`);
    return svc;
  }

  /** The service ARN for a service id. */
  serviceArn(id: string): string {
    return `arn:aws:servicediscovery:${this.ctx.region}:${this.ctx.accountId}:service/${id}`;
  }

  /** The namespace ARN for a namespace id. */
  namespaceArn(id: string): string {
    return `arn:aws:servicediscovery:${this.ctx.region}:${this.ctx.accountId}:namespace/${id}`;
  }

  /** Services of one namespace. */
  servicesIn(namespaceId: string): CmService[] {
    return [...this.services.values()].filter((s) => s.namespaceId === namespaceId);
  }

  /**
   * Records an operation that goes SUBMITTED → PENDING → SUCCESS over the configured operation time;
   * `onSuccess` runs when it succeeds (for namespace creation and deletion).
   */
  submitOperation(type: string, targets: Record<string, string>, onSuccess?: () => void): CmOperation {
    const now = this.ctx.clock.now();
    const op: CmOperation = {
      id: this.ctx.ids.operationId(),
      type,
      createdAt: now,
      targets,
      status: "SUBMITTED",
      updatedAt: now,
      errorCode: undefined,
      errorMessage: undefined,
    };
    this.operations.set(op.id, op);
    const total = this.ctx.timing.operationMs;
    this.ctx.after(total / 2, () => {
      op.status = "PENDING";
      op.updatedAt = this.ctx.clock.now();
    });
    this.ctx.after(total, () => {
      op.status = "SUCCESS";
      op.updatedAt = this.ctx.clock.now();
      onSuccess?.();
    });
    return op;
  }
}

/**
 * The NamespacePolicy evaluator (DESIGN 11, "NamespacePolicy"): every rule a record breaks, never only the first,
 * so one status message tells the team everything to fix. Pure: the governing policy, the validated record and
 * (for `maxServices`) its namespace's FargateServices in; broken rules out.
 */
import type { CatalogSyncSpec } from "../../crds/catalog-sync.js";
import type { CloudMapNamespaceSpec } from "../../crds/cloud-map-namespace.js";
import type { FargateServiceSpec } from "../../crds/fargate-service.js";
import { type DocumentPath, formatPath } from "../../crds/issues.js";
import type { NamespacePolicyLimits, NamespacePolicySpec } from "../../crds/namespace-policy.js";
import { allows } from "./lookup.js";

/** One broken rule: where in the record, the value found, the policy field and what it allows. */
export interface PolicyViolation {
  /** Where in the record, as written in messages: ["spec", "iam", "taskRoleArn"], ["spec", "containers", 0, "image"]. */
  field: string;
  /** The same place as a document path (for `validate --policy` to point at the line). */
  path: DocumentPath;
  value: string;
  /** The policy field that refuses it, e.g. `roleArns`, `limits.maxCpu`. */
  rule: string;
  /** The patterns the rule allows (as written, `{namespace}` included), or the limit as `at most N`. */
  allowed: readonly string[];
}

/** A record the evaluator judges: its kind, identity and validated spec. */
export type PolicySubject =
  | { kind: "FargateService"; namespace: string; name: string; spec: FargateServiceSpec }
  | { kind: "CatalogSync"; namespace: string; name: string; spec: CatalogSyncSpec }
  | { kind: "CloudMapNamespace"; namespace: string; name: string; spec: CloudMapNamespaceSpec };

/** A FargateService of the subject's namespace, for `limits.maxServices`. */
export interface ServiceSlot {
  name: string;
  /** Unstamped records (not yet seen by the controller) sort last. */
  creationTimestamp?: string;
  /** Records being deleted do not count. */
  deleting: boolean;
}

/** The repository of an image reference: without `@digest` and without the `:tag` after the last `/`. */
export function imageRepository(image: string): string {
  const withoutDigest = image.split("@")[0] ?? image;
  const slash = withoutDigest.lastIndexOf("/");
  const colon = withoutDigest.indexOf(":", slash + 1);
  return colon === -1 ? withoutDigest : withoutDigest.slice(0, colon);
}

type PatternRule = Exclude<keyof NamespacePolicySpec, "limits">;

/** Collects violations against one policy for one namespace. */
class Checker {
  readonly found: PolicyViolation[] = [];
  constructor(
    private readonly policy: NamespacePolicySpec,
    private readonly namespace: string,
  ) {}

  /** Judges `value` (at `path`; `note` says where a defaulted value came from) against the list `rule`. */
  pattern(rule: PatternRule, path: DocumentPath, value: string | undefined, note?: string): void {
    if (value === undefined) return;
    const patterns = this.policy[rule];
    if (allows(patterns, value, this.namespace)) return;
    const field = note === undefined ? formatPath(path) : `${formatPath(path)} (${note})`;
    this.found.push({ field, path, value, rule, allowed: patterns ?? [] });
  }

  /** `pattern` for each value of a list, with the item's index in the path. */
  each(rule: PatternRule, path: DocumentPath, values: readonly string[]): void {
    for (const [i, value] of values.entries()) this.pattern(rule, [...path, i], value);
  }

  /** Judges a number against `limits.<rule>` (no limit set: anything goes). */
  limit(rule: keyof NamespacePolicyLimits, path: DocumentPath, value: number | undefined): void {
    const max = this.policy.limits?.[rule];
    if (value === undefined || max === undefined || value <= max) return;
    const field = formatPath(path);
    this.found.push({
      field,
      path,
      value: String(value),
      rule: `limits.${rule}`,
      allowed: [`at most ${max}`],
    });
  }
}

/**
 * The roles ECS's service fields hand to ECS (load balancer traffic shifting, VPC Lattice, lifecycle hooks,
 * Service Connect TLS) and Service Connect's namespace: governed like the task's roles and Cloud Map namespace.
 */
function ecsServiceRoles(
  c: Checker,
  spec: Extract<PolicySubject, { kind: "FargateService" }>["spec"],
  namespace: string,
): void {
  spec.loadBalancers?.forEach((lb, i) => {
    const at = ["spec", "loadBalancers", i, "advancedConfiguration", "roleArn"];
    c.pattern("roleArns", at, lb.advancedConfiguration?.roleArn);
  });
  spec.vpcLatticeConfigurations?.forEach((lattice, i) => {
    c.pattern("roleArns", ["spec", "vpcLatticeConfigurations", i, "roleArn"], lattice.roleArn);
  });
  // Subjects of offline checks may come without defaults (no deployment).
  spec.deployment?.lifecycleHooks?.forEach((hook, i) => {
    c.pattern("roleArns", ["spec", "deployment", "lifecycleHooks", i, "roleArn"], hook.roleArn);
  });
  const connect = spec.serviceConnectConfiguration;
  connect?.services?.forEach((service, i) => {
    const at = ["spec", "serviceConnectConfiguration", "services", i, "tls", "roleArn"];
    c.pattern("roleArns", at, service.tls?.roleArn);
  });
  const ref = connect?.namespaceRef;
  if (ref !== undefined) {
    c.pattern(
      "cloudMapNamespaces",
      ["spec", "serviceConnectConfiguration", "namespaceRef"],
      `${ref.namespace ?? namespace}/${ref.name}`,
    );
  }
}

function fargateService(
  c: Checker,
  subject: Extract<PolicySubject, { kind: "FargateService" }>,
  peers: readonly ServiceSlot[],
  limits: NamespacePolicyLimits | undefined,
): void {
  const { spec } = subject;
  c.pattern("roleArns", ["spec", "iam", "taskRoleArn"], spec.iam?.taskRoleArn);
  c.pattern("roleArns", ["spec", "iam", "executionRoleArn"], spec.iam?.executionRoleArn);
  ecsServiceRoles(c, spec, subject.namespace);
  c.pattern("clusters", ["spec", "cluster"], spec.cluster);
  c.each("subnets", ["spec", "network", "subnets"], spec.network.subnets);
  if (spec.network.securityGroups === undefined)
    // No groups: ECS gives the tasks the VPC's default group, which a policy listing groups must allow by name.
    c.pattern(
      "securityGroups",
      ["spec", "network", "securityGroups"],
      "(none: the VPC's default security group)",
    );
  else c.each("securityGroups", ["spec", "network", "securityGroups"], spec.network.securityGroups);
  spec.containers.forEach((container, i) => {
    c.pattern("imageRepositories", ["spec", "containers", i, "image"], imageRepository(container.image));
    for (const [name, arn] of Object.entries(container.secrets ?? {})) {
      c.pattern("secretArns", ["spec", "containers", i, "secrets", name], arn);
    }
  });
  const cloudMap = spec.discovery?.cloudMap;
  if (cloudMap !== undefined) {
    const ref = cloudMap.namespaceRef;
    c.pattern(
      "cloudMapNamespaces",
      ["spec", "discovery", "cloudMap", "namespaceRef"],
      `${ref.namespace ?? subject.namespace}/${ref.name}`,
    );
    const cloudMapName = cloudMap.serviceName ?? subject.name;
    if (cloudMap.serviceName === undefined) {
      c.pattern("serviceNames", ["metadata", "name"], cloudMapName, "the Cloud Map service name");
    } else {
      c.pattern("serviceNames", ["spec", "discovery", "cloudMap", "serviceName"], cloudMapName);
    }
    const consul = spec.discovery?.consul;
    // Without its own name the Consul service takes the Cloud Map name, already judged above.
    if (
      consul?.register === true &&
      consul.serviceName !== undefined &&
      consul.serviceName !== cloudMapName
    ) {
      c.pattern("serviceNames", ["spec", "discovery", "consul", "serviceName"], consul.serviceName);
    }
  }
  const vault = spec.vault;
  if (vault !== undefined) {
    c.pattern("vaultRoles", ["spec", "vault", "role"], vault.role);
    // vault.secrets[].path is a Vault path (the schema refuses ARNs), so secretArns has nothing to judge there.
    if (vault.image !== undefined)
      c.pattern("imageRepositories", ["spec", "vault", "image"], imageRepository(vault.image));
  }
  c.limit("maxCpu", ["spec", "cpu"], spec.cpu);
  c.limit("maxMemory", ["spec", "memory"], spec.memory);
  c.limit("maxDesiredCount", ["spec", "desiredCount"], spec.desiredCount);
  // The scaler may go as high as maxCount (and a scheduled action's maxCount), so the limit bounds those too.
  if (spec.autoscaling !== undefined) {
    c.limit("maxDesiredCount", ["spec", "autoscaling", "maxCount"], spec.autoscaling.maxCount);
    for (const [i, action] of (spec.autoscaling.scheduled ?? []).entries()) {
      if (action.maxCount !== undefined)
        c.limit("maxDesiredCount", ["spec", "autoscaling", "scheduled", i, "maxCount"], action.maxCount);
    }
  }
  const maxServices = limits?.maxServices;
  if (maxServices !== undefined) {
    const rank = serviceRank(subject.name, peers);
    if (rank >= maxServices) {
      c.found.push({
        field: "metadata.name",
        path: ["metadata", "name"],
        value: subject.name,
        rule: "limits.maxServices",
        allowed: [
          `the first ${maxServices} FargateServices of the namespace, by creationTimestamp then name`,
        ],
      });
    }
  }
}

/** The subject's place (from 0) among the namespace's live FargateServices: oldest first, then by name. */
function serviceRank(name: string, peers: readonly ServiceSlot[]): number {
  const live = peers.filter((p) => !p.deleting || p.name === name);
  if (!live.some((p) => p.name === name)) live.push({ name, deleting: false });
  const order = (p: ServiceSlot): string => p.creationTimestamp ?? "\uffff";
  live.sort((a, b) => (order(a) < order(b) ? -1 : order(a) > order(b) ? 1 : a.name < b.name ? -1 : 1));
  return live.findIndex((p) => p.name === name);
}

function catalogSync(c: Checker, subject: Extract<PolicySubject, { kind: "CatalogSync" }>): void {
  const { spec } = subject;
  const ref = spec.cloudMapNamespaceRef;
  c.pattern(
    "cloudMapNamespaces",
    ["spec", "cloudMapNamespaceRef"],
    `${ref.namespace ?? subject.namespace}/${ref.name}`,
  );
  // Without an address the controller's own Consul is used, with the controller's own token: nothing to judge.
  c.pattern("consulAddresses", ["spec", "consul", "address"], spec.consul?.address);
  const token = spec.consul?.tokenFrom;
  if (token?.env !== undefined)
    c.pattern("consulTokenSources", ["spec", "consul", "tokenFrom", "env"], `env:${token.env}`);
  c.pattern("consulTokenSources", ["spec", "consul", "tokenFrom", "secretArn"], token?.secretArn);
  c.pattern(
    "secretArns",
    ["spec", "consul", "tls", "clientCertFrom", "secretArn"],
    spec.consul?.tls?.clientCertFrom?.secretArn,
  );
  const task = spec.task;
  if (task !== undefined) {
    c.pattern("clusters", ["spec", "task", "cluster"], task.cluster);
    c.each("subnets", ["spec", "task", "subnets"], task.subnets);
    c.each("securityGroups", ["spec", "task", "securityGroups"], task.securityGroups);
    c.pattern("roleArns", ["spec", "task", "taskRoleArn"], task.taskRoleArn);
    c.pattern("roleArns", ["spec", "task", "executionRoleArn"], task.executionRoleArn);
    if (task.image !== undefined)
      c.pattern("imageRepositories", ["spec", "task", "image"], imageRepository(task.image));
    c.limit("maxCpu", ["spec", "task", "cpu"], task.cpu);
    c.limit("maxMemory", ["spec", "task", "memory"], task.memory);
  }
}

/**
 * Every rule of `policy` that `subject` breaks, in the order of the record's fields (empty when it complies).
 * `peers` are the FargateServices of the subject's namespace (itself included or not), used only for
 * `limits.maxServices`.
 */
export function evaluatePolicy(
  policy: NamespacePolicySpec,
  subject: PolicySubject,
  peers: readonly ServiceSlot[] = [],
): PolicyViolation[] {
  const c = new Checker(policy, subject.namespace);
  if (subject.kind === "FargateService") fargateService(c, subject, peers, policy.limits);
  else if (subject.kind === "CatalogSync") catalogSync(c, subject);
  // A CloudMapNamespace is a namespace/name a team's records would reference: the same list decides whether the
  // team may have it at all (a private DNS namespace is a hosted zone in a shared VPC).
  else c.pattern("cloudMapNamespaces", ["metadata", "name"], `${subject.namespace}/${subject.name}`);
  return c.found;
}

/** The value as messages show it: quoted, except a number over a limit. */
export function shownValue(v: PolicyViolation): string {
  return v.rule.startsWith("limits.") ? v.value : JSON.stringify(v.value);
}

function describeAllowed(v: PolicyViolation): string {
  if (v.rule.startsWith("limits.")) return `${v.rule} allows ${v.allowed.join(", ")}`;
  if (v.allowed.length === 0) return `${v.rule} is [] (allows nothing)`;
  return `${v.rule} allows ${v.allowed.map((p) => JSON.stringify(p)).join(", ")}`;
}

/**
 * The status message of a PolicyViolation: the policy's name, then every broken rule as
 * `field "value": rule allows "pattern", ...`, separated by `; `.
 */
export function formatViolations(policy: string, violations: readonly PolicyViolation[]): string {
  const rules = violations.map((v) => `${v.field} ${shownValue(v)}: ${describeAllowed(v)}`);
  const count = violations.length === 1 ? "1 rule" : `${violations.length} rules`;
  return `NamespacePolicy ${policy} refuses this record (${count} broken): ${rules.join("; ")}`;
}

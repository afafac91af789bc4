/**
 * Cross-field rules of the ECS service fields added last (issue 14): port ranges, Service Connect, VPC Lattice,
 * the deployment strategy and the deployment controller. Only what ECS documents. Defensive.
 */
import { type DocumentPath, issue, type ValidationIssue } from "./issues.js";
import { asNumber, asRecord, asString, type JsonRecord, recordsOf } from "./values.js";

/** ECS allows at most this many port ranges per container. */
const MAX_RANGES_PER_CONTAINER = 100;

/** A port or range of a container, as an inclusive interval. */
type Span = { first: number; last: number; protocol: string; at: string };

/** `FIRST-LAST` as numbers, or undefined when it is not that shape (the schema's pattern reports it). */
function parseRange(range: string): { first: number; last: number } | undefined {
  const match = /^([0-9]{1,5})-([0-9]{1,5})$/.exec(range);
  if (match === null) return undefined;
  return { first: Number(match[1]), last: Number(match[2]) };
}

/** Issues of the containers' ports: one of containerPort/containerPortRange, valid ranges, no overlaps. */
function portRules(spec: JsonRecord): ValidationIssue[] {
  const out: ValidationIssue[] = [];
  const spans: Span[] = [];
  for (const [i, container] of recordsOf(spec.containers)) {
    let ranges = 0;
    for (const [j, port] of recordsOf(container.ports)) {
      const at: DocumentPath = ["spec", "containers", i, "ports", j];
      const single = asNumber(port.containerPort);
      const range = asString(port.containerPortRange);
      const protocol = asString(port.protocol) ?? "tcp";
      if (port.containerPort !== undefined && port.containerPortRange !== undefined) {
        out.push(
          issue(
            [...at, "containerPortRange"],
            "a port has containerPort or containerPortRange, not both",
            "remove containerPort for a range, or containerPortRange for one port",
          ),
        );
        continue;
      }
      if (port.containerPort === undefined && port.containerPortRange === undefined) {
        out.push(
          issue(
            at,
            "a port needs containerPort or containerPortRange",
            "add containerPort (e.g. 8080) or containerPortRange (e.g. 8000-8010)",
          ),
        );
        continue;
      }
      if (range !== undefined) {
        ranges += 1;
        const parsed = parseRange(range);
        if (parsed === undefined) continue;
        if (parsed.first < 1 || parsed.last > 65535 || parsed.first >= parsed.last) {
          out.push(
            issue(
              [...at, "containerPortRange"],
              `port range ${range} is not FIRST-LAST with 1 <= FIRST < LAST <= 65535`,
              "write the lower port first, for example 8000-8010",
            ),
          );
          continue;
        }
        const where = `containers[${i}].ports[${j}]`;
        const clash = spans.find(
          (s) => s.protocol === protocol && s.first <= parsed.last && parsed.first <= s.last,
        );
        if (clash !== undefined) {
          out.push(
            issue(
              [...at, "containerPortRange"],
              `port range ${range}/${protocol} overlaps ${clash.at}`,
              "containers of a task share one network namespace (awsvpc): use ports no other mapping has",
            ),
          );
        }
        spans.push({ ...parsed, protocol, at: where });
      } else if (single !== undefined) {
        // Single ports against each other are rules-containers.ts's; here only against ranges.
        const clash = spans.find(
          (s) => s.protocol === protocol && s.first !== s.last && s.first <= single && single <= s.last,
        );
        if (clash !== undefined) {
          out.push(
            issue(
              [...at, "containerPort"],
              `port ${single}/${protocol} is inside the range of ${clash.at}`,
              "containers of a task share one network namespace (awsvpc): use a port outside the range",
            ),
          );
        }
        spans.push({ first: single, last: single, protocol, at: `containers[${i}].ports[${j}]` });
      }
    }
    if (ranges > MAX_RANGES_PER_CONTAINER) {
      out.push(
        issue(
          ["spec", "containers", i, "ports"],
          `${ranges} port ranges; ECS allows at most ${MAX_RANGES_PER_CONTAINER} per container`,
          "merge adjacent ranges",
        ),
      );
    }
  }
  return out;
}

/** Names of the containers' ports (what Service Connect and VPC Lattice call portName). */
function portNames(spec: JsonRecord): string[] {
  return recordsOf(spec.containers).flatMap(([, c]) =>
    recordsOf(c.ports).flatMap(([, p]) => asString(p.name) ?? []),
  );
}

/** An issue when `name` is not one of the containers' port names. */
function portNameIssue(at: DocumentPath, name: string | undefined, names: string[]): ValidationIssue[] {
  if (name === undefined || names.includes(name)) return [];
  return [
    issue(
      at,
      `no container port is named "${name}"`,
      names.length > 0 ? `use one of ${names.join(", ")}` : `give a container port name: ${name}`,
    ),
  ];
}

/** Issues of serviceConnectConfiguration and vpcLatticeConfigurations: their portName names a port. */
function connectRules(spec: JsonRecord): ValidationIssue[] {
  const names = portNames(spec);
  const out: ValidationIssue[] = [];
  const connect = asRecord(spec.serviceConnectConfiguration);
  for (const [i, service] of recordsOf(connect?.services)) {
    out.push(
      ...portNameIssue(
        ["spec", "serviceConnectConfiguration", "services", i, "portName"],
        asString(service.portName),
        names,
      ),
    );
  }
  for (const [i, lattice] of recordsOf(spec.vpcLatticeConfigurations)) {
    out.push(
      ...portNameIssue(
        ["spec", "vpcLatticeConfigurations", i, "portName"],
        asString(lattice.portName),
        names,
      ),
    );
  }
  return out;
}

/** A number's bounds and step as ECS documents them for linear and canary deployments. */
function percentIssue(at: DocumentPath, value: unknown, min: number, what: string): ValidationIssue[] {
  const n = asNumber(value);
  if (n === undefined) return [];
  // Multiples of 0.1: compare in tenths, allowing for binary fractions.
  const tenths = n * 10;
  if (n >= min && n <= 100 && Math.abs(tenths - Math.round(tenths)) < 1e-9) return [];
  return [
    issue(
      at,
      `${what} ${n} is not a multiple of 0.1 from ${min} to 100`,
      `use a value such as ${min === 3 ? 10 : 5}`,
    ),
  ];
}

function bakeIssue(at: DocumentPath, value: unknown): ValidationIssue[] {
  const n = asNumber(value);
  if (n === undefined || (n >= 0 && n <= 1440)) return [];
  return [issue(at, `${n} minutes is outside 0-1440`, "use 0 to 1440 minutes (24 hours)")];
}

/** Strategies that shift traffic between two revisions: they need a load balancer or Service Connect. */
const SHIFTING = ["BLUE_GREEN", "LINEAR", "CANARY"];

/** Issues of spec.deployment's strategy members (documented by ECS's DeploymentConfiguration). */
function strategyRules(spec: JsonRecord): ValidationIssue[] {
  const out: ValidationIssue[] = [];
  const deployment = asRecord(spec.deployment);
  if (deployment === undefined) return out;
  const at: DocumentPath = ["spec", "deployment"];
  const strategy = asString(deployment.strategy) ?? "ROLLING";
  const linear = asRecord(deployment.linearConfiguration);
  const canary = asRecord(deployment.canaryConfiguration);
  if (linear !== undefined) {
    if (strategy !== "LINEAR") {
      out.push(
        issue(
          [...at, "linearConfiguration"],
          `linearConfiguration applies only with strategy LINEAR (strategy is ${strategy})`,
          "set strategy: LINEAR, or remove linearConfiguration",
        ),
      );
    }
    out.push(
      ...percentIssue([...at, "linearConfiguration", "stepPercent"], linear.stepPercent, 3, "stepPercent"),
    );
    out.push(
      ...bakeIssue([...at, "linearConfiguration", "stepBakeTimeInMinutes"], linear.stepBakeTimeInMinutes),
    );
  }
  if (canary !== undefined) {
    if (strategy !== "CANARY") {
      out.push(
        issue(
          [...at, "canaryConfiguration"],
          `canaryConfiguration applies only with strategy CANARY (strategy is ${strategy})`,
          "set strategy: CANARY, or remove canaryConfiguration",
        ),
      );
    }
    out.push(
      ...percentIssue(
        [...at, "canaryConfiguration", "canaryPercent"],
        canary.canaryPercent,
        0.1,
        "canaryPercent",
      ),
    );
    out.push(
      ...bakeIssue([...at, "canaryConfiguration", "canaryBakeTimeInMinutes"], canary.canaryBakeTimeInMinutes),
    );
  }
  if (!SHIFTING.includes(strategy)) return out;
  const balancers = recordsOf(spec.loadBalancers);
  const connect = asRecord(spec.serviceConnectConfiguration)?.enabled === true;
  if (balancers.length === 0 && !connect) {
    out.push(
      issue(
        [...at, "strategy"],
        `strategy ${strategy} shifts traffic through a load balancer or Service Connect, and the service has neither`,
        "add loadBalancers (with advancedConfiguration) or serviceConnectConfiguration, or use strategy ROLLING",
      ),
    );
  }
  for (const [i, balancer] of balancers) {
    if (asString(asRecord(balancer.advancedConfiguration)?.alternateTargetGroupArn) !== undefined) continue;
    out.push(
      issue(
        ["spec", "loadBalancers", i, "advancedConfiguration"],
        `strategy ${strategy} needs the load balancer's advancedConfiguration with alternateTargetGroupArn`,
        "add advancedConfiguration: {alternateTargetGroupArn, productionListenerRule, roleArn} (the green target group, listener rule and ECS's ELB role)",
      ),
    );
  }
  return out;
}

/** The operator drives deployments: only ECS's own deployment controller. */
function controllerRules(spec: JsonRecord): ValidationIssue[] {
  const type = asString(asRecord(spec.deploymentController)?.type);
  if (type === undefined || type === "ECS") return [];
  return [
    issue(
      ["spec", "deploymentController", "type"],
      `deployment controller ${type} is not accepted: the operator drives deployments through ECS`,
      "remove deploymentController (or set type: ECS) and choose spec.deployment.strategy (ROLLING, BLUE_GREEN, LINEAR, CANARY)",
    ),
  ];
}

/** Every cross-field issue of the port ranges, Service Connect, VPC Lattice, strategy and controller fields. */
export function ecsServiceRules(spec: JsonRecord): ValidationIssue[] {
  return [...portRules(spec), ...connectRules(spec), ...strategyRules(spec), ...controllerRules(spec)];
}

/**
 * Cross-field rules of the ECS fields passed through on containers (ECS_CONTAINER_FIELDS): references between
 * containers and to volumes, and the members Fargate rejects that ECS's shapes alone allow. Defensive.
 */
import { type DocumentPath, issue, type ValidationIssue } from "./issues.js";
import { VAULT_AGENT_CONTAINER } from "./rules-containers.js";
import { VAULT_VOLUME } from "./rules-ecs-task.js";
import { asNumber, asRecord, asString, type JsonRecord, recordsOf } from "./values.js";

/** Log drivers a Fargate task may use. */
const FARGATE_LOG_DRIVERS = ["awslogs", "splunk", "awsfirelens"];

/** linuxParameters members ECS rejects for Fargate tasks. */
const FARGATE_REFUSED_LINUX = ["devices", "sharedMemorySize", "tmpfs", "maxSwap", "swappiness"];

/** Issues of references from a container to other containers (dependsOn, volumesFrom). */
function containerReferences(
  at: DocumentPath,
  self: string | undefined,
  container: JsonRecord,
  names: ReadonlySet<string>,
): ValidationIssue[] {
  const out: ValidationIssue[] = [];
  const refs: Array<[string, string]> = [
    ["dependsOn", "containerName"],
    ["volumesFrom", "sourceContainer"],
  ];
  for (const [field, key] of refs) {
    for (const [j, entry] of recordsOf(container[field])) {
      const target = asString(entry[key]);
      if (target === undefined) continue;
      if (target === self) {
        out.push(
          issue([...at, field, j, key], `container "${target}" refers to itself`, "name another container"),
        );
      } else if (!names.has(target)) {
        out.push(
          issue(
            [...at, field, j, key],
            `no container named "${target}" in this service`,
            `use one of ${[...names].join(", ")}`,
          ),
        );
      }
    }
  }
  return out;
}

/** Issues of the Fargate-only limits on one container's ECS fields. */
function fargateLimits(at: DocumentPath, container: JsonRecord): ValidationIssue[] {
  const out: ValidationIssue[] = [];
  const linux = asRecord(container.linuxParameters);
  for (const key of FARGATE_REFUSED_LINUX) {
    if (linux?.[key] !== undefined) {
      out.push(
        issue(
          [...at, "linuxParameters", key],
          `linuxParameters.${key} is not supported on Fargate`,
          "remove it",
        ),
      );
    }
  }
  const add = asRecord(linux?.capabilities)?.add;
  if (Array.isArray(add)) {
    add.forEach((capability, j) => {
      if (capability !== "SYS_PTRACE") {
        out.push(
          issue(
            [...at, "linuxParameters", "capabilities", "add", j],
            `Fargate can only add the SYS_PTRACE capability, got ${JSON.stringify(capability)}`,
            "remove it, or add SYS_PTRACE only",
          ),
        );
      }
    });
  }
  for (const [j, requirement] of recordsOf(container.resourceRequirements)) {
    out.push(
      issue(
        [...at, "resourceRequirements", j, "type"],
        `${String(requirement.type)} resources are not available on Fargate`,
        "remove resourceRequirements; Fargate tasks have no GPUs or inference accelerators",
      ),
    );
  }
  const driver = asString(asRecord(container.logConfiguration)?.logDriver);
  if (driver !== undefined && !FARGATE_LOG_DRIVERS.includes(driver)) {
    out.push(
      issue(
        [...at, "logConfiguration", "logDriver"],
        `log driver "${driver}" is not supported on Fargate`,
        `use one of ${FARGATE_LOG_DRIVERS.join(", ")}`,
      ),
    );
  }
  const memory = asNumber(container.memory);
  const reservation = asNumber(container.memoryReservation);
  if (memory !== undefined && reservation !== undefined && reservation > memory) {
    out.push(
      issue(
        [...at, "memoryReservation"],
        `memoryReservation ${reservation} is above the container's memory ${memory}`,
        "make memoryReservation at most memory (it is the soft limit, memory the hard one)",
      ),
    );
  }
  return out;
}

/** Every cross-field issue of the ECS fields on the containers of a (defaulted) FargateService spec. */
export function ecsContainerRules(spec: JsonRecord, vault: JsonRecord | undefined): ValidationIssue[] {
  const out: ValidationIssue[] = [];
  const containers = recordsOf(spec.containers);
  const names = new Set(containers.flatMap(([, c]) => asString(c.name) ?? []));
  if (vault) names.add(VAULT_AGENT_CONTAINER);
  const volumes = new Set(recordsOf(spec.volumes).flatMap(([, v]) => asString(v.name) ?? []));
  if (vault) volumes.add(VAULT_VOLUME);
  for (const [i, container] of containers) {
    const at: DocumentPath = ["spec", "containers", i];
    out.push(...containerReferences(at, asString(container.name), container, names));
    for (const [j, mount] of recordsOf(container.mountPoints)) {
      const source = asString(mount.sourceVolume);
      if (source !== undefined && !volumes.has(source)) {
        out.push(
          issue(
            [...at, "mountPoints", j, "sourceVolume"],
            `no volume named "${source}" in this service`,
            volumes.size > 0 ? `use one of ${[...volumes].join(", ")}` : "declare the volume in spec.volumes",
          ),
        );
      }
    }
    out.push(...fargateLimits(at, container));
  }
  out.push(...fireLensRouter(containers));
  return out;
}

/** ECS refuses the awsfirelens log driver in a task without a log router (a container with firelensConfiguration). */
function fireLensRouter(containers: ReadonlyArray<[number, JsonRecord]>): ValidationIssue[] {
  if (containers.some(([, c]) => c.firelensConfiguration !== undefined)) return [];
  return containers.flatMap(([i, c]) =>
    asString(asRecord(c.logConfiguration)?.logDriver) === "awsfirelens"
      ? [
          issue(
            ["spec", "containers", i, "logConfiguration", "logDriver"],
            "the awsfirelens log driver needs a log router container in this service",
            "add a container with firelensConfiguration (e.g. type: fluentbit), or use awslogs",
          ),
        ]
      : [],
  );
}

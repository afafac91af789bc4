/** Task-level fields of an ECS task definition → FargateService spec fields. Pure. */
import { containerOf } from "./container.js";
import { parseCpu, parseMemory } from "./normalise.js";
import { type Collector, clean, isEmpty, isRecord, type JsonRecord } from "./values.js";

/** Response-only members of describe-task-definition output, and operator-owned ones: ignored. */
const IGNORED = new Set([
  "taskDefinitionArn",
  "revision",
  "status",
  "requiresAttributes",
  "compatibilities",
  "registeredAt",
  "registeredBy",
  "deregisteredAt",
  "deleteRequestedAt",
  "family",
  "tags",
]);
const PASSED = new Set(["runtimePlatform", "volumes", "ephemeralStorage", "proxyConfiguration", "pidMode"]);
const REFUSED: Record<string, string> = {
  ipcMode: "Fargate does not support ipcMode",
  placementConstraints: "Fargate does not support placement constraints",
  inferenceAccelerators: "Fargate has no inference accelerators",
};

/** Task CPU units from "256", 256, "1 vCPU" or "0.25 vCPU"; anything else is a loss. */
export function cpuUnits(value: unknown, path: string, out: Collector): number | undefined {
  return parseCpu(value) ?? out.number(value, path);
}

/** Task memory in MiB from "512", 512, "2 GB" or "2GB"; anything else is a loss. */
export function memoryMiB(value: unknown, path: string, out: Collector): number | undefined {
  return parseMemory(value) ?? out.number(value, path);
}

/** The spec fields a task definition gives (containers, size, task fields, roles as given). */
export function taskSpecOf(td: JsonRecord, out: Collector): JsonRecord {
  const spec: JsonRecord = {};
  const cpu = cpuUnits(td.cpu, "cpu", out);
  if (cpu !== undefined) spec.cpu = cpu;
  const memory = memoryMiB(td.memory, "memory", out);
  if (memory !== undefined) spec.memory = memory;
  const containers = Array.isArray(td.containerDefinitions) ? td.containerDefinitions : [];
  spec.containers = containers.map((c, i) => {
    if (isRecord(c)) return containerOf(c, i, out);
    out.lose(`containerDefinitions[${i}]`, "not a container definition");
    return {};
  });
  const iam: JsonRecord = {};
  for (const key of ["taskRoleArn", "executionRoleArn"]) {
    if (typeof td[key] === "string" && td[key] !== "") iam[key] = td[key];
  }
  if (Object.keys(iam).length > 0) spec.iam = iam;
  for (const [key, value] of Object.entries(td)) {
    if (IGNORED.has(key) || key === "containerDefinitions" || key === "cpu" || key === "memory") continue;
    if (key === "taskRoleArn" || key === "executionRoleArn") continue;
    if (PASSED.has(key)) {
      const cleaned = isEmpty(value) ? undefined : clean(value);
      if (cleaned !== undefined) spec[key] = cleaned;
    } else if (key === "enableFaultInjection") {
      const on = out.boolean(value, key);
      if (on !== undefined) spec.enableFaultInjection = on;
    } else if (key === "networkMode") {
      if (value !== "awsvpc" && !isEmpty(value)) {
        out.lose(key, `network mode ${JSON.stringify(value)}: Fargate tasks always use awsvpc`);
      }
    } else if (key === "requiresCompatibilities") {
      const list = Array.isArray(value) ? value : [value];
      const others = list.filter((v) => v !== "FARGATE");
      // The operator owns requiresCompatibilities (always FARGATE): a definition that also runs elsewhere
      // keeps running on Fargate; one that never ran there is not carried.
      if (others.length > 0 && list.includes("FARGATE")) {
        out.note(
          `requiresCompatibilities: ${others.join(", ")} dropped; the operator registers the task definition for FARGATE only`,
        );
      } else if (others.length > 0) {
        out.lose(key, `${others.join(", ")}: a FargateService's task definition requires FARGATE`);
      }
    } else if (key in REFUSED) {
      if (!isEmpty(value)) out.lose(key, REFUSED[key] as string);
    } else if (value !== undefined && value !== null) {
      out.lose(key, "not a RegisterTaskDefinition field a FargateService carries");
    }
  }
  return spec;
}

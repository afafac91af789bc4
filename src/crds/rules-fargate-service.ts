/**
 * Cross-field rules of FargateService that JSON Schema cannot say. They run on the defaulted document even when
 * the schema failed, so every input is checked defensively and a rule skips what the schema already reports.
 */
import { type DocumentPath, issue, type ValidationIssue } from "./issues.js";
import { autoscalingRules } from "./rules-autoscaling.js";
import { containerRules } from "./rules-containers.js";
import { ecsContainerRules } from "./rules-ecs-containers.js";
import { ecsServiceRules } from "./rules-ecs-service.js";
import { ecsTaskRules } from "./rules-ecs-task.js";
import { windowsRules } from "./rules-windows.js";
import { describeMemoryFor, isValidTaskSize } from "./task-size.js";
import { asNumber, asRecord, asString, isRecord, type JsonRecord, recordsOf } from "./values.js";

/** Checks a task's cpu/memory pair against the Fargate table; `at` is the object holding cpu and memory. */
export function taskSizeIssues(at: DocumentPath, holder: JsonRecord): ValidationIssue[] {
  const cpu = asNumber(holder.cpu);
  const memory = asNumber(holder.memory);
  if (cpu === undefined || memory === undefined) return [];
  const allowed = describeMemoryFor(cpu);
  if (allowed === undefined || isValidTaskSize(cpu, memory)) return []; // unknown cpu: the schema's enum says so
  return [
    issue(
      [...at, "memory"],
      `memory ${memory} is not a Fargate task size with cpu ${cpu}`,
      `with cpu ${cpu} use memory ${allowed}`,
    ),
  ];
}

/** Container cpu/memory reservations must fit in the task size minus the Vault agent's share. */
function resourceRules(spec: JsonRecord, vault: JsonRecord | undefined): ValidationIssue[] {
  const out: ValidationIssue[] = [];
  const containers = recordsOf(spec.containers);
  for (const field of ["cpu", "memory"] as const) {
    const task = asNumber(spec[field]);
    if (task === undefined) continue;
    const agent = vault ? (asNumber(vault[field]) ?? 0) : 0;
    const available = task - agent;
    const unit = field === "cpu" ? "CPU units" : "MiB";
    if (available <= 0) {
      // Without vault a task size ≤ 0 is the schema's to report; there is no spec.vault to name.
      if (vault) {
        out.push(
          issue(
            ["spec", "vault", field],
            `the Vault agent's ${field} (${agent} ${unit}) leaves nothing of the task's ${task}`,
            `raise spec.${field} or lower vault.${field}`,
          ),
        );
      }
      continue;
    }
    const total = containers.reduce((sum, [, c]) => sum + (asNumber(c[field]) ?? 0), 0);
    if (total > available) {
      const carve = vault ? ` (task ${field} ${task} minus ${agent} for the Vault agent)` : "";
      out.push(
        issue(
          ["spec", "containers"],
          `containers reserve ${total} ${unit} of ${field} but only ${available} are available${carve}`,
          `lower the containers' ${field} or raise spec.${field}`,
        ),
      );
    }
  }
  return out;
}

function discoveryRules(spec: JsonRecord): ValidationIssue[] {
  const out: ValidationIssue[] = [];
  const discovery = asRecord(spec.discovery);
  const cloudMap = asRecord(discovery?.cloudMap);
  const consul = asRecord(discovery?.consul);
  if (cloudMap) {
    const at: DocumentPath = ["spec", "discovery", "cloudMap"];
    const records = Array.isArray(cloudMap.records) ? cloudMap.records : [];
    if (records.length > 0 && !records.includes("A")) {
      out.push(issue([...at, "records"], "records must include A", "use [A] or [A, SRV]"));
    }
    const port = asNumber(cloudMap.port);
    if (records.includes("SRV") && cloudMap.port === undefined) {
      out.push(
        issue(
          [...at, "port"],
          "SRV records need a port",
          "set discovery.cloudMap.port to one of the containers' ports",
        ),
      );
    }
    if (port !== undefined) {
      const declared = recordsOf(spec.containers).flatMap(([, c]) =>
        recordsOf(c.ports).flatMap(([, p]) => {
          const n = asNumber(p.containerPort);
          return n === undefined ? [] : [n];
        }),
      );
      if (!declared.includes(port)) {
        const hint =
          declared.length > 0
            ? `use one of the containers' ports: ${[...new Set(declared)].join(", ")}`
            : "add the port to a container's ports";
        out.push(issue([...at, "port"], `port ${port} is not a port of any container`, hint));
      }
    }
  }
  if (consul && consul.register === true && !cloudMap) {
    out.push(
      issue(
        ["spec", "discovery", "consul", "register"],
        "discovery.consul.register needs discovery.cloudMap",
        "add discovery.cloudMap (Consul entries are mirrored from Cloud Map), or set register: false",
      ),
    );
  }
  return out;
}

function vaultRules(spec: JsonRecord, vault: JsonRecord): ValidationIssue[] {
  const out: ValidationIssue[] = [];
  const iam = asRecord(spec.iam);
  if (iam?.taskRoleArn === undefined) {
    out.push(
      issue(
        ["spec", "iam", "taskRoleArn"],
        "vault needs iam.taskRoleArn (the Vault agent logs in as the task role)",
        "set spec.iam.taskRoleArn to the role that the Vault AWS auth role trusts",
      ),
    );
  }
  const discovery = asRecord(spec.discovery);
  if (vault.address === undefined && !isRecord(discovery?.cloudMap)) {
    out.push(
      issue(
        ["spec", "vault", "address"],
        "vault.address is not set and there is no discovery.cloudMap to derive it from",
        "set vault.address, or add discovery.cloudMap (the default is https://vault.<namespace dnsName>:8200)",
      ),
    );
  }
  const names = new Map<string, number>();
  for (const [i, secret] of recordsOf(vault.secrets)) {
    const name = asString(secret.name);
    if (name === undefined) continue;
    const first = names.get(name);
    if (first !== undefined) {
      out.push(
        issue(
          ["spec", "vault", "secrets", i, "name"],
          `duplicate secret file name "${name}" (also vault.secrets[${first}])`,
          "give each secret file a unique name",
        ),
      );
    } else names.set(name, i);
  }
  return out;
}

function executionRoleRules(spec: JsonRecord): ValidationIssue[] {
  if (asRecord(spec.iam)?.executionRoleArn !== undefined) return [];
  const out: ValidationIssue[] = [];
  for (const [i, container] of recordsOf(spec.containers)) {
    const secrets = asRecord(container.secrets);
    if (secrets && Object.keys(secrets).length > 0) {
      out.push(
        issue(
          ["spec", "containers", i, "secrets"],
          "container secrets need iam.executionRoleArn (ECS reads them with the execution role)",
          "set spec.iam.executionRoleArn",
        ),
      );
    }
  }
  if (isRecord(spec.logging)) {
    out.push(
      issue(
        ["spec", "logging"],
        "logging needs iam.executionRoleArn (ECS writes the logs with the execution role)",
        "set spec.iam.executionRoleArn",
      ),
    );
  }
  return out;
}

/** Every cross-field issue of a (defaulted) FargateService spec. */
export function fargateServiceRules(spec: JsonRecord): ValidationIssue[] {
  const vault = asRecord(spec.vault);
  const out: ValidationIssue[] = [...taskSizeIssues(["spec"], spec)];
  const deployment = asRecord(spec.deployment);
  const min = asNumber(deployment?.minimumHealthyPercent);
  const max = asNumber(deployment?.maximumPercent);
  if (min !== undefined && max !== undefined && min > max) {
    out.push(
      issue(
        ["spec", "deployment", "minimumHealthyPercent"],
        `minimumHealthyPercent (${min}) is above maximumPercent (${max})`,
        "lower minimumHealthyPercent or raise maximumPercent",
      ),
    );
  }
  out.push(
    ...containerRules(spec, vault),
    ...ecsContainerRules(spec, vault),
    ...ecsTaskRules(spec, vault),
    ...ecsServiceRules(spec),
    ...resourceRules(spec, vault),
    ...discoveryRules(spec),
    ...autoscalingRules(spec),
    ...windowsRules(spec),
  );
  if (vault) out.push(...vaultRules(spec, vault));
  out.push(...executionRoleRules(spec));
  return out;
}

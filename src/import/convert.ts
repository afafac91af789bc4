/**
 * ECS definitions → one FargateService document (plain JSON; validation decides), every part that cannot be
 * carried named by its input path, and the round trip's differences. Pure.
 */
import { API_VERSION, FARGATE_TASK_CPUS, isValidTaskSize } from "../crds/index.js";
import { autoscalingSpecOf } from "./autoscaling.js";
import { conformInput } from "./model.js";
import { PLACEHOLDER, type RoleContext, roleArnOf, secretArnOf } from "./normalise.js";
import { roundTripLosses } from "./round-trip.js";
import { recordName, serviceSpecOf } from "./service.js";
import { taskSpecOf } from "./task.js";
import type { EcsInput, ImportOptions, ImportResult } from "./types.js";
import { Collector, isRecord, type JsonRecord, userTagsOf, withoutTemplates } from "./values.js";

/** Placeholders written when only a task definition is imported (it names no cluster or network). */
export const PLACEHOLDER_SUBNET = "subnet-REPLACE-ME";
export const PLACEHOLDER_SECURITY_GROUP = "sg-REPLACE-ME";

const ARN_ACCOUNT = /^arn:(aws[a-z-]*):[a-z0-9-]+:([a-z0-9-]*):(\d{12}):/;

/** The account (and partition) of the input: `--account-id`, else the first ARN of the definitions that has one. */
export function rolesOf(input: EcsInput, accountId?: string): RoleContext {
  const td = input.taskDefinition;
  const preferred = [
    td.taskDefinitionArn,
    input.service?.serviceArn,
    input.service?.clusterArn,
    input.service?.cluster,
    td.taskRoleArn,
    td.executionRoleArn,
  ];
  const found: Array<[string, string, string]> = [];
  const visit = (value: unknown): void => {
    if (typeof value === "string") {
      const m = ARN_ACCOUNT.exec(value);
      if (m) found.push([m[1] as string, m[3] as string, m[2] as string]);
    } else if (Array.isArray(value)) value.forEach(visit);
    else if (isRecord(value)) Object.values(value).forEach(visit);
  };
  preferred.forEach(visit);
  visit(td);
  visit(input.service);
  const partition = found[0]?.[0];
  const account = accountId ?? found[0]?.[1] ?? templatedAccount(input);
  const region = found.find(([, , r]) => r !== "")?.[2] ?? awslogsRegion(td);
  return {
    ...(account === undefined ? {} : { accountId: account }),
    ...(partition === undefined ? {} : { partition }),
    ...(region === undefined ? {} : { region }),
  };
}

/**
 * ecspresso files write the account as one template expression in every ARN (`arn:aws:iam::{{ must_env
 * `AWS_ACCOUNT_ID` }}:role/x`); when all of them use the same one, it stands for the account.
 */
function templatedAccount(input: EcsInput): string | undefined {
  const text = JSON.stringify([input.taskDefinition, input.service ?? null]);
  const accounts = new Set(
    [...text.matchAll(/arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:(\{\{[^}]*\}\}):/g)].map((m) => m[1]),
  );
  return accounts.size === 1 ? [...accounts][0] : undefined;
}

/** The `awslogs-region` of the first container that logs with awslogs (where the tasks run). */
function awslogsRegion(td: JsonRecord): string | undefined {
  for (const c of Array.isArray(td.containerDefinitions) ? td.containerDefinitions : []) {
    const options = isRecord(c) && isRecord(c.logConfiguration) ? c.logConfiguration.options : undefined;
    const region = isRecord(options) ? options["awslogs-region"] : undefined;
    if (typeof region === "string" && /^[a-z]{2}(-[a-z]+)+-\d$/.test(region)) return region;
  }
  return undefined;
}

/**
 * The service's tags become spec.tags (on every resource); the task definition's keys that the service lacks or
 * gives another value become spec.taskDefinitionTags (revisions only). Without a service, all go in spec.tags.
 */
function tagsOf(input: EcsInput, spec: JsonRecord, out: Collector): void {
  const taskTags = userTagsOf(input.taskDefinitionTags ?? input.taskDefinition.tags);
  if (input.service === undefined) {
    if (Object.keys(taskTags).length > 0) spec.tags = taskTags;
    return;
  }
  const serviceTags = userTagsOf(input.service.tags);
  const own = Object.fromEntries(Object.entries(taskTags).filter(([k, v]) => serviceTags[k] !== v));
  if (Object.keys(serviceTags).length > 0) spec.tags = serviceTags;
  if (Object.keys(own).length > 0) spec.taskDefinitionTags = own;
  const added = Object.keys(serviceTags).filter((k) => !(k in taskTags));
  if (added.length > 0) {
    out.note(
      `spec.tags: the service's ${added.join(", ")} will also tag the task definition's revisions (spec.tags go on every resource)`,
    );
  }
}

/** The record name: --name, else the ECS service name (less `<namespace>-`), else the family. */
function nameOf(input: EcsInput, options: ImportOptions, namespace: string, out: Collector): string {
  const serviceName = input.service?.serviceName;
  const family = input.taskDefinition.family;
  let wanted = options.name;
  if (wanted === undefined && typeof serviceName === "string") {
    wanted = serviceName.startsWith(`${namespace}-`) ? serviceName.slice(namespace.length + 1) : serviceName;
  }
  if (wanted === undefined && typeof family === "string") wanted = family;
  const name = recordName(wanted ?? "imported");
  if (wanted === undefined)
    out.note(`metadata.name: the input names nothing; "${name}" written (choose one with --name)`);
  else if (name !== wanted) out.note(`metadata.name: "${wanted}" is not a record name; "${name}" written`);
  if (options.live && typeof serviceName === "string" && serviceName !== `${namespace}-${name}`) {
    const dash = serviceName.indexOf("-");
    const hint =
      dash > 0 ? ` (for example -n ${serviceName.slice(0, dash)} --name ${serviceName.slice(dash + 1)})` : "";
    out.lose(
      "serviceName",
      `the operator manages the ECS service ${namespace}-${name}, so adopt would not find ${serviceName}; import with -n and --name so that <namespace>-<name> is ${serviceName}${hint}`,
    );
  }
  return name;
}

/** Without a task size (a bare container list, or EC2-style), the smallest Fargate size that holds the containers. */
function fillTaskSize(spec: JsonRecord, out: Collector): void {
  if (spec.cpu !== undefined && spec.memory !== undefined) return;
  const containers = (Array.isArray(spec.containers) ? spec.containers : []).filter(isRecord);
  const sum = (pick: (c: JsonRecord) => unknown) =>
    containers.reduce((n, c) => n + (typeof pick(c) === "number" ? (pick(c) as number) : 0), 0);
  const cpuNeeded = typeof spec.cpu === "number" ? spec.cpu : sum((c) => c.cpu);
  const memoryNeeded =
    typeof spec.memory === "number" ? spec.memory : sum((c) => c.memory ?? c.memoryReservation);
  for (const cpu of [...FARGATE_TASK_CPUS].sort((a, b) => a - b)) {
    if (cpu < cpuNeeded || (spec.cpu !== undefined && cpu !== spec.cpu)) continue;
    for (let memory = 512; memory <= 122_880; memory += 512) {
      if (memory < memoryNeeded || (spec.memory !== undefined && memory !== spec.memory)) continue;
      if (!isValidTaskSize(cpu, memory)) continue;
      out.note(
        `spec.cpu, spec.memory: the input gives no task size; ${cpu}/${memory} written, the smallest Fargate size that holds the containers (set your own)`,
      );
      spec.cpu = cpu;
      spec.memory = memory;
      return;
    }
  }
}

const SPEC_ORDER = [
  "cluster",
  "cpu",
  "memory",
  "runtimePlatform",
  "desiredCount",
  "autoscaling",
  "containers",
  "network",
  "iam",
];

/** Converts ECS definitions into a FargateService document, with losses and notes. */
export function importFargateService(given: EcsInput, options: ImportOptions = {}): ImportResult {
  const out = new Collector();
  const input = conformInput(given, out);
  const roles = rolesOf(input, options.accountId);
  const spec: JsonRecord = taskSpecOf(input.taskDefinition, out);
  if (input.service !== undefined) {
    Object.assign(spec, serviceSpecOf(input.service, out, input.cloudMap));
    const autoscaling = autoscalingSpecOf(input.autoscaling, spec, roles, out);
    if (autoscaling !== undefined) spec.autoscaling = autoscaling;
  } else {
    spec.cluster = "default";
    spec.network = { subnets: [PLACEHOLDER_SUBNET], securityGroups: [PLACEHOLDER_SECURITY_GROUP] };
    out.note(
      "spec.cluster, spec.network: a task definition alone names no cluster or network; placeholders written (replace them, or import with --service)",
    );
  }
  if (isRecord(spec.iam)) {
    for (const key of ["taskRoleArn", "executionRoleArn"]) {
      const given = spec.iam[key];
      const arn = roleArnOf(given, roles);
      if (arn !== given) {
        spec.iam[key] = arn;
        out.note(`${key}: role name ${String(given)} written as ${String(arn)}`);
      } else if (typeof given === "string" && !given.startsWith("arn:") && !PLACEHOLDER.test(given)) {
        out.note(
          `${key}: role name ${given} kept as given (the account is not known; pass --account-id to write an ARN)`,
        );
      }
    }
  }
  for (const container of Array.isArray(spec.containers) ? spec.containers : []) {
    if (!isRecord(container) || !isRecord(container.secrets)) continue;
    for (const [key, value] of Object.entries(container.secrets)) {
      const arn = secretArnOf(value, roles);
      if (arn === value) continue;
      container.secrets[key] = arn;
      out.note(`secrets ${key}: SSM parameter name ${String(value)} written as ${String(arn)}`);
    }
  }
  fillTaskSize(spec, out);
  tagsOf(input, spec, out);
  if (options.live) spec.adopt = true;
  const namespace = options.namespace ?? "default";
  const name = nameOf(input, options, namespace, out);
  const ordered: JsonRecord = {};
  for (const key of SPEC_ORDER) if (key in spec) ordered[key] = spec[key];
  Object.assign(ordered, spec);
  const document: JsonRecord = {
    apiVersion: API_VERSION,
    kind: "FargateService",
    metadata: { name, ...(options.namespace === undefined ? {} : { namespace: options.namespace }) },
    spec: ordered,
  };
  const templates = { count: 0 };
  withoutTemplates(document, templates);
  if (templates.count > 0) {
    out.note(
      `${templates.count} value(s) hold template expressions ({{ … }}), kept as given: render them (as ecspresso would) before apply`,
    );
  }
  const losses = [...out.losses];
  const reported = (path: string) =>
    losses.some(
      (l) =>
        path === l.path ||
        path.startsWith(`${l.path}.`) ||
        path.startsWith(`${l.path}[`) ||
        l.path.startsWith(`${path}.`) ||
        l.path.startsWith(`${path}[`),
    );
  for (const loss of roundTripLosses(document, { input, roles, region: options.region ?? "us-east-1" })) {
    if (!reported(loss.path)) losses.push(loss);
  }
  return { document, losses, notes: out.notes };
}

import { epochSeconds } from "../context.js";
import { AwsApiError } from "../errors.js";
import { boolField, field, type Input, type JsonObject, numField, objListField } from "../input.js";
import type { HandlerTable } from "../operation.js";
import { paginate } from "../pagination.js";
import { checkRoleArn } from "../strict.js";
import { isFargateSize, normaliseCpu, normaliseMemory } from "./fargate.js";
import type { ContainerFacts, EcsState, EcsTaskDefinition } from "./state.js";
import { readEcsTags } from "./tagging.js";

const FAMILY = /^[a-zA-Z0-9_-]{1,255}$/;
/** Request members echoed back in the TaskDefinition (tags travel separately). */
const ECHOED = [
  "taskRoleArn",
  "executionRoleArn",
  "volumes",
  "placementConstraints",
  "requiresCompatibilities",
  "runtimePlatform",
  "pidMode",
  "ipcMode",
  "proxyConfiguration",
  "inferenceAccelerators",
  "ephemeralStorage",
  "enableFaultInjection",
];

const clientError = (message: string) => new AwsApiError("ClientException", message);

/** A container definition with the defaults ECS fills in (so clients see what they will diff against). */
function withContainerDefaults(def: JsonObject, networkMode: string): JsonObject {
  const portMappings = objListField(def, "portMappings").map((p) => {
    const containerPort = numField(p, "containerPort");
    const hostPort = numField(p, "hostPort");
    if (networkMode === "awsvpc" && hostPort !== undefined && hostPort !== containerPort) {
      throw clientError(
        "When networkMode=awsvpc, the host ports and container ports in port mappings must match.",
      );
    }
    return {
      ...p,
      hostPort: hostPort ?? (networkMode === "awsvpc" ? containerPort : undefined),
      protocol: field(p, "protocol") ?? "tcp",
    };
  });
  return {
    ...def,
    cpu: numField(def, "cpu") ?? 0,
    portMappings,
    essential: boolField(def, "essential") ?? true,
    environment: def.environment ?? [],
    mountPoints: def.mountPoints ?? [],
    volumesFrom: def.volumesFrom ?? [],
    systemControls: def.systemControls ?? [],
  };
}

function containerFacts(def: JsonObject): ContainerFacts {
  return {
    name: field(def, "name") ?? "",
    image: field(def, "image") ?? "",
    essential: boolField(def, "essential") ?? true,
    ports: objListField(def, "portMappings").map((p) => ({
      containerPort: numField(p, "containerPort") ?? 0,
      protocol: field(p, "protocol") ?? "tcp",
    })),
  };
}

/** The TaskDefinition shape. */
export function taskDefinitionShape(state: EcsState, td: EcsTaskDefinition): JsonObject {
  return {
    ...td.body,
    taskDefinitionArn: td.arn,
    family: td.family,
    revision: td.revision,
    status: td.status,
    registeredAt: epochSeconds(td.registeredAt),
    deregisteredAt: td.deregisteredAt === undefined ? undefined : epochSeconds(td.deregisteredAt),
    registeredBy: `arn:aws:iam::${state.ctx.accountId}:root`,
  };
}

/** Reads and validates a RegisterTaskDefinition request into a new revision. */
function register(state: EcsState, input: Input): EcsTaskDefinition {
  const family = input.str("family");
  if (!FAMILY.test(family)) throw clientError("Family contains invalid characters.");
  const containerDefinitions = input.optObjList("containerDefinitions") ?? [];
  if (containerDefinitions.length === 0) throw clientError("Container list cannot be empty.");
  const names = new Set<string>();
  for (const def of containerDefinitions) {
    const name = field(def, "name");
    if (name === undefined || name === "") throw clientError("Container.name should not be null or empty.");
    if (field(def, "image") === undefined) throw clientError("Container.image should not be null or empty.");
    if (names.has(name)) throw clientError(`Duplicate container name: ${name}`);
    names.add(name);
  }
  const networkMode = input.optStr("networkMode") ?? "bridge";
  const compat = input.optStrList("requiresCompatibilities") ?? [];
  const cpuIn = input.optStr("cpu");
  const memoryIn = input.optStr("memory");
  const cpu = cpuIn === undefined ? undefined : normaliseCpu(cpuIn);
  const memory = memoryIn === undefined ? undefined : normaliseMemory(memoryIn);
  if (cpuIn !== undefined && cpu === undefined) throw clientError(`Invalid 'cpu' setting for task: ${cpuIn}`);
  if (memoryIn !== undefined && memory === undefined)
    throw clientError(`Invalid 'memory' setting for task: ${memoryIn}`);
  if (compat.includes("FARGATE")) {
    if (networkMode !== "awsvpc") throw clientError("Fargate only supports network mode 'awsvpc'.");
    if (cpu === undefined) throw clientError("Fargate requires that 'cpu' be defined at the task level.");
    if (memory === undefined)
      throw clientError("Fargate requires that 'memory' be defined at the task level.");
    if (!isFargateSize(Number(cpu), Number(memory))) {
      throw clientError(`No Fargate configuration exists for given values: ${cpu} CPU, ${memory} memory.`);
    }
  }
  checkRoleArn(state.ctx, input.optStr("taskRoleArn"), "Role");
  checkRoleArn(state.ctx, input.optStr("executionRoleArn"), "Role");
  const tags = readEcsTags(input);
  const body: JsonObject = {};
  for (const key of ECHOED) {
    const value = input.raw(key);
    if (value !== undefined && value !== null) body[key] = value;
  }
  const fargateReady = networkMode === "awsvpc" && cpu !== undefined && memory !== undefined;
  Object.assign(body, {
    containerDefinitions: containerDefinitions.map((d) => withContainerDefaults(d, networkMode)),
    networkMode,
    volumes: body.volumes ?? [],
    placementConstraints: body.placementConstraints ?? [],
    requiresAttributes: [
      { name: "com.amazonaws.ecs.capability.docker-remote-api.1.18" },
      ...(networkMode === "awsvpc" ? [{ name: "ecs.capability.task-eni" }] : []),
    ],
    compatibilities: fargateReady ? ["EC2", "FARGATE"] : ["EC2"],
    cpu,
    memory,
  });
  const revisions = state.taskDefinitions.get(family) ?? [];
  const revision = (revisions.at(-1)?.revision ?? 0) + 1;
  const td: EcsTaskDefinition = {
    arn: state.arn(`task-definition/${family}:${revision}`),
    family,
    revision,
    body,
    containers: containerDefinitions.map(containerFacts),
    cpu,
    memory,
    registeredAt: state.ctx.clock.now(),
    status: "ACTIVE",
    deregisteredAt: undefined,
    tags,
  };
  state.taskDefinitions.set(family, [...revisions, td]);
  return td;
}

/** RegisterTaskDefinition, DescribeTaskDefinition, DeregisterTaskDefinition, ListTaskDefinitions(+Families). */
export function taskDefinitionHandlers(state: EcsState): HandlerTable {
  const describeable = (ref: string): EcsTaskDefinition => {
    const td = state.findTaskDefinition(ref);
    if (td === undefined) throw clientError("Unable to describe task definition.");
    return td;
  };
  return {
    RegisterTaskDefinition(input: Input) {
      const td = register(state, input);
      return { taskDefinition: taskDefinitionShape(state, td), tags: td.tags.map((t) => ({ ...t })) };
    },

    DescribeTaskDefinition(input: Input) {
      const td = describeable(input.str("taskDefinition"));
      const withTags = (input.optStrList("include") ?? []).includes("TAGS");
      return {
        taskDefinition: taskDefinitionShape(state, td),
        tags: withTags ? td.tags.map((t) => ({ ...t })) : undefined,
      };
    },

    DeregisterTaskDefinition(input: Input) {
      const ref = input.str("taskDefinition");
      const spec = ref.split("/").pop() ?? ref;
      if (!/:\d+$/.test(spec))
        throw new AwsApiError("InvalidParameterException", "Invalid revision number. Number: ");
      const td = state.findTaskDefinition(ref);
      if (td === undefined) throw clientError("The specified task definition does not exist.");
      if (td.status === "ACTIVE") {
        td.status = "INACTIVE";
        td.deregisteredAt = state.ctx.clock.now();
      }
      return { taskDefinition: taskDefinitionShape(state, td) };
    },

    ListTaskDefinitions(input: Input) {
      const family = input.optStr("familyPrefix");
      const status = input.optStr("status") ?? "ACTIVE";
      const sort = input.optStr("sort") ?? "ASC";
      const families = family === undefined ? [...state.taskDefinitions.keys()].sort() : [family];
      let list = families
        .flatMap((f) => state.taskDefinitions.get(f) ?? [])
        .filter((td) => td.status === status);
      if (sort === "DESC") list = list.reverse();
      const page = paginate(
        list.map((td) => td.arn),
        { nextToken: input.optStr("nextToken"), maxResults: input.optNum("maxResults") },
        { defaultSize: 100, maxSize: 100 },
        (m) => input.invalid(m),
      );
      return { taskDefinitionArns: page.items, nextToken: page.nextToken };
    },

    ListTaskDefinitionFamilies(input: Input) {
      const prefix = input.optStr("familyPrefix") ?? "";
      const status = input.optStr("status") ?? "ACTIVE";
      const families = [...state.taskDefinitions.entries()]
        .filter(
          ([f, revs]) =>
            f.startsWith(prefix) && (status === "ALL" || revs.some((td) => td.status === status)),
        )
        .map(([f]) => f)
        .sort();
      const page = paginate(
        families,
        { nextToken: input.optStr("nextToken"), maxResults: input.optNum("maxResults") },
        { defaultSize: 100, maxSize: 100 },
        (m) => input.invalid(m),
      );
      return { families: page.items, nextToken: page.nextToken };
    },
  };
}

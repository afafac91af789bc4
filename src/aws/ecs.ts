/** The ECS gateway: task definitions, services (reads through the per-cluster cache) and tagging. */
import {
  CreateServiceCommand,
  DeleteServiceCommand,
  DeregisterTaskDefinitionCommand,
  DescribeServiceDeploymentsCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  type ECSClient,
  ListClustersCommand,
  ListServicesCommand,
  ListTaskDefinitionFamiliesCommand,
  ListTaskDefinitionsCommand,
  RegisterTaskDefinitionCommand,
  type RegisterTaskDefinitionCommandInput,
  type Tag,
  TagResourceCommand,
  type TaskDefinition,
  UpdateServiceCommand,
} from "@aws-sdk/client-ecs";
import type { Clock } from "../clock.js";
import { type CallContext, callAws, type SendOptions } from "./call.js";
import { AwsInvalidRequestError, AwsNotFoundError } from "./errors.js";
import { allPages } from "./pages.js";
import { ServiceCache, type ServiceObservation } from "./service-cache.js";
import { listStoppedTasks } from "./stopped-tasks.js";
import { describeFailure, malformedResponse } from "./translate.js";
import type {
  DescribeServiceOptions,
  EcsCreateServiceInput,
  EcsGateway,
  EcsService,
  EcsUpdateServiceInput,
  TagMap,
  TaskDefinitionRevision,
} from "./types.js";

/** A cluster as the cache keys it: its name, also when given as an ARN; ECS's default when omitted. */
export function clusterKey(cluster: string | undefined): string {
  if (cluster === undefined || cluster === "") return "default";
  return cluster.startsWith("arn:") ? (cluster.split("/").pop() ?? cluster) : cluster;
}

/** A service as the cache keys it: its name, also when given as an ARN (`…:service/<cluster>/<name>`). */
export function serviceKey(service: string): string {
  return service.startsWith("arn:") ? (service.split("/").pop() ?? service) : service;
}

/** ECS `[{key, value}]` tags as a map. */
export function ecsTagMap(tags: readonly Tag[] | undefined): TagMap {
  const out: TagMap = {};
  for (const { key, value } of tags ?? []) if (key !== undefined) out[key] = value ?? "";
  return out;
}

/** A map as ECS `[{key, value}]` tags. */
export function ecsTags(tags: TagMap): Tag[] {
  return Object.entries(tags).map(([key, value]) => ({ key, value }));
}

/** The family of a task-definition ARN (`…:task-definition/<family>:<revision>`). */
export function familyOfArn(arn: string): string {
  const spec = arn.split("/").pop() ?? arn;
  const colon = spec.lastIndexOf(":");
  return colon < 0 ? spec : spec.slice(0, colon);
}

/** The revision number of a task-definition ARN (0 when it has none). */
export function revisionOfArn(arn: string): number {
  const revision = Number(arn.slice(arn.lastIndexOf(":") + 1));
  return Number.isInteger(revision) ? revision : 0;
}

const REVISION_STATUSES = new Set<string>(["ACTIVE", "INACTIVE", "DELETE_IN_PROGRESS"]);

function revisionOf(operation: string, td: TaskDefinition | undefined, tags: TagMap): TaskDefinitionRevision {
  const { taskDefinitionArn, family, revision, status } = td ?? {};
  if (taskDefinitionArn === undefined || family === undefined || revision === undefined)
    throw malformedResponse("ecs", operation, "taskDefinition");
  return {
    arn: taskDefinitionArn,
    family,
    revision,
    status: status !== undefined && REVISION_STATUSES.has(status) ? status : "ACTIVE",
    tags,
  };
}

/** Builds the ECS gateway over `client`; `ctx` carries pacing, metrics and logging. */
export function createEcsGateway(
  client: ECSClient,
  ctx: CallContext,
  clock: Clock,
  serviceCacheMaxAgeMs?: number,
): EcsGateway {
  const call = <T>(operation: string, send: (o: SendOptions) => Promise<T>, signal?: AbortSignal) =>
    callAws(ctx, operation, send, signal);

  const describeBatch = async (
    cluster: string,
    names: string[],
  ): Promise<Map<string, ServiceObservation>> => {
    const out = await call("DescribeServices", (o) =>
      client.send(new DescribeServicesCommand({ cluster, services: names, include: ["TAGS"] }), o),
    );
    const observed = new Map<string, ServiceObservation>();
    for (const service of out.services ?? []) {
      if (service.serviceName === undefined) continue;
      observed.set(service.serviceName, { service: service.status === "INACTIVE" ? undefined : service });
    }
    for (const { arn, reason } of out.failures ?? []) {
      if (arn === undefined) continue;
      const name = serviceKey(arn.split("/").pop() ?? arn);
      observed.set(
        name,
        reason === "MISSING"
          ? { service: undefined }
          : { error: describeFailure("DescribeServices", arn, reason ?? "") },
      );
    }
    return observed;
  };
  const cache = new ServiceCache(clock, describeBatch, serviceCacheMaxAgeMs);

  const remember = (cluster: string | undefined, service: EcsService | undefined, operation: string) => {
    if (service?.serviceName === undefined) throw malformedResponse("ecs", operation, "service");
    cache.store(clusterKey(cluster ?? service.clusterArn), service.serviceName, service);
    return service;
  };

  return {
    async describeServiceDeployment(arn: string, signal?: AbortSignal) {
      const out = await call(
        "DescribeServiceDeployments",
        (o) => client.send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [arn] }), o),
        signal,
      );
      return out.serviceDeployments?.find((d) => d.serviceDeploymentArn === arn);
    },

    listStoppedTasks(cluster: string, service: string, deploymentId: string, signal?: AbortSignal) {
      return listStoppedTasks(client, call, cluster, service, deploymentId, signal);
    },

    async registerTaskDefinition(input: RegisterTaskDefinitionCommandInput, signal?: AbortSignal) {
      const out = await call(
        "RegisterTaskDefinition",
        (o) => client.send(new RegisterTaskDefinitionCommand(input), o),
        signal,
      );
      return revisionOf("RegisterTaskDefinition", out.taskDefinition, ecsTagMap(out.tags ?? input.tags));
    },

    async listActiveRevisions(family: string, signal?: AbortSignal) {
      const arns: string[] = [];
      let nextToken: string | undefined;
      do {
        const out = await call(
          "ListTaskDefinitions",
          (o) =>
            client.send(
              new ListTaskDefinitionsCommand({
                familyPrefix: family,
                status: "ACTIVE",
                sort: "DESC",
                ...(nextToken === undefined ? {} : { nextToken }),
              }),
              o,
            ),
          signal,
        );
        arns.push(...(out.taskDefinitionArns ?? []));
        nextToken = out.nextToken;
      } while (nextToken !== undefined && nextToken !== "");
      // familyPrefix matches by prefix ("web" also lists "web-2"), so keep the exact family only; and sort
      // here too, since not every ECS endpoint honours sort (moto lists oldest first).
      return arns
        .filter((arn) => familyOfArn(arn) === family)
        .sort((a, b) => revisionOfArn(b) - revisionOfArn(a));
    },

    async describeTaskDefinition(arn: string, signal?: AbortSignal) {
      const out = await call(
        "DescribeTaskDefinition",
        (o) => client.send(new DescribeTaskDefinitionCommand({ taskDefinition: arn, include: ["TAGS"] }), o),
        signal,
      );
      const revision = revisionOf("DescribeTaskDefinition", out.taskDefinition, ecsTagMap(out.tags));
      // The content as plain JSON, for comparing a running revision with a rendering (adoption).
      return {
        ...revision,
        content: JSON.parse(JSON.stringify(out.taskDefinition)) as Record<string, unknown>,
      };
    },

    async deregisterTaskDefinition(arn: string, signal?: AbortSignal) {
      try {
        await call(
          "DeregisterTaskDefinition",
          (o) => client.send(new DeregisterTaskDefinitionCommand({ taskDefinition: arn }), o),
          signal,
        );
      } catch (error) {
        // ECS answers an already inactive revision either with it (INACTIVE) or with a ClientException saying so.
        if (error instanceof AwsInvalidRequestError && /inactive/i.test(error.message)) return;
        throw error;
      }
    },

    describeService(cluster: string, name: string, options: DescribeServiceOptions = {}) {
      return cache.read(clusterKey(cluster), serviceKey(name), options.maxAgeMs ?? 0, options.signal);
    },

    async createService(input: EcsCreateServiceInput, signal?: AbortSignal) {
      const out = await call("CreateService", (o) => client.send(new CreateServiceCommand(input), o), signal);
      return remember(input.cluster, out.service, "CreateService");
    },

    async updateService(input: EcsUpdateServiceInput, signal?: AbortSignal) {
      const out = await call("UpdateService", (o) => client.send(new UpdateServiceCommand(input), o), signal);
      return remember(input.cluster, out.service, "UpdateService");
    },

    async deleteService(cluster: string, name: string, signal?: AbortSignal) {
      try {
        const out = await call(
          "DeleteService",
          (o) => client.send(new DeleteServiceCommand({ cluster, service: name }), o),
          signal,
        );
        return remember(cluster, out.service, "DeleteService");
      } catch (error) {
        // Not found, or no longer ACTIVE (already DRAINING): either way a deletion already happened. The next
        // read asks ECS again rather than trusting a guess about which of the two it was.
        if (!(error instanceof AwsNotFoundError)) throw error;
        cache.forget(clusterKey(cluster), serviceKey(name));
        return undefined;
      }
    },

    async tagResource(arn: string, tags: TagMap, signal?: AbortSignal) {
      await call(
        "TagResource",
        (o) => client.send(new TagResourceCommand({ resourceArn: arn, tags: ecsTags(tags) }), o),
        signal,
      );
    },

    forgetService(cluster: string, name: string) {
      cache.forget(clusterKey(cluster), serviceKey(name));
    },

    listActiveFamilies(signal?: AbortSignal) {
      return allPages(async (nextToken) => {
        const out = await call(
          "ListTaskDefinitionFamilies",
          (o) =>
            client.send(
              new ListTaskDefinitionFamiliesCommand({
                status: "ACTIVE",
                maxResults: 100,
                ...(nextToken === undefined ? {} : { nextToken }),
              }),
              o,
            ),
          signal,
        );
        return { items: out.families ?? [], next: out.nextToken };
      });
    },

    listClusters(signal?: AbortSignal) {
      return allPages(async (nextToken) => {
        const out = await call(
          "ListClusters",
          (o) =>
            client.send(
              new ListClustersCommand({ maxResults: 100, ...(nextToken === undefined ? {} : { nextToken }) }),
              o,
            ),
          signal,
        );
        return { items: out.clusterArns ?? [], next: out.nextToken };
      });
    },

    listServiceArns(cluster: string, signal?: AbortSignal) {
      return allPages(async (nextToken) => {
        const out = await call(
          "ListServices",
          (o) =>
            client.send(
              new ListServicesCommand({
                cluster,
                maxResults: 100,
                ...(nextToken === undefined ? {} : { nextToken }),
              }),
              o,
            ),
          signal,
        );
        return { items: out.serviceArns ?? [], next: out.nextToken };
      });
    },

    async describeServices(cluster: string, services: readonly string[], signal?: AbortSignal) {
      const out: EcsService[] = [];
      for (let i = 0; i < services.length; i += 10) {
        const batch = services.slice(i, i + 10);
        const described = await call(
          "DescribeServices",
          (o) => client.send(new DescribeServicesCommand({ cluster, services: batch, include: ["TAGS"] }), o),
          signal,
        );
        for (const service of described.services ?? []) if (service.status !== "INACTIVE") out.push(service);
        for (const { arn, reason } of described.failures ?? []) {
          if (reason !== "MISSING") throw describeFailure("DescribeServices", arn ?? cluster, reason ?? "");
        }
      }
      return out;
    },
  };
}

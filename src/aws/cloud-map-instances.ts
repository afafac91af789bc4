/** The Cloud Map instance, health and discovery calls (what the catalog sync engine needs). */
import {
  DeregisterInstanceCommand,
  DiscoverInstancesRevisionCommand,
  GetInstancesHealthStatusCommand,
  ListInstancesCommand,
  RegisterInstanceCommand,
  type ServiceDiscoveryClient,
  UpdateInstanceCustomHealthStatusCommand,
} from "@aws-sdk/client-servicediscovery";
import type { SendOptions } from "./call.js";
import { AwsNotFoundError } from "./errors.js";
import { allPages } from "./pages.js";
import { malformedResponse } from "./translate.js";
import type { CloudMapGateway, CloudMapHealthStatus, CloudMapInstance } from "./types.js";

const HEALTH_STATUSES = new Set<string>(["HEALTHY", "UNHEALTHY", "UNKNOWN"]);

/** How the gateway runs one call (`callAws` bound to its context). */
export type CloudMapCall = <T>(
  operation: string,
  send: (o: SendOptions) => Promise<T>,
  signal?: AbortSignal,
) => Promise<T>;

/** The gateway's instance methods over `client`. */
export function instanceMethods(
  client: ServiceDiscoveryClient,
  call: CloudMapCall,
): Pick<
  CloudMapGateway,
  | "registerInstance"
  | "deregisterInstance"
  | "listInstances"
  | "getInstancesHealthStatus"
  | "updateInstanceCustomHealthStatus"
  | "discoverInstancesRevision"
> {
  return {
    async registerInstance(serviceId, instanceId, attributes, signal) {
      const input = { ServiceId: serviceId, InstanceId: instanceId, Attributes: attributes };
      const out = await call(
        "RegisterInstance",
        (o) => client.send(new RegisterInstanceCommand(input), o),
        signal,
      );
      if (out.OperationId === undefined)
        throw malformedResponse("servicediscovery", "RegisterInstance", "OperationId");
      return out.OperationId;
    },

    async deregisterInstance(serviceId, instanceId, signal) {
      try {
        await call(
          "DeregisterInstance",
          (o) =>
            client.send(new DeregisterInstanceCommand({ ServiceId: serviceId, InstanceId: instanceId }), o),
          signal,
        );
      } catch (error) {
        // Already gone is the outcome asked for; a missing service is not (the caller's view is wrong).
        if (error instanceof AwsNotFoundError && error.code === "InstanceNotFound") return;
        throw error;
      }
    },

    listInstances(serviceId, signal) {
      return allPages<CloudMapInstance>(async (nextToken) => {
        const out = await call(
          "ListInstances",
          (o) =>
            client.send(
              new ListInstancesCommand({
                ServiceId: serviceId,
                ...(nextToken === undefined ? {} : { NextToken: nextToken }),
              }),
              o,
            ),
          signal,
        );
        return {
          items: (out.Instances ?? []).flatMap((i) =>
            i.Id === undefined ? [] : [{ id: i.Id, attributes: { ...i.Attributes } }],
          ),
          next: out.NextToken,
        };
      });
    },

    async getInstancesHealthStatus(serviceId, signal) {
      const pages = await allPages<[string, CloudMapHealthStatus]>(async (nextToken) => {
        const out = await call(
          "GetInstancesHealthStatus",
          (o) =>
            client.send(
              new GetInstancesHealthStatusCommand({
                ServiceId: serviceId,
                ...(nextToken === undefined ? {} : { NextToken: nextToken }),
              }),
              o,
            ),
          signal,
        );
        const items: Array<[string, CloudMapHealthStatus]> = [];
        for (const [id, status] of Object.entries(out.Status ?? {})) {
          if (typeof status !== "string" || !HEALTH_STATUSES.has(status))
            throw malformedResponse("servicediscovery", "GetInstancesHealthStatus", "a known Status");
          items.push([id, status as CloudMapHealthStatus]);
        }
        return { items, next: out.NextToken };
      });
      return Object.fromEntries(pages);
    },

    async updateInstanceCustomHealthStatus(serviceId, instanceId, status, signal) {
      await call(
        "UpdateInstanceCustomHealthStatus",
        (o) =>
          client.send(
            new UpdateInstanceCustomHealthStatusCommand({
              ServiceId: serviceId,
              InstanceId: instanceId,
              Status: status,
            }),
            o,
          ),
        signal,
      );
    },

    async discoverInstancesRevision(namespaceName, serviceName, signal) {
      const out = await call(
        "DiscoverInstancesRevision",
        (o) =>
          client.send(
            new DiscoverInstancesRevisionCommand({ NamespaceName: namespaceName, ServiceName: serviceName }),
            o,
          ),
        signal,
      );
      if (out.InstancesRevision === undefined)
        throw malformedResponse("servicediscovery", "DiscoverInstancesRevision", "InstancesRevision");
      return out.InstancesRevision;
    },
  };
}

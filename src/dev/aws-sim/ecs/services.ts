import type { CloudMapState } from "../cloudmap/state.js";
import { AwsApiError } from "../errors.js";
import {
  boolField,
  field,
  type Input,
  isJsonObject,
  type JsonObject,
  numField,
  strListField,
} from "../input.js";
import type { HandlerTable } from "../operation.js";
import { paginate } from "../pagination.js";
import { checkSecurityGroups, checkSubnets } from "../strict.js";
import type { EcsScheduler } from "./scheduler.js";
import { extrasNeedDeployment, readServiceExtras } from "./service-extras.js";
import { serviceShape } from "./shapes.js";
import type { EcsService, EcsState, EcsTaskDefinition } from "./state.js";
import { readEcsTags } from "./tagging.js";

const SERVICE_NAME = /^[a-zA-Z0-9_-]{1,255}$/;
const MAX_DESCRIBE = 10;

const invalid = (message: string) => new AwsApiError("InvalidParameterException", message);

/** Service operations over shared ECS state, the scheduler and Cloud Map (for serviceRegistries). */
export function serviceHandlers(
  state: EcsState,
  scheduler: EcsScheduler,
  cloudMap: CloudMapState,
): HandlerTable {
  const shape = (svc: EcsService, withTags: boolean) =>
    serviceShape(state, svc, state.tasksOf(svc.clusterName, svc.name), withTags);

  const taskDefinition = (ref: string): EcsTaskDefinition => {
    const td = state.findTaskDefinition(ref);
    if (td === undefined) throw new AwsApiError("ClientException", "TaskDefinition not found.");
    if (td.status !== "ACTIVE") throw new AwsApiError("ClientException", "TaskDefinition is inactive");
    return td;
  };

  const networkConfiguration = (input: Input, td: EcsTaskDefinition): JsonObject | undefined => {
    const config = input.optObj("networkConfiguration");
    const awsvpc = isJsonObject(config?.awsvpcConfiguration) ? config.awsvpcConfiguration : undefined;
    if (td.body.networkMode === "awsvpc" && awsvpc === undefined) {
      throw invalid("Network Configuration must be provided when networkMode 'awsvpc' is specified.");
    }
    if (awsvpc === undefined) return undefined;
    const subnets = strListField(awsvpc, "subnets");
    const securityGroups = strListField(awsvpc, "securityGroups");
    if (subnets.length === 0) throw invalid("subnets can not be empty.");
    checkSubnets(state.ctx, subnets);
    checkSecurityGroups(state.ctx, securityGroups);
    const assignPublicIp = field(awsvpc, "assignPublicIp") ?? "DISABLED";
    if (!["ENABLED", "DISABLED"].includes(assignPublicIp))
      throw invalid(`Invalid assignPublicIp: ${assignPublicIp}`);
    return { awsvpcConfiguration: { subnets, securityGroups, assignPublicIp } };
  };

  const serviceRegistries = (input: Input): JsonObject[] => {
    const registries = input.optObjList("serviceRegistries") ?? [];
    if (registries.length > 1) throw invalid("Only one service registry is supported per service.");
    for (const registry of registries) {
      const arn = field(registry, "registryArn") ?? "";
      const target = [...cloudMap.services.values()].find((s) => s.arn === arn);
      if (target === undefined) throw invalid(`The service registry ${arn} does not exist.`);
      const hasPort =
        numField(registry, "port") !== undefined || numField(registry, "containerPort") !== undefined;
      if ((target.dnsRecords ?? []).some((r) => r.Type === "SRV") && !hasPort) {
        throw invalid(
          "When specifying 'SRV' DNS records, a port or containerName and containerPort must be specified.",
        );
      }
    }
    return registries;
  };

  const deploymentConfiguration = (input: Input, svc?: EcsService) => {
    const config = input.optObj("deploymentConfiguration");
    const breaker = isJsonObject(config?.deploymentCircuitBreaker)
      ? config.deploymentCircuitBreaker
      : undefined;
    const minimumHealthyPercent =
      numField(config, "minimumHealthyPercent") ?? svc?.minimumHealthyPercent ?? 100;
    const maximumPercent = numField(config, "maximumPercent") ?? svc?.maximumPercent ?? 200;
    if (minimumHealthyPercent < 0 || minimumHealthyPercent > 100) {
      throw invalid("minimumHealthyPercent must be between 0 and 100.");
    }
    if (maximumPercent < 100) throw invalid("maximumPercent must be at least 100.");
    const circuitBreaker =
      breaker === undefined
        ? (svc?.circuitBreaker ?? { enable: false, rollback: false })
        : {
            enable: boolField(breaker, "enable") ?? false,
            rollback: boolField(breaker, "rollback") ?? false,
          };
    const alarms = isJsonObject(config?.alarms) ? config.alarms : svc?.alarms;
    const bakeTimeInMinutes = numField(config, "bakeTimeInMinutes") ?? svc?.bakeTimeInMinutes;
    return { minimumHealthyPercent, maximumPercent, circuitBreaker, alarms, bakeTimeInMinutes };
  };

  const desiredCount = (input: Input): number | undefined => {
    const count = input.optNum("desiredCount");
    if (count !== undefined && (!Number.isInteger(count) || count < 0))
      throw invalid("desiredCount must be 0 or more.");
    return count;
  };

  const activeService = (input: Input, member: string): EcsService => {
    const cluster = state.cluster(input.optStr("cluster"));
    const svc = state.findService(cluster.name, input.str(member));
    if (svc === undefined) throw new AwsApiError("ServiceNotFoundException", "Service not found.");
    if (svc.status !== "ACTIVE")
      throw new AwsApiError("ServiceNotActiveException", "Service was not ACTIVE.");
    return svc;
  };

  return {
    CreateService(input: Input) {
      const cluster = state.cluster(input.optStr("cluster"));
      const name = input.str("serviceName");
      if (!SERVICE_NAME.test(name))
        throw invalid("Service name can only contain letters, numbers, hyphens and underscores.");
      const clientToken = input.optStr("clientToken");
      const existing = state.findService(cluster.name, name);
      if (existing?.status === "ACTIVE") {
        if (clientToken !== undefined && clientToken === existing.clientToken)
          return { service: shape(existing, true) };
        throw invalid("Creation of service was not idempotent.");
      }
      if (existing?.status === "DRAINING") throw invalid("Unable to Start a service that is still Draining.");
      const launchType = input.optStr("launchType");
      const capacityProviderStrategy = input.optObjList("capacityProviderStrategy");
      if (launchType !== undefined && capacityProviderStrategy !== undefined) {
        throw invalid("Specifying both a launch type and capacity provider strategy is not supported.");
      }
      const td = taskDefinition(input.str("taskDefinition"));
      const now = state.ctx.clock.now();
      const svc: EcsService = {
        name,
        arn: state.arn(`service/${cluster.name}/${name}`),
        clusterName: cluster.name,
        createdAt: now,
        clientToken,
        launchType: launchType ?? (capacityProviderStrategy === undefined ? "FARGATE" : undefined),
        capacityProviderStrategy,
        loadBalancers: input.optObjList("loadBalancers") ?? [],
        status: "ACTIVE",
        desiredCount: desiredCount(input) ?? 0,
        taskDefinitionArn: td.arn,
        platformVersion: input.optStr("platformVersion") ?? "LATEST",
        networkConfiguration: networkConfiguration(input, td),
        serviceRegistries: serviceRegistries(input),
        ...deploymentConfiguration(input),
        ...readServiceExtras(input, td, cloudMap),
        healthCheckGracePeriodSeconds: input.optNum("healthCheckGracePeriodSeconds"),
        enableECSManagedTags: input.optBool("enableECSManagedTags") ?? false,
        enableExecuteCommand: input.optBool("enableExecuteCommand") ?? false,
        propagateTags: input.optStr("propagateTags") ?? "NONE",
        deployments: [],
        serviceDeployments: [],
        lastCompletedTaskDefinitionArn: undefined,
        lastCompletedDeploymentId: undefined,
        events: [],
        tags: readEcsTags(input),
      };
      state.services.set(`${cluster.name}/${name}`, svc);
      scheduler.startDeployment(svc, td.arn);
      scheduler.reconcile(svc);
      return { service: shape(svc, true) };
    },

    UpdateService(input: Input) {
      const svc = activeService(input, "service");
      const td = input.optStr("taskDefinition");
      const nextTd = td === undefined ? undefined : taskDefinition(td);
      const network = input.optObj("networkConfiguration");
      const nextNetwork =
        network === undefined
          ? undefined
          : networkConfiguration(input, nextTd ?? taskDefinition(svc.taskDefinitionArn));
      const registries =
        input.optObjList("serviceRegistries") === undefined ? undefined : serviceRegistries(input);
      const platformVersion = input.optStr("platformVersion");
      const count = desiredCount(input);
      Object.assign(svc, deploymentConfiguration(input, svc));
      // The running revision may be INACTIVE by now (deregistered): its port names still count.
      const running = nextTd ?? state.findTaskDefinition(svc.taskDefinitionArn);
      const extras = readServiceExtras(input, running, cloudMap, svc);
      let redeploy = (input.optBool("forceNewDeployment") ?? false) || extrasNeedDeployment(svc, extras);
      Object.assign(svc, extras);
      if (nextTd !== undefined && nextTd.arn !== svc.taskDefinitionArn) redeploy = true;
      if (
        nextNetwork !== undefined &&
        JSON.stringify(nextNetwork) !== JSON.stringify(svc.networkConfiguration)
      ) {
        svc.networkConfiguration = nextNetwork;
        redeploy = true;
      }
      if (registries !== undefined && JSON.stringify(registries) !== JSON.stringify(svc.serviceRegistries)) {
        svc.serviceRegistries = registries;
        redeploy = true;
      }
      const balancers = input.optObjList("loadBalancers");
      if (balancers !== undefined && JSON.stringify(balancers) !== JSON.stringify(svc.loadBalancers)) {
        svc.loadBalancers = balancers;
        redeploy = true;
      }
      // ECS lets a service move from its launch type to a capacity provider strategy (a new deployment).
      const strategy = input.optObjList("capacityProviderStrategy");
      if (
        strategy !== undefined &&
        JSON.stringify(strategy) !== JSON.stringify(svc.capacityProviderStrategy)
      ) {
        svc.capacityProviderStrategy = strategy;
        svc.launchType = undefined;
        redeploy = true;
      }
      if (platformVersion !== undefined && platformVersion !== svc.platformVersion) {
        svc.platformVersion = platformVersion;
        redeploy = true;
      }
      if (count !== undefined) svc.desiredCount = count;
      const grace = input.optNum("healthCheckGracePeriodSeconds");
      if (grace !== undefined) svc.healthCheckGracePeriodSeconds = grace;
      svc.enableExecuteCommand = input.optBool("enableExecuteCommand") ?? svc.enableExecuteCommand;
      svc.enableECSManagedTags = input.optBool("enableECSManagedTags") ?? svc.enableECSManagedTags;
      svc.propagateTags = input.optStr("propagateTags") ?? svc.propagateTags;
      if (redeploy) scheduler.startDeployment(svc, nextTd?.arn ?? svc.taskDefinitionArn);
      scheduler.reconcile(svc);
      return { service: shape(svc, true) };
    },

    DescribeServices(input: Input) {
      const cluster = state.cluster(input.optStr("cluster"));
      const names = input.optStrList("services") ?? [];
      if (names.length === 0) throw invalid("Services cannot be empty.");
      if (names.length > MAX_DESCRIBE) throw invalid(`services can have at most ${MAX_DESCRIBE} items.`);
      const withTags = (input.optStrList("include") ?? []).includes("TAGS");
      const services: JsonObject[] = [];
      const failures: JsonObject[] = [];
      for (const ref of names) {
        const svc = state.findService(cluster.name, ref);
        if (svc === undefined) {
          // ECS cannot know the ARN of what does not exist; it answers the short form.
          const arn = ref.startsWith("arn:") ? ref : state.arn(`service/${ref}`);
          failures.push({ arn, reason: "MISSING" });
        } else {
          services.push(shape(svc, withTags));
        }
      }
      return { services, failures };
    },

    DeleteService(input: Input) {
      const cluster = state.cluster(input.optStr("cluster"));
      const svc = state.findService(cluster.name, input.str("service"));
      if (svc === undefined || svc.status === "INACTIVE") {
        throw new AwsApiError("ServiceNotFoundException", "Service not found.");
      }
      if (svc.status === "DRAINING")
        throw new AwsApiError("ServiceNotActiveException", "Service was not ACTIVE.");
      if (svc.desiredCount > 0 && input.optBool("force") !== true) {
        throw invalid("The service cannot be stopped while it is scaled above 0.");
      }
      svc.desiredCount = 0;
      svc.status = "DRAINING";
      const answer = { service: shape(svc, true) };
      // DRAINING is observable even with no tasks left: INACTIVE follows after the stop time.
      if (scheduler.liveTasks(svc).length > 0) scheduler.reconcile(svc);
      else state.ctx.after(state.ctx.timing.stopMs, () => scheduler.reconcile(svc));
      return answer;
    },

    ListServices(input: Input) {
      const cluster = state.cluster(input.optStr("cluster"));
      const launchType = input.optStr("launchType");
      const list = [...state.services.values()].filter(
        (s) =>
          s.clusterName === cluster.name &&
          // AWS: a deleted (DRAINING) service "is no longer visible in ListServices".
          s.status === "ACTIVE" &&
          (launchType === undefined || s.launchType === launchType),
      );
      const page = paginate(
        list.map((s) => s.arn),
        { nextToken: input.optStr("nextToken"), maxResults: input.optNum("maxResults") },
        { defaultSize: 10, maxSize: 100 },
        (m) => input.invalid(m),
      );
      return { serviceArns: page.items, nextToken: page.nextToken };
    },
  };
}

/**
 * `fargatectl import --task-definition FILE|ARN [--service FILE|CLUSTER/SERVICE]`: one FargateService document
 * on stdout from ECS definitions in files or read from AWS. Exit 0 when it renders back to the same definitions,
 * 1 when something could not be carried (each on stderr as `path: why`), 2 on error.
 */
import { readFile } from "node:fs/promises";
import type { ApplicationAutoScalingClient } from "@aws-sdk/client-application-auto-scaling";
import type { ECSClient } from "@aws-sdk/client-ecs";
import type { ServiceDiscoveryClient } from "@aws-sdk/client-servicediscovery";
import { stringify } from "yaml";
import { resolveEndpoints } from "../../config/common.js";
import {
  type EcsInput,
  ImportInputError,
  type ImportLoss,
  importFargateService,
  serviceInputOf,
  taskDefinitionInputOf,
} from "../../import/index.js";
import type { CliContext } from "../context.js";
import { CliError, ExitCode } from "../errors.js";

/** Options of `import`. */
export interface ImportCommandOptions {
  taskDefinition?: string;
  service?: string;
  namespace?: string;
  name?: string;
  output: "yaml" | "json";
  accountId?: string;
}

/** SDK clients for a live import (tests pass their own; the CLI builds them from its settings). */
export interface ImportClients {
  ecs: ECSClient;
  cloudMap: ServiceDiscoveryClient;
  autoScaling?: ApplicationAutoScalingClient;
}

/** True when the argument names something in AWS rather than a file. */
const isArn = (value: string) => value.startsWith("arn:");
const CLUSTER_SERVICE = /^[^/\s]+\/[^/\s]+$/;
/** `family` or `family:revision`, which DescribeTaskDefinition reads as well as an ARN. */
const FAMILY_REVISION = /^[A-Za-z0-9_-]+(:\d+)?$/;

async function readText(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, "utf8");
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new CliError(`${path}: cannot read (${(cause as Error).message})`, ExitCode.Failure, { cause });
  }
}

/** Reads the inputs from files or AWS; `live` when anything came from AWS. */
async function readInput(
  ctx: CliContext,
  options: ImportCommandOptions,
  clients: ImportClients | undefined,
): Promise<{ input: EcsInput; live: boolean; unread?: ImportLoss }> {
  const config = { region: ctx.settings.region, endpoints: resolveEndpoints(ctx.settings), maxAttempts: 3 };
  // The SDK is loaded only for a live import, so importing files starts as fast as `render`.
  const aws = async () => {
    const [clientsModule, reader, errors] = await Promise.all([
      import("../../aws/clients.js"),
      import("../../aws/import-reader.js"),
      import("../../aws/errors.js"),
    ]);
    return { ...clientsModule, ...reader, AwsAccessDeniedError: errors.AwsAccessDeniedError };
  };
  let ecs = clients?.ecs;
  const client = async () => (ecs ??= (await aws()).createEcsClient(config));
  let service: Record<string, unknown> | undefined;
  let scaledAs: { cluster: string; service: string } | undefined;
  let live = false;
  if (options.service !== undefined) {
    const text = isArn(options.service) ? undefined : await readText(options.service);
    if (text !== undefined) service = serviceInputOf(text, options.service);
    else if (isArn(options.service) || CLUSTER_SERVICE.test(options.service)) {
      const arn = /^arn:[^:]+:ecs:[^:]*:[^:]*:service\/([^/]+)\/(.+)$/.exec(options.service);
      const [cluster, name] = arn ? [arn[1], arn[2]] : options.service.split("/");
      service = await (await aws()).readService(await client(), cluster as string, name as string);
      scaledAs = { cluster: cluster as string, service: name as string };
      live = true;
    } else
      throw new CliError(
        `--service ${options.service}: no such file, and not CLUSTER/SERVICE or an ARN`,
        ExitCode.Failure,
      );
  }
  let tdRef = options.taskDefinition;
  if (tdRef === undefined) {
    if (!live || typeof service?.taskDefinition !== "string") {
      throw new CliError("--task-definition is required (a file or an ARN)", ExitCode.Failure);
    }
    tdRef = service.taskDefinition;
  }
  const text = isArn(tdRef) ? undefined : await readText(tdRef);
  let input: EcsInput;
  if (text !== undefined) input = taskDefinitionInputOf(text, tdRef);
  else if (isArn(tdRef) || live || FAMILY_REVISION.test(tdRef)) {
    const read = await (await aws()).readTaskDefinition(await client(), tdRef);
    input = { taskDefinition: read.taskDefinition, taskDefinitionTags: read.tags };
    live = true;
  } else
    throw new CliError(
      `--task-definition ${tdRef}: no such file (an ARN or FAMILY:REVISION reads it from AWS)`,
      ExitCode.Failure,
    );
  if (service !== undefined) input.service = service;
  const registry = Array.isArray(service?.serviceRegistries) ? service.serviceRegistries[0] : undefined;
  if (live && typeof registry?.registryArn === "string") {
    const { createCloudMapClient, readRegistry } = await aws();
    const cloudMap = await readRegistry(
      clients?.cloudMap ?? createCloudMapClient(config),
      registry.registryArn,
    );
    input.cloudMap = {
      registryArn: registry.registryArn,
      ...cloudMap,
      ...(typeof registry.containerPort === "number" ? { port: registry.containerPort } : {}),
    };
  }
  if (scaledAs !== undefined) {
    // Only a service read live has its scaler read too: files say nothing of Application Auto Scaling.
    const { createApplicationAutoScalingClient, readScaling, AwsAccessDeniedError } = await aws();
    try {
      const scaling = await readScaling(
        clients?.autoScaling ?? createApplicationAutoScalingClient(config),
        scaledAs.cluster,
        scaledAs.service,
      );
      if (scaling !== undefined) input.autoscaling = scaling;
    } catch (error) {
      // Without the scaler's side the document may lack spec.autoscaling, and applying it would undo the
      // scaler's count: a loss (exit 1), not a silent gap.
      if (!(error instanceof AwsAccessDeniedError)) throw error;
      const why = `not read (${error.message}): a scalable target would be missing from the document; allow application-autoscaling:Describe* and import again`;
      return { input, live, unread: { path: "autoscaling", why } };
    }
  }
  return { input, live };
}

/** Runs `import`; returns the exit code. */
export async function runImport(
  ctx: CliContext,
  options: ImportCommandOptions,
  clients?: ImportClients,
): Promise<number> {
  let read: Awaited<ReturnType<typeof readInput>>;
  try {
    read = await readInput(ctx, options, clients);
  } catch (error) {
    if (error instanceof ImportInputError)
      throw new CliError(error.message, ExitCode.Failure, { cause: error });
    throw error;
  }
  const result = importFargateService(read.input, {
    live: read.live,
    region: ctx.settings.region,
    ...(options.namespace === undefined ? {} : { namespace: options.namespace }),
    ...(options.name === undefined ? {} : { name: options.name }),
    ...(options.accountId === undefined ? {} : { accountId: options.accountId }),
  });
  ctx.out(
    options.output === "json"
      ? `${JSON.stringify(result.document, null, 2)}\n`
      : stringify(result.document, { lineWidth: 0 }),
  );
  const losses = read.unread === undefined ? result.losses : [read.unread, ...result.losses];
  for (const note of result.notes) ctx.err(`note: ${note}\n`);
  for (const loss of losses) ctx.err(`${loss.path}: ${loss.why}\n`);
  return losses.length === 0 ? ExitCode.Ok : ExitCode.Negative;
}

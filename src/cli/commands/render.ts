/**
 * `fargatectl render -f … [-o json|yaml]`: what each FargateService becomes in ECS and Cloud Map, offline (no
 * AWS): account-dependent ARNs and ids are placeholders, the region is `--region`/`AWS_REGION`/us-east-1.
 */
import { stringify } from "yaml";
import type { CloudMapNamespaceSpec, FargateServiceSpec } from "../../crds/index.js";
import {
  ecsName,
  PLACEHOLDER_ACCOUNT_ID,
  type RenderContext,
  RenderError,
  renderAutoscaling,
  renderCloudMapService,
  renderEcsService,
  renderTaskDefinition,
} from "../../render/index.js";
import type { CliContext } from "../context.js";
import { ExitCode } from "../errors.js";
import { type LoadedDocument, loadDocuments, readSources, readStdin } from "../input.js";

/** Options of `render`. */
export interface RenderOptions {
  files: string[];
  output: "json" | "yaml";
}

/** Stand-ins for what only AWS or the store can say. */
const PLACEHOLDER_UID = "00000000-0000-0000-0000-000000000000";
const PLACEHOLDER_NAMESPACE_ID = "ns-00000000000000000";
const PLACEHOLDER_SERVICE_ID = "srv-00000000000000000";

/** Runs `render`; returns the exit code. */
export async function runRender(ctx: CliContext, options: RenderOptions): Promise<number> {
  const loaded = loadDocuments(await readSources(options.files, readStdin));
  for (const line of loaded.errors) ctx.err(`${line}\n`);
  if (loaded.errors.length > 0) return ExitCode.Negative;
  const namespaces = new Map<string, CloudMapNamespaceSpec>();
  for (const { document } of loaded.documents) {
    if (document.kind === "CloudMapNamespace") {
      namespaces.set(
        `${document.metadata.namespace ?? "default"}/${document.metadata.name}`,
        document.spec as CloudMapNamespaceSpec,
      );
    }
  }
  const services = loaded.documents.filter((d) => d.document.kind === "FargateService");
  if (services.length === 0) {
    ctx.err("no FargateService among the documents (pass one with -f)\n");
    return ExitCode.Negative;
  }
  const rendered: unknown[] = [];
  let failed = false;
  for (const loadedService of services) {
    try {
      rendered.push(renderOne(loadedService, namespaces, ctx.settings.region));
    } catch (error) {
      if (!(error instanceof RenderError)) throw error;
      const meta = loadedService.document.metadata;
      ctx.err(
        `${loadedService.source}: FargateService ${meta.namespace ?? "default"}/${meta.name}: ${error.message}\n`,
      );
      failed = true;
    }
  }
  if (failed) return ExitCode.Negative;
  const value = rendered.length === 1 ? rendered[0] : { apiVersion: "v1", kind: "List", items: rendered };
  ctx.out(
    options.output === "json" ? `${JSON.stringify(value, null, 2)}\n` : stringify(value, { lineWidth: 0 }),
  );
  return ExitCode.Ok;
}

function renderOne(
  loaded: LoadedDocument,
  namespaces: ReadonlyMap<string, CloudMapNamespaceSpec>,
  region: string,
): Record<string, unknown> {
  const { metadata } = loaded.document;
  const spec = loaded.document.spec as FargateServiceSpec;
  const namespace = metadata.namespace ?? "default";
  const context: RenderContext = {
    region,
    accountId: PLACEHOLDER_ACCOUNT_ID,
    metadata: { name: metadata.name, namespace, uid: PLACEHOLDER_UID, generation: 1 },
  };
  const ref = spec.discovery?.cloudMap?.namespaceRef;
  if (ref !== undefined) {
    const key = `${ref.namespace ?? namespace}/${ref.name}`;
    const target = namespaces.get(key);
    if (target === undefined) {
      throw new RenderError(
        `discovery.cloudMap.namespaceRef ${key} is not among the documents (add its CloudMapNamespace with -f)`,
      );
    }
    context.namespaceDnsName = target.dnsName;
  }
  const taskDefinition = renderTaskDefinition(spec, context);
  const arn = (service: string, resource: string) =>
    `arn:aws:${service}:${region}:${PLACEHOLDER_ACCOUNT_ID}:${resource}`;
  const cloudMapService =
    ref === undefined ? undefined : renderCloudMapService(spec, context, PLACEHOLDER_NAMESPACE_ID);
  const service = renderEcsService(spec, context, {
    taskDefinitionArn: arn("ecs", `task-definition/${ecsName(context.metadata)}:1`),
    ...(ref === undefined
      ? {}
      : { cloudMapServiceArn: arn("servicediscovery", `service/${PLACEHOLDER_SERVICE_ID}`) }),
    ...(spec.serviceConnectConfiguration?.namespaceRef === undefined
      ? {}
      : { serviceConnectNamespaceArn: arn("servicediscovery", `namespace/${PLACEHOLDER_NAMESPACE_ID}`) }),
  });
  const out: Record<string, unknown> = {
    kind: "RenderedFargateService",
    metadata: { name: metadata.name, namespace },
    taskDefinition: taskDefinition.input,
    service: service.create,
  };
  if (cloudMapService !== undefined) out.cloudMapService = cloudMapService;
  const scaling = renderAutoscaling(spec);
  if (scaling !== undefined) {
    // What the controller registers in Application Auto Scaling once the service exists.
    out.autoscaling = {
      resourceId: `service/${spec.cluster}/${ecsName(context.metadata)}`,
      ...scaling.bounds,
      policies: scaling.policies,
      scheduledActions: scaling.scheduled,
    };
  }
  return out;
}

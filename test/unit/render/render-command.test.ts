import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { runRender } from "../../../src/cli/commands/render.js";
import type { CliContext } from "../../../src/cli/context.js";
import { commonSettings } from "../../../src/config/common.js";
import { resolveSettings } from "../../../src/config/settings.js";
import { EXAMPLES_DIR } from "./fixtures.js";

const tempDirs: string[] = [];

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "render-"));
  tempDirs.push(dir);
  return dir;
}

afterAll(async () => {
  for (const dir of tempDirs) await rm(dir, { recursive: true, force: true });
});

interface Captured {
  ctx: CliContext;
  out: () => string;
  err: () => string;
}

function capture(region?: string): Captured {
  let out = "";
  let err = "";
  const ctx: CliContext = {
    settings: resolveSettings(commonSettings, region === undefined ? {} : { region }, {}),
    store: () => {
      throw new Error("render must not touch the store");
    },
    out: (t) => {
      out += t;
    },
    err: (t) => {
      err += t;
    },
    now: () => 0,
  };
  return { ctx, out: () => out, err: () => err };
}

interface Rendered {
  kind: string;
  metadata: { name: string; namespace: string };
  taskDefinition: { family: string; containerDefinitions: Array<{ name: string }> };
  service: { serviceName: string; taskDefinition: string };
  cloudMapService?: { Name: string };
}

describe("fargatectl render", () => {
  it("renders the four example services offline (JSON), with storefront's autoscaling", async () => {
    const c = capture("eu-west-1");
    expect(await runRender(c.ctx, { files: [EXAMPLES_DIR], output: "json" })).toBe(0);
    expect(c.err()).toBe("");
    const list = JSON.parse(c.out()) as { kind: string; items: Rendered[] };
    expect(list.kind).toBe("List");
    expect(list.items.map((i) => i.kind)).toEqual(Array(4).fill("RenderedFargateService"));
    expect(list.items.map((i) => `${i.metadata.namespace}/${i.metadata.name}`).sort()).toEqual(
      ["default/hello", "team-payments/ledger", "team-payments/payments-api", "default/storefront"].sort(),
    );
    const payments = list.items.find((i) => i.metadata.name === "payments-api");
    expect(payments?.taskDefinition.family).toBe("team-payments-payments-api");
    expect(payments?.taskDefinition.containerDefinitions.map((c) => c.name)).toEqual(["api", "vault-agent"]);
    expect(payments?.cloudMapService?.Name).toBe("payments-api");
    expect(payments?.service.taskDefinition).toBe(
      "arn:aws:ecs:eu-west-1:000000000000:task-definition/team-payments-payments-api:1",
    );
    expect(list.items.find((i) => i.metadata.name === "hello")?.cloudMapService).toBeUndefined();
    const storefront = list.items.find((i) => i.metadata.name === "storefront") as unknown as {
      autoscaling: { resourceId: string; minCount: number; policies: Array<{ name: string }> };
    };
    expect(storefront.autoscaling).toMatchObject({
      resourceId: "service/apps/default-storefront",
      minCount: 2,
    });
    expect(storefront.autoscaling.policies.map((p) => p.name)).toEqual([
      "fargate-operator-cpu",
      "fargate-operator-memory",
    ]);
  });

  it("prints a single object for a single service (YAML), namespace from a separate -f", async () => {
    const c = capture();
    const code = await runRender(c.ctx, {
      files: [join(EXAMPLES_DIR, "namespaces.yaml"), join(EXAMPLES_DIR, "services/payments-api.yaml")],
      output: "yaml",
    });
    expect(code).toBe(0);
    const rendered = parse(c.out()) as Rendered;
    expect(rendered.kind).toBe("RenderedFargateService");
    expect(rendered.service.serviceName).toBe("team-payments-payments-api");
    // The default region (us-east-1) reaches the placeholder ARNs.
    expect(rendered.service.taskDefinition).toContain(":us-east-1:000000000000:");
  });

  it("names the missing namespaceRef and the fix; exit 1", async () => {
    const c = capture();
    const code = await runRender(c.ctx, {
      files: [join(EXAMPLES_DIR, "services/payments-api.yaml")],
      output: "json",
    });
    expect(code).toBe(1);
    expect(c.out()).toBe("");
    expect(c.err()).toContain("platform/apps-internal");
    expect(c.err()).toContain("add its CloudMapNamespace with -f");
  });

  it("resolves a namespaceRef without namespace in the referrer's namespace", async () => {
    const dir = await tempDir();
    await writeFile(
      join(dir, "all.yaml"),
      `apiVersion: fargate-operator/v1alpha1
kind: CloudMapNamespace
metadata: {name: internal, namespace: team-a}
spec: {dnsName: a.internal, vpcId: vpc-1}
---
apiVersion: fargate-operator/v1alpha1
kind: FargateService
metadata: {name: web, namespace: team-a}
spec:
  cluster: apps
  cpu: 256
  memory: 512
  containers: [{name: web, image: "web:1", ports: [{containerPort: 80}]}]
  network: {subnets: [subnet-1], securityGroups: [sg-1]}
  discovery: {cloudMap: {namespaceRef: {name: internal}}}
`,
    );
    const c = capture();
    expect(await runRender(c.ctx, { files: [dir], output: "json" })).toBe(0);
    expect((JSON.parse(c.out()) as Rendered).cloudMapService?.Name).toBe("web");
  });

  it("renders Service Connect with a placeholder namespace ARN in place of namespaceRef", async () => {
    const dir = await tempDir();
    await writeFile(
      join(dir, "connect.yaml"),
      `apiVersion: fargate-operator/v1alpha1
kind: FargateService
metadata: {name: web, namespace: team-a}
spec:
  cluster: apps
  cpu: 256
  memory: 512
  containers: [{name: web, image: "web:1", ports: [{containerPort: 80, name: http, appProtocol: http}]}]
  network: {subnets: [subnet-1], securityGroups: [sg-1]}
  serviceConnectConfiguration: {enabled: true, namespaceRef: {name: mesh}, services: [{portName: http}]}
`,
    );
    const c = capture("eu-west-1");
    expect(await runRender(c.ctx, { files: [dir], output: "json" })).toBe(0);
    const rendered = JSON.parse(c.out()) as { service: { serviceConnectConfiguration: unknown } };
    expect(rendered.service.serviceConnectConfiguration).toEqual({
      enabled: true,
      namespace: expect.stringMatching(/^arn:aws:servicediscovery:eu-west-1:000000000000:namespace\//),
      services: [{ portName: "http" }],
    });
  });

  it("reports invalid documents and exits 1", async () => {
    const dir = await tempDir();
    await writeFile(
      join(dir, "bad.yaml"),
      "apiVersion: fargate-operator/v1alpha1\nkind: FargateService\nmetadata: {name: x}\nspec: {}\n",
    );
    const c = capture();
    expect(await runRender(c.ctx, { files: [dir], output: "json" })).toBe(1);
    expect(c.err()).toContain("bad.yaml");
    expect(c.out()).toBe("");
  });
});

import { describe, expect, it } from "vitest";
import { formatPath, validateDocument } from "../../../src/crds/index.js";
import { renderTaskDefinition } from "../../../src/render/index.js";
import { minimalService, validService } from "./helpers.js";

type Json = Record<string, unknown>;

function issuesOf(document: Json): string[] {
  const result = validateDocument(document);
  return result.ok ? [] : result.issues.map((i) => `${formatPath(i.path)}: ${i.message}`);
}

function windowsService(spec: Json = {}): Json {
  const document = minimalService();
  Object.assign(document.spec as Json, {
    cpu: 1024,
    memory: 2048,
    runtimePlatform: { operatingSystemFamily: "WINDOWS_SERVER_2022_CORE" },
    ...spec,
  });
  return document;
}

describe("Windows tasks on Fargate", () => {
  it("accepts a Windows Server family Fargate runs and renders it into the task definition", () => {
    const document = windowsService();
    const result = validateDocument(document);
    expect(result.ok).toBe(true);
    if (!result.ok || result.document.kind !== "FargateService") return;
    const rendered = renderTaskDefinition(result.document.spec, {
      region: "eu-west-1",
      metadata: {
        name: "web",
        namespace: "default",
        uid: "00000000-0000-0000-0000-000000000000",
        generation: 1,
      },
    });
    expect(rendered.input.runtimePlatform).toEqual({
      cpuArchitecture: "X86_64",
      operatingSystemFamily: "WINDOWS_SERVER_2022_CORE",
    });
  });

  it("refuses the Windows families Fargate does not run (2016, 20H2) by the schema", () => {
    const issues = issuesOf(
      windowsService({ runtimePlatform: { operatingSystemFamily: "WINDOWS_SERVER_2016_FULL" } }),
    );
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatch(/^spec\.runtimePlatform\.operatingSystemFamily: must be one of "LINUX"/);
  });

  it("refuses what ECS documents Windows tasks cannot have, each at its path", () => {
    const document = windowsService({
      cpu: 512,
      memory: 1024,
      runtimePlatform: { operatingSystemFamily: "WINDOWS_SERVER_2019_FULL", cpuArchitecture: "ARM64" },
      capacityProviderStrategy: [{ capacityProvider: "FARGATE_SPOT", weight: 1 }],
      volumes: [{ name: "shared", efsVolumeConfiguration: { fileSystemId: "fs-0123456789abcdef0" } }],
    });
    const container = ((document.spec as Json).containers as Json[])[0] as Json;
    Object.assign(container, {
      user: "app",
      readonlyRootFilesystem: true,
      ulimits: [{ name: "nofile", softLimit: 1, hardLimit: 1 }],
    });
    const issues = issuesOf(document).map((i) => i.split(":")[0]);
    expect(issues).toEqual(
      expect.arrayContaining([
        "spec.cpu",
        "spec.runtimePlatform.cpuArchitecture",
        "spec.capacityProviderStrategy[0].capacityProvider",
        "spec.volumes[0].efsVolumeConfiguration",
        "spec.containers[0].user",
        "spec.containers[0].readonlyRootFilesystem",
        "spec.containers[0].ulimits",
      ]),
    );
  });

  it("refuses the Vault agent sidecar, a Linux container, in a Windows task", () => {
    const document = validService();
    Object.assign(document.spec as Json, {
      cpu: 1024,
      memory: 2048,
      runtimePlatform: { operatingSystemFamily: "WINDOWS_SERVER_2019_CORE" },
    });
    expect(issuesOf(document)).toContain(
      "spec.vault: the Vault agent sidecar is a Linux container and cannot run in a Windows task",
    );
  });
});

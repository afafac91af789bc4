import { describe, expect, it } from "vitest";
import { formatPath, validateDocument } from "../../../src/crds/index.js";
import { minimalService, validService } from "./helpers.js";

type Json = Record<string, unknown>;

/** The issues of a service whose spec also has `fields`, as `path: message (hint)`. */
function issuesWith(fields: Json, base: () => Json = minimalService): string[] {
  const document = base();
  Object.assign(document.spec as Json, fields);
  const result = validateDocument(document);
  return result.ok ? [] : result.issues.map((i) => `${formatPath(i.path)}: ${i.message} (${i.hint})`);
}

const EFS = {
  name: "shared",
  efsVolumeConfiguration: {
    fileSystemId: "fs-0123456789abcdef0",
    transitEncryption: "ENABLED",
    authorizationConfig: { accessPointId: "fsap-0123456789abcdef0", iam: "ENABLED" },
  },
};

describe("ECS task-level fields on spec", () => {
  it("accepts volumes, ephemeralStorage, proxyConfiguration, pidMode and enableFaultInjection", () => {
    const fields = {
      volumes: [EFS, { name: "scratch" }],
      ephemeralStorage: { sizeInGiB: 50 },
      pidMode: "task",
      enableFaultInjection: true,
      proxyConfiguration: {
        type: "APPMESH",
        containerName: "web",
        properties: [{ name: "ProxyIngressPort", value: "15000" }],
      },
    };
    const document = minimalService();
    Object.assign(document.spec as Json, fields);
    const containers = (document.spec as { containers: Json[] }).containers;
    Object.assign(containers[0] as Json, {
      mountPoints: [{ sourceVolume: "shared", containerPath: "/mnt/efs" }],
    });
    const result = validateDocument(document);
    expect(result.ok ? [] : result.issues).toEqual([]);
  });

  it("validates them with ECS's shapes and Fargate's limits, at the field's path", () => {
    expect(
      issuesWith({
        ephemeralStorage: { sizeInGiB: 500 },
        pidMode: "host",
        volumes: [{ name: "a", efsVolumeConfiguration: { transitEncryption: "ON" } }],
      }),
    ).toEqual([
      'spec.volumes[0].efsVolumeConfiguration.fileSystemId: missing required field "fileSystemId" (add fileSystemId: the Amazon EFS file system ID to use)',
      'spec.volumes[0].efsVolumeConfiguration.transitEncryption: must be one of "ENABLED", "DISABLED", got the string "ON" (use one of "ENABLED", "DISABLED")',
      "spec.ephemeralStorage.sizeInGiB: 500 is above the maximum 200 (use a value from 21 to 200)",
      'spec.pidMode: must be one of "task", got the string "host" (use one of "task")',
    ]);
  });

  it("refuses volume kinds Fargate lacks, duplicate and reserved names, and EFS IAM without encryption", () => {
    expect(
      issuesWith(
        {
          volumes: [
            { name: "vault-secrets" },
            { name: "h", host: { sourcePath: "/var" } },
            { name: "h" },
            {
              name: "e",
              efsVolumeConfiguration: { fileSystemId: "fs-1", authorizationConfig: { iam: "ENABLED" } },
            },
          ],
        },
        validService,
      ),
    ).toEqual([
      'spec.volumes[0].name: volume name "vault-secrets" is reserved when vault is set (rename the volume)',
      "spec.volumes[1].host: host is not accepted here (Fargate has no host paths: remove host (a volume with only a name is task storage shared by containers))",
      'spec.volumes[2].name: duplicate volume name "h" (give each volume a unique name)',
      "spec.volumes[3].efsVolumeConfiguration.transitEncryption: EFS IAM authorization needs transit encryption (set transitEncryption: ENABLED)",
    ]);
  });

  it("refuses the members the operator owns, naming the field that governs each", () => {
    expect(
      issuesWith({
        family: "x",
        networkMode: "bridge",
        requiresCompatibilities: ["EC2"],
        containerDefinitions: [],
        taskRoleArn: "arn:aws:iam::1:role/x",
        executionRoleArn: "arn:aws:iam::1:role/y",
        ipcMode: "task",
      }),
    ).toEqual([
      'spec.family: "family" is not accepted here (the operator names the family <metadata.namespace>-<metadata.name>; remove family)',
      'spec.networkMode: "networkMode" is not accepted here (Fargate tasks always use awsvpc; remove networkMode and set spec.network)',
      'spec.requiresCompatibilities: "requiresCompatibilities" is not accepted here (the task definition always requires FARGATE; remove requiresCompatibilities)',
      `spec.containerDefinitions: "containerDefinitions" is not accepted here (write the containers in spec.containers (ECS's container fields are accepted there))`,
      'spec.taskRoleArn: "taskRoleArn" is not accepted here (set spec.iam.taskRoleArn)',
      'spec.executionRoleArn: "executionRoleArn" is not accepted here (set spec.iam.executionRoleArn)',
      'spec.ipcMode: "ipcMode" is not accepted here (Fargate does not support ipcMode; remove it)',
    ]);
    // cpu and memory are spec fields already: integers, not ECS's strings.
    expect(issuesWith({ cpu: "1024" })[0]).toBe(
      'spec.cpu: must be a whole number, got the string "1024" (write 1024 without quotes)',
    );
  });

  it("checks that proxyConfiguration names a container", () => {
    expect(issuesWith({ proxyConfiguration: { containerName: "envoy" } })).toEqual([
      'spec.proxyConfiguration.containerName: no container named "envoy" in this service (use one of web)',
    ]);
  });
});

import { describe, expect, it } from "vitest";
import { formatPath, type ValidationIssue, validateDocument } from "../../../src/crds/index.js";
import { minimalService, validService } from "./helpers.js";

type Json = Record<string, unknown>;

/** The issues of a minimal service whose first container also has `fields`, as `path: message (hint)`. */
function issuesWith(fields: Json, base: () => Json = minimalService): string[] {
  const document = base();
  const spec = document.spec as { containers: Json[] };
  Object.assign(spec.containers[0] as Json, fields);
  const result = validateDocument(document);
  return result.ok
    ? []
    : result.issues.map((i: ValidationIssue) => `${formatPath(i.path)}: ${i.message} (${i.hint})`);
}

describe("ECS container fields on spec.containers[]", () => {
  it("accepts ECS's own fields and keeps them in the validated spec", () => {
    const fields = {
      memoryReservation: 128,
      user: "1000:1000",
      workingDirectory: "/srv",
      readonlyRootFilesystem: true,
      stopTimeout: 60,
      startTimeout: 30,
      ulimits: [{ name: "nofile", softLimit: 4096, hardLimit: 8192 }],
      linuxParameters: { initProcessEnabled: true, capabilities: { add: ["SYS_PTRACE"], drop: ["NET_RAW"] } },
      dockerLabels: { team: "payments" },
      logConfiguration: {
        logDriver: "awslogs",
        options: { "awslogs-group": "/ecs/x", "awslogs-create-group": "true", "awslogs-region": "eu-west-1" },
      },
      systemControls: [{ namespace: "net.core.somaxconn", value: "1024" }],
      restartPolicy: { enabled: true, ignoredExitCodes: [0], restartAttemptPeriod: 180 },
      versionConsistency: "disabled",
      environmentFiles: [{ value: "arn:aws:s3:::bucket/app.env", type: "s3" }],
      repositoryCredentials: { credentialsParameter: "arn:aws:secretsmanager:eu-west-1:1:secret:x" },
    };
    const document = minimalService();
    Object.assign((document.spec as { containers: Json[] }).containers[0] as Json, fields);
    const result = validateDocument(document);
    expect(result.ok ? [] : result.issues).toEqual([]);
    if (!result.ok || result.document.kind !== "FargateService") return;
    expect(result.document.spec.containers[0]).toMatchObject(fields);
  });

  it("validates them with ECS's shapes: enums, types and required members, at the field's path", () => {
    expect(
      issuesWith({
        versionConsistency: "sometimes",
        ulimits: [{ name: "nofile", softLimit: "4096" }],
        dependsOn: [{ containerName: "web", condition: "READY" }],
      }),
    ).toEqual([
      'spec.containers[0].dependsOn[0].condition: must be one of "START", "COMPLETE", "SUCCESS", "HEALTHY", got the string "READY" (use one of "START", "COMPLETE", "SUCCESS", "HEALTHY")',
      'spec.containers[0].versionConsistency: must be one of "enabled", "disabled", got the string "sometimes" (use one of "enabled", "disabled")',
      'spec.containers[0].ulimits[0].hardLimit: missing required field "hardLimit" (add hardLimit: the hard limit for the ulimit type)',
      'spec.containers[0].ulimits[0].softLimit: must be a whole number, got the string "4096" (write 4096 without quotes)',
      'spec.containers[0].dependsOn[0].containerName: container "web" refers to itself (name another container)',
    ]);
  });

  it("refuses members Fargate rejects, with the fix", () => {
    const issues = issuesWith({
      privileged: true,
      links: ["db"],
      hostname: "web",
      portMappings: [{ containerPort: 80, hostPort: 8080 }],
    });
    expect(issues).toEqual([
      'spec.containers[0].privileged: "privileged" is not accepted here (Fargate does not run privileged containers; remove it (linuxParameters.capabilities.add may grant SYS_PTRACE))',
      'spec.containers[0].links: "links" is not accepted here (containers of a task share one network namespace on Fargate: reach them on localhost instead of links)',
      'spec.containers[0].hostname: "hostname" is not accepted here (Fargate (awsvpc) does not support hostname; remove it)',
      'spec.containers[0].portMappings: "portMappings" is not accepted here (use ports (containerPort, protocol, name); on Fargate hostPort always equals containerPort)',
    ]);
  });

  it("refuses Fargate-incompatible members inside ECS's shapes", () => {
    expect(
      issuesWith({
        memory: 256,
        memoryReservation: 512,
        linuxParameters: { sharedMemorySize: 64, capabilities: { add: ["NET_ADMIN"] } },
        resourceRequirements: [{ type: "GPU", value: "1" }],
        logConfiguration: { logDriver: "syslog" },
      }),
    ).toEqual([
      "spec.containers[0].linuxParameters.sharedMemorySize: linuxParameters.sharedMemorySize is not supported on Fargate (remove it)",
      'spec.containers[0].linuxParameters.capabilities.add[0]: Fargate can only add the SYS_PTRACE capability, got "NET_ADMIN" (remove it, or add SYS_PTRACE only)',
      "spec.containers[0].resourceRequirements[0].type: GPU resources are not available on Fargate (remove resourceRequirements; Fargate tasks have no GPUs or inference accelerators)",
      'spec.containers[0].logConfiguration.logDriver: log driver "syslog" is not supported on Fargate (use one of awslogs, splunk, awsfirelens)',
      "spec.containers[0].memoryReservation: memoryReservation 512 is above the container's memory 256 (make memoryReservation at most memory (it is the soft limit, memory the hard one))",
    ]);
  });

  it("checks references to containers and volumes", () => {
    expect(
      issuesWith({
        dependsOn: [{ containerName: "vault-agent", condition: "SUCCESS" }],
        volumesFrom: [{ sourceContainer: "db" }],
        mountPoints: [{ sourceVolume: "data", containerPath: "/data" }],
      }),
    ).toEqual([
      'spec.containers[0].dependsOn[0].containerName: no container named "vault-agent" in this service (use one of web)',
      'spec.containers[0].volumesFrom[0].sourceContainer: no container named "db" in this service (use one of web)',
      'spec.containers[0].mountPoints[0].sourceVolume: no volume named "data" in this service (declare the volume in spec.volumes)',
    ]);
    // With vault, the operator's agent container and volume may be referenced.
    expect(
      issuesWith(
        {
          dependsOn: [{ containerName: "vault-agent", condition: "START" }],
          mountPoints: [{ sourceVolume: "vault-secrets", containerPath: "/extra", readOnly: true }],
        },
        validService,
      ),
    ).toEqual([]);
  });

  it("keeps the friendly form where ECS uses the same name: environment is a mapping, not ECS's list", () => {
    expect(issuesWith({ environment: [{ name: "A", value: "1" }] })[0]).toMatch(
      /^spec\.containers\[0\]\.environment: must be a mapping, got a list/,
    );
  });
});

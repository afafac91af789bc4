/** Which simulated containers the dev stack runs as `fargatectl catalog-sync`, and their secrets as ECS injects them. */
import { describe, expect, it } from "vitest";
import {
  imageRepository,
  parseSecretReference,
  resolveContainerSecrets,
  runnableContainers,
} from "../../../src/dev/task-containers.js";

const TOKEN_ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:consul/token-Xy12Ab";

function definition(...containers: Array<Record<string, unknown>>) {
  return { family: "platform-data-internal-sync", containerDefinitions: containers };
}

describe("runnableContainers", () => {
  it("runs this project's image with catalog-sync, carrying its environment, secrets and stopTimeout", () => {
    const containers = runnableContainers(
      definition({
        name: "catalog-sync",
        image: "ghcr.io/fargate-operator/fargate-operator:0.1.0",
        command: ["catalog-sync"],
        environment: [
          { name: "FARGATE_OPERATOR_TABLE", value: "fargate-operator" },
          { name: "AWS_REGION", value: "us-east-1" },
        ],
        secrets: [{ name: "CONSUL_HTTP_TOKEN", valueFrom: TOKEN_ARN }],
        stopTimeout: 5,
      }),
    );
    expect(containers).toEqual([
      {
        name: "catalog-sync",
        image: "ghcr.io/fargate-operator/fargate-operator:0.1.0",
        command: ["catalog-sync"],
        environment: { FARGATE_OPERATOR_TABLE: "fargate-operator", AWS_REGION: "us-east-1" },
        secrets: { CONSUL_HTTP_TOKEN: TOKEN_ARN },
        stopTimeoutSeconds: 5,
      },
    ]);
  });

  it("leaves every other container a simulation: apps, consul-aws, another entry point, another command", () => {
    const containers = runnableContainers(
      definition(
        { name: "web", image: "public.ecr.aws/nginx/nginx:1.27" },
        {
          name: "sync",
          image: "hashicorp/consul-aws:0.1.2",
          entryPoint: ["consul-aws"],
          command: ["sync-catalog"],
        },
        {
          name: "shell",
          image: "ghcr.io/fargate-operator/fargate-operator:0.1.0",
          entryPoint: ["sh", "-c"],
          command: ["catalog-sync"],
        },
        { name: "ctl", image: "ghcr.io/fargate-operator/fargate-operator:0.1.0", command: ["controller"] },
      ),
    );
    expect(containers).toEqual([]);
  });

  it("knows the image by its repository, whatever the tag or digest; ECS's default stopTimeout is 30 s", () => {
    const image = "ghcr.io/fargate-operator/fargate-operator@sha256:0123abcd";
    const [container] = runnableContainers(
      definition({ name: "c", image, command: ["catalog-sync", "--x"] }),
    );
    expect(container?.stopTimeoutSeconds).toBe(30);
    expect(imageRepository("localhost:5000/fargate-operator:dev")).toBe("localhost:5000/fargate-operator");
    expect(imageRepository("ghcr.io/fargate-operator/fargate-operator")).toBe(
      "ghcr.io/fargate-operator/fargate-operator",
    );
    // A mirror of the image is the operator's own when the caller says so.
    const mirrored = runnableContainers(
      definition({
        name: "c",
        image: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/fo:1",
        command: ["catalog-sync"],
      }),
      (i) => i.includes("/fo:"),
    );
    expect(mirrored).toHaveLength(1);
  });
});

describe("container secrets", () => {
  it("parses ECS's valueFrom: the secret ARN and an optional JSON key", () => {
    expect(parseSecretReference(TOKEN_ARN)).toEqual({ secretArn: TOKEN_ARN, jsonKey: undefined });
    expect(parseSecretReference(`${TOKEN_ARN}:token::`)).toEqual({ secretArn: TOKEN_ARN, jsonKey: "token" });
    expect(parseSecretReference("arn:aws:ssm:eu-west-1:123456789012:parameter/consul/token")).toBeUndefined();
  });

  it("resolves each variable as ECS injects it, a JSON key included", async () => {
    const values: Record<string, string> = { [TOKEN_ARN]: '{"token":"s3cr3t-json"}' };
    const other = "arn:aws:secretsmanager:us-east-1:123456789012:secret:plain-AbCdEf";
    values[other] = "s3cr3t-plain";
    const env = await resolveContainerSecrets(
      { CONSUL_HTTP_TOKEN: `${TOKEN_ARN}:token::`, PLAIN: other },
      async (arn) => values[arn] ?? "",
    );
    expect(env).toEqual({ CONSUL_HTTP_TOKEN: "s3cr3t-json", PLAIN: "s3cr3t-plain" });
  });

  it("fails as ECS does (ResourceInitializationError naming the ARN and the code), never quoting a value", async () => {
    const missing = resolveContainerSecrets({ T: TOKEN_ARN }, async () => {
      throw Object.assign(new Error("cannot read"), { code: "ResourceNotFoundException" });
    });
    await expect(missing).rejects.toThrow(
      `ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secret from asm: failed to fetch secret ${TOKEN_ARN} from secrets manager: ResourceNotFoundException`,
    );
    const noKey = resolveContainerSecrets({ T: `${TOKEN_ARN}:other::` }, async () => '{"token":"s3cr3t"}');
    const error = await noKey.catch((e: unknown) => e as Error);
    expect(error.message).toContain("has no JSON key other");
    expect(error.message).not.toContain("s3cr3t");
    await expect(
      resolveContainerSecrets({ T: "arn:aws:ssm:eu-west-1:123456789012:parameter/x" }, async () => "v"),
    ).rejects.toThrow(/not a Secrets Manager secret the local stack can resolve/);
  });
});

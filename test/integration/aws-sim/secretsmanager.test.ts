/** The simulated Secrets Manager through the AWS SDK: what the dev stack's sync tasks read their token from. */
import {
  CreateSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from "@aws-sdk/client-secrets-manager";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { rejectionOf, type SimHarness, startHarness } from "./support.js";

let h: SimHarness;
let client: SecretsManagerClient;
beforeEach(async () => {
  h = await startHarness();
  client = new SecretsManagerClient({
    endpoint: h.sim.endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
    maxAttempts: 1,
  });
});
afterEach(async () => {
  client.destroy();
  await h.close();
});

describe("simulated Secrets Manager", () => {
  it("creates, reads by ARN, name or partial ARN, and replaces a value", async () => {
    const created = await client.send(new CreateSecretCommand({ Name: "consul/token", SecretString: "one" }));
    expect(created.ARN).toMatch(
      /^arn:aws:secretsmanager:us-east-1:123456789012:secret:consul\/token-[A-Za-z0-9]{6}$/,
    );
    const arn = created.ARN ?? "";
    for (const id of [arn, "consul/token", arn.slice(0, -7)]) {
      const got = await client.send(new GetSecretValueCommand({ SecretId: id }));
      expect(got).toMatchObject({ ARN: arn, Name: "consul/token", SecretString: "one" });
    }
    await client.send(new PutSecretValueCommand({ SecretId: arn, SecretString: "two" }));
    expect((await client.send(new GetSecretValueCommand({ SecretId: arn }))).SecretString).toBe("two");
    const again = await rejectionOf(
      client.send(new CreateSecretCommand({ Name: "consul/token", SecretString: "x" })),
    );
    expect(again.name).toBe("ResourceExistsException");
  });

  it("serves a secret seeded under another Region's ARN, and answers AWS's error for an unknown one", async () => {
    const arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:consul/catalog-sync-data-Xy12Ab";
    h.sim.secrets.putSecret({ arn, value: "dev-token" });
    expect((await client.send(new GetSecretValueCommand({ SecretId: arn }))).SecretString).toBe("dev-token");
    const missing = await rejectionOf(client.send(new GetSecretValueCommand({ SecretId: "nope" })));
    expect(missing.name).toBe("ResourceNotFoundException");
    expect(missing.message).toBe("Secrets Manager can't find the specified secret.");
  });
});

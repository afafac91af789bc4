/**
 * A small simulated Secrets Manager (`secretsmanager.*` targets): CreateSecret, PutSecretValue, GetSecretValue,
 * DescribeSecret. Enough for the dev stack to hand a sync task its Consul token the way ECS does (`secrets` of a
 * container definition resolved with GetSecretValue). A secret is found by its full ARN, by its name, or by its
 * ARN without the six random characters AWS appends (a partial ARN). Values are never logged or echoed in errors.
 */
import type { SimContext } from "../context.js";
import { AwsApiError } from "../errors.js";
import type { Input } from "../input.js";
import type { HandlerTable } from "../operation.js";

/** One secret with its current value. */
interface StoredSecret {
  readonly arn: string;
  readonly name: string;
  readonly createdAt: number;
  value: string;
  versionId: string;
}

/** The in-process side of the simulated Secrets Manager (what the dev stack seeds). */
export interface SecretsManagerControl {
  /**
   * Creates or replaces a secret. `arn` may be given (any Region or account, e.g. one an example names);
   * otherwise it is `arn:aws:secretsmanager:<region>:<account>:secret:<name>-<6 chars>`.
   */
  putSecret(secret: { name?: string; arn?: string; value: string }): { arn: string; name: string };
}

/** The simulated Secrets Manager: its handlers and its control. */
export interface SecretsManagerApi {
  readonly handlers: HandlerTable;
  readonly control: SecretsManagerControl;
}

const NOT_FOUND = "Secrets Manager can't find the specified secret.";

/** The name in a secret ARN (`...:secret:<name>-AbCdEf` → `<name>`), or undefined. */
function nameOfArn(arn: string): string | undefined {
  const marker = ":secret:";
  const at = arn.indexOf(marker);
  if (!arn.startsWith("arn:") || at < 0) return undefined;
  const full = arn.slice(at + marker.length);
  return /-[A-Za-z0-9]{6}$/.test(full) ? full.slice(0, -7) : full;
}

/** Builds an empty Secrets Manager on `ctx`. */
export function createSecretsManager(ctx: SimContext): SecretsManagerApi {
  const secrets = new Map<string, StoredSecret>();

  const find = (id: string): StoredSecret | undefined => {
    for (const secret of secrets.values()) {
      if (secret.arn === id || secret.name === id) return secret;
      // A partial ARN: the full ARN without AWS's random suffix.
      if (id.startsWith("arn:") && secret.arn.startsWith(`${id}-`) && secret.arn.length === id.length + 7) {
        return secret;
      }
    }
    return undefined;
  };
  const mustFind = (input: Input): StoredSecret => {
    const found = find(input.str("SecretId"));
    if (found === undefined) throw new AwsApiError("ResourceNotFoundException", NOT_FOUND);
    return found;
  };
  const store = (secret: { name?: string; arn?: string; value: string }): StoredSecret => {
    const name = secret.name ?? (secret.arn === undefined ? undefined : nameOfArn(secret.arn));
    if (name === undefined || name === "")
      throw new AwsApiError("InvalidParameterException", "Name is required.");
    const existing = find(secret.arn ?? name);
    const arn =
      secret.arn ??
      existing?.arn ??
      `arn:aws:secretsmanager:${ctx.region}:${ctx.accountId}:secret:${name}-${ctx.ids.hex(6)}`;
    const stored: StoredSecret = {
      arn,
      name,
      createdAt: existing?.createdAt ?? ctx.clock.now(),
      value: secret.value,
      versionId: ctx.ids.uuid(),
    };
    secrets.set(arn, stored);
    return stored;
  };
  const secretStringOf = (input: Input): string => {
    const value = input.optStr("SecretString");
    if (value === undefined) {
      throw new AwsApiError(
        "InvalidParameterException",
        "You must provide either SecretString or SecretBinary.",
      );
    }
    return value;
  };

  const handlers: HandlerTable = {
    CreateSecret(input) {
      const name = input.str("Name");
      if (find(name) !== undefined) {
        throw new AwsApiError(
          "ResourceExistsException",
          `The operation failed because the secret ${name} already exists.`,
        );
      }
      const created = store({ name, value: secretStringOf(input) });
      return { ARN: created.arn, Name: created.name, VersionId: created.versionId };
    },
    PutSecretValue(input) {
      const secret = mustFind(input);
      secret.value = secretStringOf(input);
      secret.versionId = ctx.ids.uuid();
      return {
        ARN: secret.arn,
        Name: secret.name,
        VersionId: secret.versionId,
        VersionStages: ["AWSCURRENT"],
      };
    },
    GetSecretValue(input) {
      const secret = mustFind(input);
      return {
        ARN: secret.arn,
        Name: secret.name,
        VersionId: secret.versionId,
        SecretString: secret.value,
        VersionStages: ["AWSCURRENT"],
        CreatedDate: secret.createdAt / 1000,
      };
    },
    DescribeSecret(input) {
      const secret = mustFind(input);
      return { ARN: secret.arn, Name: secret.name, CreatedDate: secret.createdAt / 1000 };
    },
  };
  return {
    handlers,
    control: {
      putSecret(secret) {
        const stored = store(secret);
        return { arn: stored.arn, name: stored.name };
      },
    },
  };
}

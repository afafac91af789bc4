/**
 * The Vault agent container, the `vault-secrets` volume and what the app containers get from it (DESIGN 5 and
 * 10). The agent's config is an object serialised with `JSON.stringify`; templates come from structured
 * `secrets[]`. Nothing secret is rendered: the agent logs in with the task role at run time. Pure.
 */
import type { ContainerDefinition, ContainerDependency, MountPoint, Volume } from "@aws-sdk/client-ecs";
import {
  type FargateServiceSpec,
  VAULT_AGENT_CONTAINER,
  type VaultSecret,
  type VaultSpec,
} from "../crds/index.js";
import { RenderError } from "./errors.js";
import { fieldOf, goStringLiteral, textOf } from "./go-template.js";
import type { RenderContext } from "./names.js";

/** The official image the operator pins when `vault.image` is not set. */
export const DEFAULT_VAULT_IMAGE = "hashicorp/vault:1.18.3";

/** Name of the task volume the agent writes and the apps read. */
export const VAULT_SECRETS_VOLUME = "vault-secrets";

/** Environment variable the official image's entrypoint writes to `VAULT_CONFIG_FILE`. */
export const VAULT_CONFIG_ENV = "VAULT_LOCAL_CONFIG";

/** Where the official image's entrypoint writes `VAULT_LOCAL_CONFIG`. */
export const VAULT_CONFIG_FILE = "/vault/config/local.json";

/**
 * Where the agent mounts the secrets volume: a directory the official image's entrypoint chowns to the vault
 * user before dropping privileges (it does so for /vault/config, /vault/logs and /vault/file only), so the agent
 * can write there. App containers mount the same volume read-only at `vault.mountPath`, where they read
 * `<mountPath>/<name>`.
 */
export const VAULT_AGENT_SECRETS_DIR = "/vault/file";

/** Mode of the rendered files: readable by any app user, writable by nobody. */
export const RENDERED_FILE_PERMS = "0444";

/** What `renderVaultAgent` adds to a task definition. */
export interface RenderedVaultAgent {
  container: ContainerDefinition;
  volume: Volume;
  /** Mount of the volume in every app container (read-only). */
  appMountPoint: MountPoint;
  /** Dependency of every app container on the agent. */
  appDependsOn: ContainerDependency;
  /** The agent config as an object (also serialised in the container's environment). */
  config: VaultAgentConfig;
}

/** The Vault agent config the operator writes (JSON form of Vault's agent HCL). */
export interface VaultAgentConfig {
  vault: { address: string };
  auto_auth: {
    method: {
      type: "aws";
      mount_path: string;
      config: { type: "iam"; role: string; header_value: string; region: string };
    };
  };
  template_config: { exit_on_retry_failure: true };
  template: VaultTemplate[];
  exit_after_auth?: true;
}

/** One agent template stanza. */
export interface VaultTemplate {
  contents: string;
  destination: string;
  perms: string;
  error_on_missing_key: true;
}

/** The Vault address: `vault.address`, else `https://vault.<namespace dnsName>:8200`. */
export function vaultAddress(vault: VaultSpec, namespaceDnsName: string | undefined): string {
  if (vault.address !== undefined) return vault.address;
  if (namespaceDnsName === undefined) {
    throw new RenderError(
      "vault.address is not set and the Cloud Map namespace's dnsName is unknown (set vault.address or resolve discovery.cloudMap.namespaceRef)",
    );
  }
  return `https://vault.${namespaceDnsName}:8200`;
}

/** Host part of a Vault address (the default `X-Vault-AWS-IAM-Server-ID`). */
export function hostOf(address: string): string {
  const match = /^[a-z][a-z0-9+.-]*:\/\/([^/:?#]+)/i.exec(address);
  if (match?.[1] === undefined) throw new RenderError(`vault address ${JSON.stringify(address)} has no host`);
  return match[1];
}

/** File a secret renders to: `<mountPath>/<name>`, with `.<format>` added unless the name already ends so. */
export function secretDestination(mountPath: string, secret: VaultSecret): string {
  const suffix = `.${secret.format}`;
  const file = secret.name.endsWith(suffix) ? secret.name : `${secret.name}${suffix}`;
  return `${mountPath.replace(/\/+$/, "")}/${file}`;
}

/** Go-template expression for the key/value map of a secret: KV v2 (`<mount>/data/...`) nests it in `.Data.data`. */
function dataOf(path: string): string {
  return path.split("/")[1] === "data" ? ".Data.data" : ".Data";
}

/** Template text for one secret, from its path, keys and format only. */
export function secretTemplate(secret: VaultSecret): string {
  const data = dataOf(secret.path);
  const open = `{{ with secret ${goStringLiteral(secret.path)} }}`;
  const keys = secret.keys;
  if (secret.format === "env") {
    if (keys === undefined)
      return `${open}{{ range $k, $v := ${data} }}{{ $k }}={{ $v }}\n{{ end }}{{ end }}`;
    return `${open}${keys.map((key) => `${textOf(key)}={{ ${fieldOf(data, key)} }}\n`).join("")}{{ end }}`;
  }
  if (keys === undefined) return `${open}{{ ${data} | toJSON }}{{ end }}\n`;
  // One member a line: a literal "{" right before "{{" would be lexed as part of the delimiter.
  const members = keys.map(
    (key) => `  {{ ${goStringLiteral(key)} | toJSON }}: {{ ${fieldOf(data, key)} | toJSON }}`,
  );
  return `${open}{\n${members.join(",\n")}\n}{{ end }}\n`;
}

/** The agent config object (never string-built). */
export function vaultAgentConfig(vault: VaultSpec, context: RenderContext): VaultAgentConfig {
  const address = vaultAddress(vault, context.namespaceDnsName);
  const config: VaultAgentConfig = {
    vault: { address },
    auto_auth: {
      method: {
        type: "aws",
        mount_path: `auth/${vault.authMountPath}`,
        config: {
          type: "iam",
          role: vault.role,
          header_value: vault.serverIdHeader ?? hostOf(address),
          region: vault.region ?? context.region,
        },
      },
    },
    template_config: { exit_on_retry_failure: true },
    template: vault.secrets.map((secret) => ({
      contents: secretTemplate(secret),
      destination: secretDestination(VAULT_AGENT_SECRETS_DIR, secret),
      perms: RENDERED_FILE_PERMS,
      error_on_missing_key: true,
    })),
  };
  if (vault.mode === "init") config.exit_after_auth = true;
  return config;
}

/** A POSIX shell single-quoted word. */
function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

/** Renders the Vault agent for a spec with `vault`; `logConfiguration` is the task's (shared by every container). */
export function renderVaultAgent(
  spec: FargateServiceSpec & { vault: VaultSpec },
  context: RenderContext,
  logConfiguration?: ContainerDefinition["logConfiguration"],
): RenderedVaultAgent {
  const vault = spec.vault;
  const config = vaultAgentConfig(vault, context);
  const sidecar = vault.mode === "sidecar";
  const container: ContainerDefinition = {
    name: VAULT_AGENT_CONTAINER,
    image: vault.image ?? DEFAULT_VAULT_IMAGE,
    essential: sidecar,
    // Root so the entrypoint can fix ownership, then it drops to the vault user itself.
    user: "0",
    cpu: vault.cpu,
    memory: vault.memory,
    command: ["agent", `-config=${VAULT_CONFIG_FILE}`],
    environment: [
      // Fargate grants no IPC_LOCK; the agent does not need mlock.
      { name: "SKIP_SETCAP", value: "true" },
      { name: VAULT_CONFIG_ENV, value: JSON.stringify(config) },
    ],
    mountPoints: [
      { sourceVolume: VAULT_SECRETS_VOLUME, containerPath: VAULT_AGENT_SECRETS_DIR, readOnly: false },
    ],
  };
  if (sidecar) {
    const checks = config.template.map((t) => `test -s ${shellQuote(t.destination)}`).join(" && ");
    container.healthCheck = {
      command: ["CMD-SHELL", checks],
      interval: 5,
      timeout: 2,
      retries: 3,
      startPeriod: 10,
    };
  }
  if (logConfiguration !== undefined) container.logConfiguration = structuredClone(logConfiguration);
  return {
    container,
    volume: { name: VAULT_SECRETS_VOLUME },
    appMountPoint: { sourceVolume: VAULT_SECRETS_VOLUME, containerPath: vault.mountPath, readOnly: true },
    appDependsOn: { containerName: VAULT_AGENT_CONTAINER, condition: sidecar ? "HEALTHY" : "SUCCESS" },
    config,
  };
}

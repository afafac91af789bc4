/**
 * Cross-field rules of the task- and service-level ECS fields of a FargateService (volumes, proxyConfiguration,
 * loadBalancers, capacityProviderStrategy). Defensive.
 */
import { issue, type ValidationIssue } from "./issues.js";
import { VAULT_AGENT_CONTAINER } from "./rules-containers.js";
import { asNumber, asRecord, asString, type JsonRecord, recordsOf } from "./values.js";

/** Name of the task volume the operator adds for the Vault agent (render/vault-agent.ts). */
export const VAULT_VOLUME = "vault-secrets";

/** Volume members ECS's shapes allow but a Linux Fargate task (or this operator) does not, with the fix. */
const REFUSED_VOLUME_MEMBERS: Readonly<Record<string, string>> = {
  host: "Fargate has no host paths: remove host (a volume with only a name is task storage shared by containers)",
  dockerVolumeConfiguration: "Fargate does not support Docker volumes: use a bind mount (name only) or EFS",
  fsxWindowsFileServerVolumeConfiguration:
    "FSx for Windows needs Windows tasks; this operator runs Linux tasks",
  configuredAtLaunch: "EBS volumes configured at launch are not offered: use EFS (efsVolumeConfiguration)",
};

/** Issues of `spec.volumes`: names present and unique, Fargate-only members, EFS IAM needs transit encryption. */
function volumeRules(spec: JsonRecord, vault: JsonRecord | undefined): ValidationIssue[] {
  const out: ValidationIssue[] = [];
  const seen = new Set<string>();
  for (const [i, volume] of recordsOf(spec.volumes)) {
    const at = ["spec", "volumes", i];
    const name = asString(volume.name);
    if (name === undefined) {
      out.push(
        issue(
          [...at, "name"],
          'missing required field "name"',
          "add name: what mountPoints' sourceVolume uses",
        ),
      );
    } else if (seen.has(name)) {
      out.push(issue([...at, "name"], `duplicate volume name "${name}"`, "give each volume a unique name"));
    } else if (vault && name === VAULT_VOLUME) {
      out.push(
        issue(
          [...at, "name"],
          `volume name "${VAULT_VOLUME}" is reserved when vault is set`,
          "rename the volume",
        ),
      );
    }
    if (name !== undefined) seen.add(name);
    for (const [member, fix] of Object.entries(REFUSED_VOLUME_MEMBERS)) {
      if (volume[member] !== undefined)
        out.push(issue([...at, member], `${member} is not accepted here`, fix));
    }
    const efs = asRecord(volume.efsVolumeConfiguration);
    if (asRecord(efs?.authorizationConfig)?.iam === "ENABLED" && efs?.transitEncryption !== "ENABLED") {
      out.push(
        issue(
          [...at, "efsVolumeConfiguration", "transitEncryption"],
          "EFS IAM authorization needs transit encryption",
          "set transitEncryption: ENABLED",
        ),
      );
    }
  }
  return out;
}

/** Capacity providers of Fargate. */
const FARGATE_PROVIDERS = ["FARGATE", "FARGATE_SPOT"];

/** Issues of the service-level fields: load balancers target a container port, providers are Fargate's. */
function serviceRules(spec: JsonRecord): ValidationIssue[] {
  const out: ValidationIssue[] = [];
  const ports = new Map<string, number[]>();
  for (const [, c] of recordsOf(spec.containers)) {
    const name = asString(c.name);
    if (name !== undefined)
      ports.set(
        name,
        recordsOf(c.ports).flatMap(([, p]) => asNumber(p.containerPort) ?? []),
      );
  }
  for (const [i, balancer] of recordsOf(spec.loadBalancers)) {
    const at = ["spec", "loadBalancers", i];
    const name = asString(balancer.containerName);
    const port = asNumber(balancer.containerPort);
    if (name === undefined || port === undefined) {
      out.push(
        issue(
          at,
          "a load balancer needs containerName and containerPort",
          "name the container and one of its ports",
        ),
      );
      continue;
    }
    const own = ports.get(name);
    if (own === undefined) {
      out.push(
        issue(
          [...at, "containerName"],
          `no container named "${name}" in this service`,
          `use one of ${[...ports.keys()].join(", ")}`,
        ),
      );
    } else if (!own.includes(port)) {
      out.push(
        issue(
          [...at, "containerPort"],
          `container "${name}" has no port ${port}`,
          own.length > 0 ? `use one of ${own.join(", ")}` : `add containerPort ${port} to its ports`,
        ),
      );
    }
  }
  const providers = new Set<string>();
  for (const [i, item] of recordsOf(spec.capacityProviderStrategy)) {
    const provider = asString(item.capacityProvider);
    if (provider === undefined) continue;
    const at = ["spec", "capacityProviderStrategy", i, "capacityProvider"];
    if (!FARGATE_PROVIDERS.includes(provider)) {
      out.push(issue(at, `capacity provider "${provider}" is not Fargate's`, "use FARGATE or FARGATE_SPOT"));
    } else if (providers.has(provider)) {
      out.push(issue(at, `duplicate capacity provider "${provider}"`, "list each provider once"));
    }
    providers.add(provider);
  }
  return out;
}

/** Key prefixes of tags users may not set: the operator's own and AWS's reserved ones. */
const RESERVED_TAG_PREFIXES = ["fargate-operator:", "aws:"];

/** Most user tag keys on one resource: ECS's 50 less room for ours. */
const MAX_USER_TAGS = 40;

/** Issues of `spec.tags` and `spec.taskDefinitionTags`: reserved keys, and too many keys on a revision. */
function tagRules(spec: JsonRecord): ValidationIssue[] {
  const out: ValidationIssue[] = [];
  for (const field of ["tags", "taskDefinitionTags"]) {
    for (const key of Object.keys(asRecord(spec[field]) ?? {})) {
      const prefix = RESERVED_TAG_PREFIXES.find((p) => key.toLowerCase().startsWith(p));
      if (prefix === undefined) continue;
      out.push(
        issue(
          ["spec", field, key],
          `tag keys starting with "${prefix}" are reserved`,
          prefix === "aws:"
            ? "AWS reserves aws:*; rename the key"
            : "the operator sets its own fargate-operator:* tags; rename the key",
        ),
      );
    }
  }
  const merged = new Set([
    ...Object.keys(asRecord(spec.tags) ?? {}),
    ...Object.keys(asRecord(spec.taskDefinitionTags) ?? {}),
  ]);
  if (merged.size > MAX_USER_TAGS && asRecord(spec.taskDefinitionTags) !== undefined) {
    out.push(
      issue(
        ["spec", "taskDefinitionTags"],
        `spec.tags and spec.taskDefinitionTags give the task definition ${merged.size} tags, at most ${MAX_USER_TAGS} allowed`,
        "drop keys from one of them",
      ),
    );
  }
  return out;
}

/** Every cross-field issue of the task-level ECS fields of a (defaulted) FargateService spec. */
export function ecsTaskRules(spec: JsonRecord, vault: JsonRecord | undefined): ValidationIssue[] {
  const out = [...volumeRules(spec, vault), ...serviceRules(spec), ...tagRules(spec)];
  const proxy = asString(asRecord(spec.proxyConfiguration)?.containerName);
  const names = new Set(recordsOf(spec.containers).flatMap(([, c]) => asString(c.name) ?? []));
  if (vault) names.add(VAULT_AGENT_CONTAINER);
  if (proxy !== undefined && !names.has(proxy)) {
    out.push(
      issue(
        ["spec", "proxyConfiguration", "containerName"],
        `no container named "${proxy}" in this service`,
        `use one of ${[...names].join(", ")}`,
      ),
    );
  }
  return out;
}

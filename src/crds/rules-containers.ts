/** Cross-field rules of FargateService containers: names, ports, variables, health checks. Defensive. */
import { type DocumentPath, issue, type ValidationIssue } from "./issues.js";
import { asNumber, asRecord, asString, type JsonRecord, recordsOf } from "./values.js";

/** Name of the container the operator adds for the Vault agent. */
export const VAULT_AGENT_CONTAINER = "vault-agent";

/** ECS allows at most this many containers per task definition. */
const MAX_CONTAINERS = 10;

/** Every cross-field issue of the containers of a (defaulted) FargateService spec. */
export function containerRules(spec: JsonRecord, vault: JsonRecord | undefined): ValidationIssue[] {
  const out: ValidationIssue[] = [];
  const containers = recordsOf(spec.containers);
  const names = new Map<string, number>();
  const ports = new Map<string, string>();
  for (const [i, container] of containers) {
    const at: DocumentPath = ["spec", "containers", i];
    const name = asString(container.name);
    if (name !== undefined) {
      const first = names.get(name);
      if (first !== undefined) {
        out.push(
          issue(
            [...at, "name"],
            `duplicate container name "${name}" (also containers[${first}])`,
            "give each container a unique name",
          ),
        );
      } else names.set(name, i);
      if (vault && name === VAULT_AGENT_CONTAINER) {
        out.push(
          issue(
            [...at, "name"],
            `container name "${VAULT_AGENT_CONTAINER}" is reserved when vault is set`,
            "rename the container; the operator adds its own vault-agent container",
          ),
        );
      }
    }
    const portNames = new Map<string, number>();
    const protocols = new Map<number, { protocol: string; j: number }>();
    for (const [j, port] of recordsOf(container.ports)) {
      const number = asNumber(port.containerPort);
      const protocol = asString(port.protocol) ?? "tcp";
      if (number !== undefined) {
        // ECS's PortMapping: "You can't expose the same container port for multiple protocols."
        const other = protocols.get(number);
        if (other !== undefined && other.protocol !== protocol) {
          out.push(
            issue(
              [...at, "ports", j, "protocol"],
              `port ${number} is already exposed as ${other.protocol} by ports[${other.j}]; ECS refuses one container port on two protocols`,
              `keep one of tcp and udp for port ${number}, or listen on another port for ${protocol}`,
            ),
          );
        } else if (other === undefined) protocols.set(number, { protocol, j });
        const key = `${number}/${protocol}`;
        const first = ports.get(key);
        if (first !== undefined) {
          out.push(
            issue(
              [...at, "ports", j, "containerPort"],
              `port ${key} is already used by ${first}`,
              "containers of a task share one network namespace (awsvpc): use a different port",
            ),
          );
        } else ports.set(key, `containers[${i}].ports[${j}]`);
      }
      const portName = asString(port.name);
      if (portName !== undefined) {
        if (portNames.has(portName)) {
          out.push(
            issue(
              [...at, "ports", j, "name"],
              `duplicate port name "${portName}"`,
              "give each port mapping a unique name",
            ),
          );
        }
        portNames.set(portName, j);
      }
    }
    const environment = asRecord(container.environment);
    const secrets = asRecord(container.secrets);
    if (environment && secrets) {
      for (const key of Object.keys(secrets)) {
        if (key in environment) {
          out.push(
            issue(
              [...at, "secrets", key],
              `${key} is set in both environment and secrets`,
              "keep the variable in only one of environment and secrets",
            ),
          );
        }
      }
    }
    const command = asRecord(container.healthCheck)?.command;
    if (
      Array.isArray(command) &&
      typeof command[0] === "string" &&
      !["CMD", "CMD-SHELL"].includes(command[0])
    ) {
      out.push(
        issue(
          [...at, "healthCheck", "command", 0],
          `health check command must start with "CMD" or "CMD-SHELL", got ${JSON.stringify(command[0])}`,
          `write ["CMD-SHELL", "<shell command>"] or ["CMD", "<program>", "<args>..."]`,
        ),
      );
    }
  }
  if (containers.length > 0 && containers.every(([, c]) => c.essential === false)) {
    out.push(
      issue(
        ["spec", "containers"],
        "no container is essential",
        "set essential: true on at least one container",
      ),
    );
  }
  if (vault && Array.isArray(spec.containers) && spec.containers.length > MAX_CONTAINERS - 1) {
    out.push(
      issue(
        ["spec", "containers"],
        `with vault at most ${MAX_CONTAINERS - 1} containers are allowed (the Vault agent is the ${MAX_CONTAINERS}th)`,
        "remove a container",
      ),
    );
  }
  return out;
}

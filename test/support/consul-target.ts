/**
 * Which Consul servers the Consul suites run against. The only test file that reads the environment for Consul.
 *
 * Always: the simulator without ACLs, and the simulator with a management token. When `CONSUL_HTTP_ADDR` is set:
 * that Consul too, with `CONSUL_HTTP_TOKEN` when set. Its ACL tests run only with a token and assume what a
 * production Consul with `acl.enabled` has: an unknown token is refused and the anonymous token cannot write to
 * the catalog. The suites only create nodes named `fo-contract-*` and remove them afterwards.
 */

import { randomUUID } from "node:crypto";
import { startConsulSimulator } from "../../src/dev/consul-sim/index.js";

/** A running (or reachable) Consul to test against. */
export interface ConsulEndpoint {
  /** `host:port` or URL. */
  address: string;
  /** The token with full rights on this target, when it has ACLs on. */
  token: string | undefined;
  /** Releases what `start` took; a no-op for a real Consul. */
  stop(): Promise<void>;
}

/** One server the suites run against. */
export interface ConsulTarget {
  name: string;
  /** True when the target enforces tokens, so the ACL tests apply. */
  acl: boolean;
  start(): Promise<ConsulEndpoint>;
}

/** The targets for this run and one line saying which run and which do not. */
export function consulTargets(): { targets: ConsulTarget[]; summary: string } {
  const simulatorToken = `sim-${randomUUID()}`;
  const targets: ConsulTarget[] = [
    {
      name: "simulator",
      acl: false,
      async start() {
        const simulator = await startConsulSimulator();
        return { address: simulator.address, token: undefined, stop: () => simulator.stop() };
      },
    },
    {
      name: "simulator with ACL token",
      acl: true,
      async start() {
        const simulator = await startConsulSimulator({ aclToken: simulatorToken });
        return { address: simulator.address, token: simulatorToken, stop: () => simulator.stop() };
      },
    },
  ];
  const address = process.env.CONSUL_HTTP_ADDR;
  const token = process.env.CONSUL_HTTP_TOKEN || undefined;
  let notRun = "";
  if (address) {
    const acl = token
      ? "with ACL tests, CONSUL_HTTP_TOKEN set"
      : "without ACL tests, CONSUL_HTTP_TOKEN unset";
    targets.push({
      name: `real Consul at ${address} (${acl})`,
      acl: token !== undefined,
      start: async () => ({ address, token, stop: async () => {} }),
    });
  } else {
    notRun = "; not run: real Consul (set CONSUL_HTTP_ADDR, and CONSUL_HTTP_TOKEN for its ACL tests)";
  }
  return { targets, summary: `Consul targets: ${targets.map((t) => t.name).join(", ")}${notRun}` };
}

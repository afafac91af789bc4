/** AWS gateways that die right after a chosen write, for crash-safety suites (the write reached AWS, the pass did not go on). */
import type { AwsGateways } from "../../../src/aws/types.js";

/** Every gateway method that changes something in AWS. */
export const WRITE_METHODS: ReadonlySet<string> = new Set([
  "registerTaskDefinition",
  "deregisterTaskDefinition",
  "createService",
  "updateService",
  "deleteService",
  "tagResource",
  "updateServiceDnsRecords",
  "createPrivateDnsNamespace",
  "deleteNamespace",
]);

/** When armed, how many more counted writes may happen before the simulated crash; the methods it crashed after. */
export interface CrashPlan {
  remaining?: number | undefined;
  crashes: string[];
}

/**
 * Gateways that, when `plan` is armed with n, let the n-th call of one of `methods` reach AWS and then throw as if
 * the process died there.
 */
export function crashingGateways(
  aws: AwsGateways,
  plan: CrashPlan,
  methods: ReadonlySet<string> = WRITE_METHODS,
): Pick<AwsGateways, "ecs" | "cloudMap"> {
  const wrap = <T extends object>(target: T): T =>
    new Proxy(target, {
      get(t, prop) {
        const value = Reflect.get(t, prop) as unknown;
        if (typeof value !== "function") return value;
        const method = value as (...args: unknown[]) => unknown;
        if (!methods.has(String(prop))) return method.bind(t);
        return async (...args: unknown[]) => {
          const out = await method.apply(t, args);
          if (plan.remaining !== undefined) {
            plan.remaining -= 1;
            if (plan.remaining === 0) {
              plan.remaining = undefined;
              plan.crashes.push(String(prop));
              throw new Error(`simulated crash right after ${String(prop)}`);
            }
          }
          return out;
        };
      },
    });
  return { ecs: wrap(aws.ecs), cloudMap: wrap(aws.cloudMap) };
}

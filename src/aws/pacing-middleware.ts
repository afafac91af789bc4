/**
 * Paces the SDK's own retries of ECS calls through the client-side buckets. `callAws` paces a call's first
 * attempt (abortably); without this middleware each retry of a throttled call would take one of AWS's tokens
 * that the buckets had promised to the next call, which then is throttled too, and so on: measured as 44–78
 * throttled RegisterTaskDefinition calls per 100 new services in the convergence bench.
 */
import type { ECSClient } from "@aws-sdk/client-ecs";
import { AwsThrottledError } from "./errors.js";
import type { EcsRateLimiter } from "./throttle.js";
import { translateAwsError } from "./translate.js";

/** Name of the middleware in the ECS client's stack. */
export const ECS_PACING_MIDDLEWARE = "ecsPacingMiddleware";

/**
 * Adds the per-attempt pacing to `client`: every attempt after the first waits for a token, and a throttled
 * attempt tells the limiter that ECS's bucket is empty. It sits inside the retry middleware, so it sees each
 * attempt; the SDK's execution context is one object per `send`, which is how attempts are counted.
 */
export function addEcsPacing(client: ECSClient, limiter: EcsRateLimiter): void {
  const attempts = new WeakMap<object, number>();
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const operation = (context.commandName ?? "").replace(/Command$/, "");
      const attempt = (attempts.get(context) ?? 0) + 1;
      attempts.set(context, attempt);
      if (attempt > 1) await limiter.acquire(operation);
      try {
        return await next(args);
      } catch (error) {
        if (translateAwsError("ecs", operation, error) instanceof AwsThrottledError)
          limiter.noteThrottled(operation);
        throw error;
      }
    },
    { step: "finalizeRequest", priority: "low", name: ECS_PACING_MIDDLEWARE },
  );
}

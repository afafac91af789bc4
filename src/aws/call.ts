/**
 * One AWS call as both adapters make it: client-side pacing (ECS), abort handling, the call counter, a debug
 * line (`awsOperation`, `durationMs`, never the request body) and error translation.
 */
import { performance } from "node:perf_hooks";
import type { Logger } from "../log.js";
import { AwsCallOutcome, type AwsCallRecorder } from "../metrics.js";
import type { AwsServiceName } from "./errors.js";
import type { EcsRateLimiter } from "./throttle.js";
import { outcomeOf, translateAwsError } from "./translate.js";

/** What one adapter needs to make calls. */
export interface CallContext {
  service: AwsServiceName;
  log: Logger;
  recordCall: AwsCallRecorder;
  /** ECS's buckets; undefined for Cloud Map or when pacing is off. */
  limiter: EcsRateLimiter | undefined;
}

/** The options object SDK clients' `send` takes. */
export interface SendOptions {
  abortSignal?: AbortSignal;
}

/**
 * Runs `send` for `operation`. Rejects with a typed AwsError, or with the signal's own reason when the
 * caller aborted (an abort is not an AWS failure, so it is neither wrapped nor counted as one).
 */
export async function callAws<T>(
  ctx: CallContext,
  operation: string,
  send: (options: SendOptions) => Promise<T>,
  signal?: AbortSignal,
): Promise<T> {
  const waitedMs = ctx.limiter === undefined ? 0 : await ctx.limiter.acquire(operation, signal);
  if (signal?.aborted) throw signal.reason;
  const awsOperation = `${ctx.service}:${operation}`;
  // Latency is a wall-clock fact of the network, so it is measured on the real clock.
  const started = performance.now();
  const elapsed = (): number => Math.round(performance.now() - started);
  try {
    const result = await send(signal === undefined ? {} : { abortSignal: signal });
    ctx.recordCall(ctx.service, operation, AwsCallOutcome.Success);
    ctx.log.debug({ awsOperation, durationMs: elapsed(), waitedMs }, "aws call");
    return result;
  } catch (error) {
    const durationMs = elapsed();
    if (signal?.aborted) {
      // The request left but its answer was dropped on our side: count it as a transport failure.
      ctx.recordCall(ctx.service, operation, AwsCallOutcome.NetworkError);
      ctx.log.debug({ awsOperation, durationMs, waitedMs, aborted: true }, "aws call aborted");
      throw signal.reason;
    }
    const translated = translateAwsError(ctx.service, operation, error);
    const outcome = outcomeOf(translated);
    ctx.recordCall(ctx.service, operation, outcome);
    ctx.log.debug({ awsOperation, durationMs, waitedMs, outcome, code: translated.code }, "aws call failed");
    throw translated;
  }
}

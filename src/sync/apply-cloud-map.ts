/**
 * Carries out a Consul → Cloud Map plan, write by write, paced by the direction's bucket, and applies each
 * success to the view. Cloud Map refusing one instance (invalid input, or the instance or its service gone) is
 * that entry's problem and the round goes on; any other failure ends the round (the engine retries it with
 * backoff); an abort ends it at once.
 */
import {
  AwsAlreadyExistsError,
  AwsInvalidRequestError,
  AwsNotFoundError,
  AwsResourceInUseError,
} from "../aws/errors.js";
import type { CloudMapGateway } from "../aws/types.js";
import type { Logger } from "../log.js";
import { TagKey } from "../render/names.js";
import type { CloudMapView } from "./cloud-map-view.js";
import { describeFailure, type WriteLimiter } from "./pacing.js";
import type { CloudMapWrite } from "./plan-to-cloud-map.js";

/** What one round did. */
export interface AppliedRound {
  written: number;
  /** A service was created: its instances come in the next round. */
  created: boolean;
  /** Things that could not be done but need no retry (a name clash found at creation, instances of others). */
  problems: string[];
  /** The failure that ended the round early. */
  error?: string;
}

/** What applying needs. */
export interface ApplyCloudMapContext {
  cloudMap: CloudMapGateway;
  view: CloudMapView;
  limiter: WriteLimiter;
  uid: string;
  log: Logger;
}

/** Applies `writes` in order. */
export async function applyToCloudMap(
  writes: readonly CloudMapWrite[],
  ctx: ApplyCloudMapContext,
  signal: AbortSignal,
): Promise<AppliedRound> {
  const out: AppliedRound = { written: 0, created: false, problems: [] };
  const refused = new Set<string>();
  for (const write of writes) {
    const entry = "instanceId" in write ? `${write.serviceId}/${write.instanceId}` : undefined;
    // A health update of an instance whose registration was just refused would be refused too.
    if (entry !== undefined && refused.has(entry)) continue;
    await ctx.limiter.take(signal);
    try {
      out.written += await applyOne(write, ctx, out, signal);
    } catch (error) {
      if (signal.aborted) throw error;
      if ("serviceId" in write) ctx.view.invalidate(write.serviceId);
      if (entry !== undefined && isRefusal(error)) {
        refused.add(entry);
        out.problems.push(
          `Cloud Map refused ${write.kind} of instance ${entry}: ${shorten(describeFailure(error))}`,
        );
        continue;
      }
      out.error = describeFailure(error);
      ctx.log.warn({ err: error, write: write.kind }, "catalog sync: Cloud Map write failed");
      return out;
    }
  }
  return out;
}

/** Cloud Map said no to this one write (not throttling, an outage or missing permissions): retrying will not help. */
function isRefusal(error: unknown): boolean {
  return error instanceof AwsInvalidRequestError || error instanceof AwsNotFoundError;
}

/** AWS messages may quote the refused value; keep status and logs short. */
function shorten(text: string, max = 300): string {
  return text.length > max ? `${text.slice(0, max)}… (${text.length} characters)` : text;
}

async function applyOne(
  write: CloudMapWrite,
  ctx: ApplyCloudMapContext,
  out: AppliedRound,
  signal: AbortSignal,
): Promise<number> {
  const { cloudMap, view } = ctx;
  switch (write.kind) {
    case "createService": {
      const info = await cloudMap.createService(write.input, signal).catch(async (error: unknown) => {
        // Our own earlier create (same CreatorRequestId) that we did not hear back from: adopt it.
        if (error instanceof AwsAlreadyExistsError && error.existingId !== undefined)
          if (error.creatorRequestId === write.input.CreatorRequestId)
            return cloudMap.getService(error.existingId, signal);
        if (error instanceof AwsAlreadyExistsError) return undefined;
        throw error;
      });
      if (info === undefined) {
        out.problems.push(`Cloud Map service ${write.input.Name} exists and is not this CatalogSync's`);
        return 0;
      }
      view.noteCreated(info, { [TagKey.SyncOwner]: ctx.uid });
      out.created = true;
      ctx.log.info({ cloudMapService: info.name, consulService: write.consulName }, "catalog sync: created");
      return 1;
    }
    case "updateDnsRecords":
      await cloudMap.updateServiceDnsRecords(write.serviceId, write.records, signal);
      view.noteRecords(write.serviceId, write.records);
      return 1;
    case "registerInstance":
      await cloudMap.registerInstance(write.serviceId, write.instanceId, write.attributes, signal);
      view.noteRegistered(write.serviceId, write.instanceId, write.attributes);
      return 1;
    case "setHealth":
      await cloudMap.updateInstanceCustomHealthStatus(
        write.serviceId,
        write.instanceId,
        write.status,
        signal,
      );
      view.noteHealth(write.serviceId, write.instanceId, write.status);
      return 1;
    case "deregisterInstance":
      try {
        await cloudMap.deregisterInstance(write.serviceId, write.instanceId, signal);
      } catch (error) {
        // Gone already (or its service is): what the write wanted.
        if (!(error instanceof AwsNotFoundError)) throw error;
        view.noteDeregistered(write.serviceId, write.instanceId);
        return 0;
      }
      view.noteDeregistered(write.serviceId, write.instanceId);
      ctx.log.info(
        { serviceId: write.serviceId, instanceId: write.instanceId, why: write.why },
        "catalog sync: deregistered",
      );
      return 1;
    case "deleteService":
      try {
        await cloudMap.deleteService(write.serviceId, signal);
      } catch (error) {
        if (error instanceof AwsResourceInUseError) {
          // Someone registered an instance of their own in our service: it stays until theirs is gone.
          out.problems.push(`Cloud Map service ${write.name} still has instances that are not ours; kept`);
          view.invalidate(write.serviceId);
          return 0;
        }
        if (!(error instanceof AwsNotFoundError)) throw error;
      }
      view.noteDeleted(write.serviceId);
      return 1;
  }
}

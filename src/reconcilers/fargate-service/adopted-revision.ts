/**
 * Adoption without a rollout: a service made outside the operator (typically through `fargatectl import`) runs a
 * revision of its own family. When that revision says what the spec renders (both normalised with ECS's
 * defaults, family and tags aside), the record takes it as its task definition, so adopting starts no deployment.
 */
import { AwsNotFoundError } from "../../aws/errors.js";
import type { EcsService, TaskDefinitionRevision } from "../../aws/types.js";
import { canonical, normaliseTaskDefinition } from "../../import/index.js";
import { Ownership, ownershipOf } from "../ownership.js";
import type { FargateServiceRecord } from "./context.js";
import { ecsTags, identityOf } from "./name-check.js";
import type { FargateServiceStepDeps } from "./steps.js";

/** The ARN of the revision an unowned, adoptable service runs when it equals `input`; otherwise undefined. */
export async function adoptedRevision(
  deps: FargateServiceStepDeps,
  record: FargateServiceRecord,
  observed: EcsService | undefined,
  input: object,
  signal: AbortSignal,
): Promise<string | undefined> {
  if (observed === undefined || observed.status === "DRAINING" || !record.spec.adopt) return undefined;
  const running = observed.taskDefinition;
  if (running === undefined) return undefined;
  if (ownershipOf(ecsTags(observed), identityOf(record)) !== Ownership.Unowned) return undefined;
  let revision: TaskDefinitionRevision;
  try {
    revision = await deps.ecs.describeTaskDefinition(running, signal);
  } catch (error) {
    if (error instanceof AwsNotFoundError) return undefined;
    throw error;
  }
  if (revision.status !== "ACTIVE" || revision.content === undefined) return undefined;
  // A revision carrying any operator tag is never taken (DESIGN 11: adopt never takes our own kind's resources).
  if (Object.keys(revision.tags).some((k) => k.startsWith("fargate-operator:"))) return undefined;
  const same =
    canonical(normaliseTaskDefinition(revision.content)) ===
    canonical(normaliseTaskDefinition(input as Record<string, unknown>));
  return same ? revision.arn : undefined;
}

/**
 * ECS's 64 KiB limit on a task definition, checked before anything reaches AWS (`validate`, `apply` and the
 * controller's first step alike). Offline there is no region or Cloud Map DNS name, so the FargateService is
 * rendered with the longest values those could take: a spec that passes here is never refused by ECS for size.
 */
import {
  type DocumentPath,
  ECS_TASK_DEFINITION_MAX_BYTES,
  type FargateServiceDocument,
  formatKib,
  formatPath,
  issue,
  jsonBytes,
  type ValidationIssue,
  type ValidationResult,
  validateDocument,
} from "../crds/index.js";
import { RenderError } from "./errors.js";
import type { RenderContext } from "./names.js";
import { renderTaskDefinition } from "./task-definition.js";

/** Longer than any AWS region code. */
const LONGEST_REGION = "x".repeat(32);
/** The longest DNS name (253 characters), standing for the Cloud Map namespace's `dnsName`. */
const LONGEST_DNS_NAME = [63, 63, 63, 61].map((n) => "n".repeat(n)).join(".");

/** Bytes of the task definition ECS would receive for `document`, rendered with worst-case context. */
export function worstCaseTaskDefinitionBytes(document: FargateServiceDocument): number {
  const context: RenderContext = {
    region: LONGEST_REGION,
    namespaceDnsName: LONGEST_DNS_NAME,
    metadata: {
      name: document.metadata.name,
      namespace: document.metadata.namespace ?? "default",
      uid: "00000000-0000-0000-0000-000000000000",
      generation: 1,
    },
  };
  return jsonBytes(renderTaskDefinition(document.spec, context).input);
}

/** A string somewhere in a spec, and its size. */
interface Leaf {
  path: DocumentPath;
  bytes: number;
}

/** Every string in `value` with its path and size, for naming what makes a task definition large. */
function stringLeaves(value: unknown, path: DocumentPath, out: Leaf[]): Leaf[] {
  if (typeof value === "string") out.push({ path, bytes: Buffer.byteLength(value, "utf8") });
  else if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) stringLeaves(item, [...path, i], out);
  } else if (value !== null && typeof value === "object") {
    for (const [key, item] of Object.entries(value)) stringLeaves(item, [...path, key], out);
  }
  return out;
}

/** The issue of a FargateService whose task definition ECS would refuse as too large; none when it fits. */
export function taskDefinitionSizeIssues(document: FargateServiceDocument): ValidationIssue[] {
  let bytes: number;
  try {
    bytes = worstCaseTaskDefinitionBytes(document);
  } catch (error) {
    // A valid spec always renders; if one did not, the controller's own render reports it with context.
    if (error instanceof RenderError) return [];
    throw error;
  }
  if (bytes <= ECS_TASK_DEFINITION_MAX_BYTES) return [];
  const largest = stringLeaves(document.spec, ["spec"], [])
    .sort((a, b) => b.bytes - a.bytes)
    .slice(0, 3);
  const named = largest.map((l) => `${formatPath(l.path)} (${formatKib(l.bytes)})`).join(", ");
  return [
    issue(
      largest[0]?.path ?? ["spec"],
      `makes the rendered task definition ${formatKib(bytes)}; ECS refuses more than ${formatKib(ECS_TASK_DEFINITION_MAX_BYTES)}`,
      `shrink the largest values (${named}): move them into secrets (NAME: ARN), the image, or a file the app reads`,
    ),
  ];
}

/**
 * `validateDocument`, plus the checks that need the rendered AWS input (ECS's task-definition size). Every
 * place that accepts a document (CLI and controller) validates through this.
 */
export function validateDocumentForAws(document: unknown): ValidationResult {
  const result = validateDocument(document);
  if (!result.ok || result.document.kind !== "FargateService") return result;
  const issues = taskDefinitionSizeIssues(result.document);
  return issues.length === 0 ? result : { ok: false, issues };
}

/**
 * The round trip: the imported document is validated as `apply` would, rendered as `render` does, and the
 * rendered definitions are compared with the input after normalising both; every difference is a loss. Pure.
 */
import { API_VERSION, type FargateServiceSpec, formatPath } from "../crds/index.js";
import {
  PLACEHOLDER_ACCOUNT_ID,
  renderEcsService,
  renderTaskDefinition,
  validateDocumentForAws,
} from "../render/index.js";
import { autoscalingLosses } from "./autoscaling-compare.js";
import { canonical, normaliseService, normaliseTaskDefinition, type RoleContext } from "./normalise.js";
import type { EcsInput, ImportLoss } from "./types.js";
import { isRecord, type JsonRecord, userTagsOf, withoutTemplates } from "./values.js";

/** What the comparison needs besides the document. */
export interface RoundTripContext {
  input: EcsInput;
  roles: RoleContext;
  region: string;
}

interface Difference {
  path: string;
  input: unknown;
  rendered: unknown;
}

function differences(a: unknown, b: unknown, path: string, out: Difference[]): Difference[] {
  if (isRecord(a) && isRecord(b)) {
    for (const key of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
      differences(a[key], b[key], path === "" ? key : `${path}.${key}`, out);
    }
  } else if (canonical(a) !== canonical(b)) out.push({ path, input: a, rendered: b });
  return out;
}

function short(value: unknown): string {
  if (value === undefined) return "nothing";
  const text = JSON.stringify(value);
  return text.length > 100 ? `${text.slice(0, 97)}...` : text;
}

/** `containers.NAME.x` (normalised) → `containerDefinitions[i].x` (the input's own path). */
function inputPath(path: string, td: JsonRecord): string {
  const match = /^containers\.([^.]+)(.*)$/.exec(path);
  if (!match) return path;
  const list = Array.isArray(td.containerDefinitions) ? td.containerDefinitions : [];
  const index = list.findIndex((c) => isRecord(c) && String(c.name) === match[1]);
  return `containerDefinitions[${index < 0 ? match[1] : index}]${match[2]}`;
}

/** Each user tag of the input must be on the rendered resource with its value (ours and AWS's aside). */
function tagLosses(path: string, input: unknown, rendered: unknown): ImportLoss[] {
  const want = userTagsOf(input);
  const got = userTagsOf(rendered);
  return Object.entries(want)
    .filter(([key, value]) => got[key] !== value)
    .map(([key, value]) => ({
      path: `${path}.${key}`,
      why: `differs after render (input ${short(value)}, rendered ${short(got[key])})`,
    }));
}

/** Validation issues and round-trip differences of a converted document, as losses. */
export function roundTripLosses(document: JsonRecord, context: RoundTripContext): ImportLoss[] {
  // Template expressions (ecspresso) are kept in the document; they are judged as the values they stand for.
  const result = validateDocumentForAws(withoutTemplates(document));
  if (!result.ok) {
    return result.issues.map((i) => ({ path: formatPath(i.path), why: `${i.message} (fix: ${i.hint})` }));
  }
  const spec = result.document.spec as FargateServiceSpec;
  const meta = result.document.metadata;
  const renderContext = {
    region: context.region,
    accountId: PLACEHOLDER_ACCOUNT_ID,
    metadata: {
      name: meta.name,
      namespace: meta.namespace ?? "default",
      uid: "00000000-0000-0000-0000-000000000000",
      generation: 1,
    },
  };
  const losses: ImportLoss[] = [];
  // Templates are judged through their stand-ins on both sides; a templated account stands in the same way.
  const td = withoutTemplates(context.input.taskDefinition);
  // requiresCompatibilities is the operator's (FARGATE); the converter reports any other it drops.
  if (Array.isArray(td.requiresCompatibilities) && td.requiresCompatibilities.includes("FARGATE")) {
    td.requiresCompatibilities = ["FARGATE"];
  }
  const roles = withoutTemplates(context.roles);
  const rendered = renderTaskDefinition(spec, renderContext).input as unknown as JsonRecord;
  const renderedTd = normaliseTaskDefinition(rendered, roles);
  // A task size the input does not give was chosen by import (and noted), not carried.
  if (td.cpu === undefined) delete renderedTd.cpu;
  if (td.memory === undefined) delete renderedTd.memory;
  const taskDiffs = differences(normaliseTaskDefinition(td, roles), renderedTd, "", []);
  for (const d of taskDiffs) {
    losses.push({
      path: inputPath(d.path, td),
      why: `differs after render (input ${short(d.input)}, rendered ${short(d.rendered)})`,
    });
  }
  const taskTags = context.input.taskDefinitionTags ?? context.input.taskDefinition.tags;
  losses.push(...tagLosses("tags", withoutTemplates(taskTags), rendered.tags));
  const service = withoutTemplates(context.input.service);
  if (service !== undefined) {
    const create = renderEcsService({ ...spec, discovery: {} }, renderContext, {
      taskDefinitionArn: "rendered",
      serviceConnectNamespaceArn: "resolved-by-the-operator",
    }).create as unknown as JsonRecord;
    const a = normaliseService(service);
    const b = normaliseService(create);
    // The operator resolves Service Connect's namespace from namespaceRef (like the Cloud Map registry).
    for (const side of [a, b]) {
      if (isRecord(side.serviceConnectConfiguration)) delete side.serviceConnectConfiguration.namespace;
    }
    // A service file without desiredCount leaves the count to the tool that deploys it.
    if (service.desiredCount === undefined) delete b.desiredCount;
    losses.push(...tagLosses("service.tags", service.tags, create.tags));
    for (const d of differences(a, b, "", [])) {
      losses.push({
        path: d.path,
        why: `differs after render (input ${short(d.input)}, rendered ${short(d.rendered)})`,
      });
    }
  }
  if (context.input.autoscaling !== undefined) {
    losses.push(...autoscalingLosses(spec, context.input.autoscaling));
  }
  return losses;
}

/** The API version documents are written with. */
export const IMPORT_API_VERSION = API_VERSION;

/**
 * Validates one document alone: JSON Schema (ajv, every error at once), then the cross-field rules on the
 * defaulted document. References to other records are not resolved here; the controller does that.
 */
import type { CatalogSyncDocument } from "./catalog-sync.js";
import type { CloudMapNamespaceDocument } from "./cloud-map-namespace.js";
import { applyDefaults } from "./defaults.js";
import type { FargateServiceDocument } from "./fargate-service.js";
import { issue, issuesFromAjv, type ValidationIssue } from "./issues.js";
import { formatKib, jsonBytes, MAX_SPEC_BYTES } from "./limits.js";
import { API_VERSION, KINDS, type Kind } from "./meta.js";
import type { NamespacePolicyDocument } from "./namespace-policy.js";
import { catalogSyncRules } from "./rules-catalog-sync.js";
import { fargateServiceRules } from "./rules-fargate-service.js";
import { namespacePolicyRules } from "./rules-namespace-policy.js";
import { suggest } from "./suggest.js";
import { validatorOf } from "./validators.js";
import { isRecord, type JsonRecord } from "./values.js";

/** A valid document of any kind, defaults applied and status removed. */
export type ValidDocument =
  | FargateServiceDocument
  | CloudMapNamespaceDocument
  | CatalogSyncDocument
  | NamespacePolicyDocument;

/** Outcome of validating one document. */
export type ValidationResult =
  | { ok: true; document: ValidDocument }
  | { ok: false; issues: ValidationIssue[] };

const RULES: Readonly<Record<Kind, (spec: JsonRecord) => ValidationIssue[]>> = {
  FargateService: fargateServiceRules,
  CloudMapNamespace: () => [],
  CatalogSync: catalogSyncRules,
  NamespacePolicy: namespacePolicyRules,
};

function isKind(value: unknown): value is Kind {
  return (KINDS as readonly unknown[]).includes(value);
}

/** Issues of a document whose kind does not name a schema. */
function envelopeIssues(document: JsonRecord): ValidationIssue[] {
  const out: ValidationIssue[] = [];
  const kinds = KINDS.join(", ");
  if (document.apiVersion !== API_VERSION) {
    out.push(
      document.apiVersion === undefined
        ? issue(["apiVersion"], 'missing required field "apiVersion"', `add apiVersion: ${API_VERSION}`)
        : issue(
            ["apiVersion"],
            `unknown apiVersion ${JSON.stringify(document.apiVersion)}`,
            `write apiVersion: ${API_VERSION}`,
          ),
    );
  }
  const kind = document.kind;
  if (kind === undefined) {
    out.push(issue(["kind"], 'missing required field "kind"', `add kind: one of ${kinds}`));
  } else if (typeof kind !== "string") {
    out.push(issue(["kind"], `kind must be a string, got ${JSON.stringify(kind)}`, `use one of ${kinds}`));
  } else {
    const close = suggest(kind, KINDS);
    out.push(
      issue(
        ["kind"],
        `unknown kind ${JSON.stringify(kind)}`,
        close ? `did you mean "${close}"?` : `use one of ${kinds}`,
      ),
    );
  }
  return out;
}

/** The spec's size cap (`x-max-bytes` in every schema): a record must leave its item room for status. */
function specSizeIssues(spec: unknown): ValidationIssue[] {
  if (!isRecord(spec)) return [];
  const bytes = jsonBytes(spec);
  if (bytes <= MAX_SPEC_BYTES) return [];
  return [
    issue(
      ["spec"],
      `is ${formatKib(bytes)} as JSON, more than the ${formatKib(MAX_SPEC_BYTES)} a spec may take`,
      "keep large data out of the record: reference it (a secret ARN, an image, an S3 object) instead",
    ),
  ];
}

/**
 * Validates one parsed document. On success the document is typed, has every default applied and no status;
 * on failure every issue is reported at once.
 */
export function validateDocument(document: unknown): ValidationResult {
  if (!isRecord(document)) {
    return {
      ok: false,
      issues: [
        issue(
          [],
          `a document must be a mapping, got ${Array.isArray(document) ? "a list" : JSON.stringify(document ?? null)}`,
          "write apiVersion, kind, metadata and spec as keys of a mapping",
        ),
      ],
    };
  }
  const kind = document.kind;
  if (!isKind(kind)) return { ok: false, issues: envelopeIssues(document) };
  const validate = validatorOf(kind);
  const issues = validate(document) ? [] : issuesFromAjv(validate.errors ?? [], document);
  issues.push(...specSizeIssues(document.spec));
  const defaulted = applyDefaults(document);
  if (isRecord(defaulted.spec)) issues.push(...RULES[kind](defaulted.spec));
  if (issues.length > 0) return { ok: false, issues };
  const { status: _status, ...withoutStatus } = defaulted;
  return { ok: true, document: withoutStatus as unknown as ValidDocument };
}

/**
 * "The controller never passes its own role" (DESIGN 11, whatever the policy says), in code: every role a spec
 * would have ECS pass is compared with the controller's own roles (`--own-role-arns`). Pure; the reconcilers call
 * it before any AWS call and report what it finds as a PolicyViolation.
 */
import { type DocumentPath, formatPath } from "../crds/issues.js";

/** One field of a spec that names one of the controller's own roles. */
export interface OwnRoleViolation {
  /** Where, from the document root: `spec.iam.taskRoleArn`. */
  path: string;
  /** The value as the spec gives it. */
  value: string;
}

/** A role as IAM tells roles apart: its name (unique per account, whatever its path; case-insensitive). */
interface RoleIdentity {
  /** Lower-cased role name. */
  name: string;
  /** Undefined when the value is a bare name (ECS accepts `taskRoleArn: my-role`: the caller's account). */
  account?: string;
}

const ROLE_ARN = /^arn:aws(?:-[a-z]+)*:iam::(\d{12}):role\/(?:[^/\s]+\/)*([\w+=,.@-]{1,64})$/;
const ASSUMED_ROLE_ARN = /^arn:aws(?:-[a-z]+)*:sts::(\d{12}):assumed-role\/([\w+=,.@-]{1,64})\/[^/\s]+$/;
const BARE_ROLE = /^\/?(?:[^/\s:]+\/)*([\w+=,.@-]{1,64})$/;

/**
 * The role a value names: a role ARN (any path), an STS assumed-role ARN of a session of it, or (`bare`) a role
 * name or `path/name` as ECS accepts in role fields. Undefined for anything else.
 */
export function roleIdentityOf(value: string, bare = false): RoleIdentity | undefined {
  const text = value.trim();
  const arn = ROLE_ARN.exec(text) ?? ASSUMED_ROLE_ARN.exec(text);
  if (arn !== null) return { account: arn[1] ?? "", name: (arn[2] ?? "").toLowerCase() };
  if (!bare) return undefined;
  const name = BARE_ROLE.exec(text)?.[1];
  return name === undefined ? undefined : { name: name.toLowerCase() };
}

function sameRole(a: RoleIdentity, b: RoleIdentity): boolean {
  return a.name === b.name && (a.account === undefined || b.account === undefined || a.account === b.account);
}

/** Maps whose keys and values are the user's own data (variables, labels, tags, driver options), never roles. */
const USER_DATA = new Set(["environment", "dockerLabels", "tags", "labels", "options", "secrets"]);

/** Field names that hold a role ECS passes: `taskRoleArn`, `executionRoleArn`, any `...roleArn`, and `role`. */
function isRoleField(key: string | number | undefined, path: DocumentPath): boolean {
  if (typeof key !== "string") return false;
  // `role` is a role only as CreateService's own field (spec.role); `vault.role` names a Vault role.
  return /rolearn$/i.test(key) || (key === "role" && path.length === 2);
}

/**
 * Every field of `spec` (a FargateService's, or a CatalogSync's whose task roles its child passes) that names one
 * of `ownRoleArns`: the role fields by name (a bare role name counts there), and any other value that is a role or
 * assumed-role ARN, outside the user's own data maps. Names compare case-insensitively, accounts when both known.
 */
export function ownRoleViolations(spec: unknown, ownRoleArns: readonly string[]): OwnRoleViolation[] {
  const own = ownRoleArns.map((arn) => roleIdentityOf(arn)).filter((r) => r !== undefined);
  if (own.length === 0) return [];
  const out: OwnRoleViolation[] = [];
  const visit = (value: unknown, path: DocumentPath): void => {
    const key = path.at(-1);
    if (typeof value === "string") {
      const role = roleIdentityOf(value, isRoleField(key, path));
      if (role !== undefined && own.some((o) => sameRole(o, role)))
        out.push({ path: formatPath(path), value });
      return;
    }
    if (Array.isArray(value)) {
      for (const [i, item] of value.entries()) visit(item, [...path, i]);
      return;
    }
    if (value === null || typeof value !== "object") return;
    if (typeof key === "string" && USER_DATA.has(key) && path.length > 1) return;
    for (const [k, v] of Object.entries(value)) visit(v, [...path, k]);
  };
  visit(spec, ["spec"]);
  return out;
}

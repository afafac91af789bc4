/**
 * A small IAM evaluator for the DynamoDB statements of deploy/iam.cfn.yaml: exactly the operators the policies
 * use (`ForAllValues:StringEquals` on `dynamodb:LeadingKeys`, `ForAnyValue:StringEquals` on
 * `dynamodb:Attributes`), Allow and Deny with explicit deny winning, actions and resources matched with `*`.
 * Any other operator or key throws, so the policy cannot outgrow what its test proves. The request context is
 * derived from the SDK commands the store sends (lib-dynamodb inputs).
 */

/** One statement as the template writes it (before CloudFormation resolves Ref and Fn::Sub). */
export interface TemplateStatement {
  Sid?: string;
  Effect: "Allow" | "Deny";
  Action: string | string[];
  Resource: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}

/** What IAM sees of one DynamoDB request. */
export interface DynamoRequest {
  action: string;
  resource: string;
  /** `dynamodb:LeadingKeys`: the partition key values the request touches. */
  leadingKeys: string[];
  /** `dynamodb:Attributes`: the top-level attribute names the request names. */
  attributes: string[];
}

/** Template parameters and pseudo parameters used to resolve `Ref` and `Fn::Sub`. */
export type Parameters = Record<string, string>;

/** The decision IAM reaches. */
export type Decision = "Allow" | "ExplicitDeny" | "ImplicitDeny";

function resolve(value: unknown, params: Parameters): string[] {
  if (Array.isArray(value)) return value.flatMap((v) => resolve(v, params));
  if (typeof value === "string") return [value];
  if (value !== null && typeof value === "object") {
    const obj = value as Record<string, unknown>;
    if (typeof obj.Ref === "string") {
      const resolved = params[obj.Ref];
      if (resolved === undefined) throw new Error(`no parameter ${obj.Ref}`);
      return [resolved];
    }
    if (typeof obj["Fn::Sub"] === "string") {
      return [
        obj["Fn::Sub"].replace(/\$\{([^}]+)\}/g, (_, name: string) => {
          const resolved = params[name];
          if (resolved === undefined) throw new Error(`no parameter ${name}`);
          return resolved;
        }),
      ];
    }
  }
  throw new Error(`cannot resolve ${JSON.stringify(value)}`);
}

function globMatch(pattern: string, value: string): boolean {
  const escaped = pattern.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*");
  return new RegExp(`^${escaped}$`).test(value);
}

const SUPPORTED = new Set([
  "ForAllValues:StringEquals dynamodb:LeadingKeys",
  "ForAnyValue:StringEquals dynamodb:Attributes",
]);

function conditionHolds(
  condition: TemplateStatement["Condition"],
  request: DynamoRequest,
  params: Parameters,
): boolean {
  for (const [operator, keys] of Object.entries(condition ?? {})) {
    for (const [key, raw] of Object.entries(keys)) {
      if (!SUPPORTED.has(`${operator} ${key}`))
        throw new Error(`the evaluator does not know ${operator} ${key}`);
      const allowed = new Set(resolve(raw, params));
      const values = key === "dynamodb:LeadingKeys" ? request.leadingKeys : request.attributes;
      // ForAllValues holds for an empty set (as IAM's does); ForAnyValue needs one match.
      const holds = operator.startsWith("ForAllValues:")
        ? values.every((v) => allowed.has(v))
        : values.some((v) => allowed.has(v));
      if (!holds) return false;
    }
  }
  return true;
}

function applies(statement: TemplateStatement, request: DynamoRequest, params: Parameters): boolean {
  const actions = Array.isArray(statement.Action) ? statement.Action : [statement.Action];
  if (!actions.some((a) => globMatch(a, request.action))) return false;
  if (!resolve(statement.Resource, params).some((r) => globMatch(r, request.resource))) return false;
  return conditionHolds(statement.Condition, request, params);
}

/** IAM's decision for one request under one policy's statements. */
export function evaluate(
  statements: TemplateStatement[],
  request: DynamoRequest,
  params: Parameters,
): Decision {
  const matching = statements.filter((s) => applies(s, request, params));
  if (matching.some((s) => s.Effect === "Deny")) return "ExplicitDeny";
  return matching.some((s) => s.Effect === "Allow") ? "Allow" : "ImplicitDeny";
}

/** lib-dynamodb command names and the DynamoDB actions they perform. */
const ACTION_OF: Record<string, string> = {
  GetCommand: "dynamodb:GetItem",
  PutCommand: "dynamodb:PutItem",
  UpdateCommand: "dynamodb:UpdateItem",
  DeleteCommand: "dynamodb:DeleteItem",
  QueryCommand: "dynamodb:Query",
};

const KEYWORDS = /^(SET|REMOVE|ADD|DELETE|AND|OR|NOT|BETWEEN|IN)$/i;

/**
 * Top-level attribute names an expression refers to: path heads (not after `.`, not `:values`, not function
 * names), with `#name` placeholders resolved.
 */
export function expressionAttributes(
  expression: string | undefined,
  names: Record<string, string> = {},
): string[] {
  if (expression === undefined) return [];
  const out: string[] = [];
  for (const match of expression.matchAll(/(?<![.\w#:])(#?[A-Za-z_]\w*)(?!\w)(?!\s*\()/g)) {
    const token = match[1] ?? "";
    if (KEYWORDS.test(token)) continue;
    out.push(token.startsWith("#") ? (names[token] ?? token) : token);
  }
  return out;
}

/** The request context of one lib-dynamodb command as the store sends it. */
export function requestOf(
  commandName: string,
  input: Record<string, unknown>,
  tableArn: string,
): DynamoRequest {
  const action = ACTION_OF[commandName];
  if (action === undefined) throw new Error(`no action known for ${commandName}`);
  const names = (input.ExpressionAttributeNames ?? {}) as Record<string, string>;
  const values = (input.ExpressionAttributeValues ?? {}) as Record<string, unknown>;
  const item = input.Item as Record<string, unknown> | undefined;
  const key = (input.Key as Record<string, unknown> | undefined) ?? item;
  let leadingKeys: string[] = key === undefined ? [] : [String(key.pk)];
  if (commandName === "QueryCommand") {
    // The store's key conditions name the partition key `#pk = :pk` (or `kind` on the index).
    leadingKeys = Object.entries(names)
      .filter(([, attribute]) => attribute === "pk")
      .map(([placeholder]) => String(values[`:${placeholder.slice(1)}`]));
  }
  // Conservative: the condition's names count too (a superset can only make the Deny match more often).
  const attributes = new Set<string>([
    ...Object.keys(item ?? {}),
    ...expressionAttributes(input.UpdateExpression as string | undefined, names),
    ...expressionAttributes(input.ConditionExpression as string | undefined, names),
    ...expressionAttributes(input.ProjectionExpression as string | undefined, names),
  ]);
  const index = typeof input.IndexName === "string" ? `/index/${input.IndexName}` : "";
  return { action, resource: `${tableArn}${index}`, leadingKeys, attributes: [...attributes].sort() };
}

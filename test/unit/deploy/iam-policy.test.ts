/**
 * The controller's IAM policy (deploy/iam.cfn.yaml) lists exactly the AWS actions the code calls: every SDK
 * command constructed in src/ (except the table administration of `fargatectl table create`), mapped to its IAM
 * action, equals the policy's actions outside the "OnOurBehalf" statements. A new SDK call without a policy
 * change fails here, and so does a policy action nothing calls.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

const ROOT = new URL("../../../", import.meta.url).pathname;

/** Files on no controller path: the table administration that `fargatectl table create` and the dev stack run. */
const ADMIN_ONLY = new Set(["src/store/table.ts"]);

/** IAM service prefix of each SDK package. */
const SERVICE_OF_PACKAGE: Record<string, string> = {
  "@aws-sdk/client-ecs": "ecs",
  "@aws-sdk/client-servicediscovery": "servicediscovery",
  "@aws-sdk/client-dynamodb": "dynamodb",
  "@aws-sdk/client-dynamodb-streams": "dynamodb",
  "@aws-sdk/lib-dynamodb": "dynamodb",
  "@aws-sdk/client-secrets-manager": "secretsmanager",
};

/** lib-dynamodb's document commands and the DynamoDB actions they perform. */
const DOCUMENT_COMMANDS: Record<string, string> = {
  Get: "GetItem",
  Put: "PutItem",
  Update: "UpdateItem",
  Delete: "DeleteItem",
  Query: "Query",
  Scan: "Scan",
  BatchGet: "BatchGetItem",
  BatchWrite: "BatchWriteItem",
  TransactGet: "TransactGetItems",
  TransactWrite: "TransactWriteItems",
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith(".ts") ? [path] : [];
  });
}

/** Every `service:Action` the code in `src/` can call, by scanning the SDK commands it constructs. */
function actionsCalledByCode(): Map<string, string[]> {
  const found = new Map<string, string[]>();
  for (const file of sourceFiles(join(ROOT, "src"))) {
    const rel = relative(ROOT, file);
    if (ADMIN_ONLY.has(rel) || rel.startsWith("src/dev/")) continue;
    const text = readFileSync(file, "utf8");
    for (const match of text.matchAll(/import\s*\{([^}]*)\}\s*from\s*"(@aws-sdk\/[a-z-]+)"/g)) {
      const service = SERVICE_OF_PACKAGE[match[2] ?? ""];
      if (service === undefined) continue;
      for (const raw of (match[1] ?? "").split(",")) {
        const name = raw.trim();
        if (name.startsWith("type ") || !name.endsWith("Command")) continue;
        if (!new RegExp(`new ${name}\\(`).test(text)) continue;
        const base = name.slice(0, -"Command".length);
        const operation = match[2] === "@aws-sdk/lib-dynamodb" ? (DOCUMENT_COMMANDS[base] ?? base) : base;
        const action = `${service}:${operation}`;
        found.set(action, [...(found.get(action) ?? []), rel]);
      }
    }
  }
  return found;
}

interface Statement {
  Sid?: string;
  Effect: string;
  Action: string | string[];
}

function policyStatements(name: string): Statement[] {
  const template = parse(readFileSync(join(ROOT, "deploy/iam.cfn.yaml"), "utf8")) as {
    Resources: Record<string, { Properties: { PolicyDocument: { Statement: Statement[] } } }>;
  };
  const policy = template.Resources[name];
  if (policy === undefined) throw new Error(`deploy/iam.cfn.yaml has no ${name}`);
  return policy.Properties.PolicyDocument.Statement;
}

const actionsOf = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action]);

describe("deploy/iam.cfn.yaml", () => {
  it("grants the controller exactly the actions its adapters call, plus the commented on-our-behalf list", () => {
    const called = actionsCalledByCode();
    const statements = policyStatements("ControllerPolicy");
    const granted = statements
      .filter((s) => s.Effect === "Allow" && !(s.Sid ?? "").startsWith("OnOurBehalf"))
      .flatMap(actionsOf);
    expect([...new Set(granted)].sort()).toEqual([...called.keys()].sort());
    // The scan itself must see the adapters (a broken regex would make the comparison vacuous).
    expect(called.get("ecs:RegisterTaskDefinition")).toEqual(["src/aws/ecs.ts"]);
    expect(called.has("dynamodb:UpdateItem")).toBe(true);
    expect(called.has("dynamodb:CreateTable")).toBe(false);
    const onOurBehalf = statements.filter((s) => (s.Sid ?? "").startsWith("OnOurBehalf")).flatMap(actionsOf);
    expect(onOurBehalf).toEqual(expect.arrayContaining(["iam:PassRole", "route53:CreateHostedZone"]));
  });

  it("pins a spec writer to its namespace and keeps it off the status", () => {
    const statements = policyStatements("SpecWriterPolicy") as Array<Statement & { Condition?: unknown }>;
    const own = statements.find((s) => s.Sid === "OwnNamespaceOnly");
    expect(own?.Condition).toEqual({
      "ForAllValues:StringEquals": { "dynamodb:LeadingKeys": [{ Ref: "TeamNamespace" }] },
    });
    const deny = statements.find((s) => s.Effect === "Deny");
    expect(deny?.Condition).toEqual({ "ForAnyValue:StringEquals": { "dynamodb:Attributes": ["status"] } });
  });

  it("gives the status reader no write action", () => {
    const actions = policyStatements("StatusReaderPolicy").flatMap(actionsOf);
    expect(actions.filter((a) => !/^dynamodb:(Get|Query|Describe)/.test(a))).toEqual([]);
  });
});

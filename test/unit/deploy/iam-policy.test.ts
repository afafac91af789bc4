/**
 * The controller's IAM policy (deploy/iam.cfn.yaml) lists exactly the AWS actions the code calls: every SDK
 * command constructed in src/ (except the table administration of `fargatectl table create`), mapped to its IAM
 * action, equals the policy's actions outside the "OnOurBehalf" statements. A new SDK call without a policy
 * change fails here, and so does a policy action nothing calls. The SpecWriterPolicy is evaluated (a small
 * evaluator of exactly the operators it uses) against every request `fargatectl apply`/`delete` send through the
 * store, and against raw writes of what only the controller writes.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
  type UpdateCommandInput,
} from "@aws-sdk/lib-dynamodb";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { runApply } from "../../../src/cli/commands/apply.js";
import { runDelete } from "../../../src/cli/commands/delete.js";
import type { CliContext } from "../../../src/cli/context.js";
import { DynamoResourceStore } from "../../../src/store/dynamo-store.js";
import { evaluate, requestOf, type TemplateStatement } from "./iam-evaluator.js";

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
  "@aws-sdk/client-application-auto-scaling": "application-autoscaling",
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
    expect(called.get("application-autoscaling:RegisterScalableTarget")).toEqual([
      "src/aws/application-autoscaling.ts",
    ]);
    expect(called.has("dynamodb:UpdateItem")).toBe(true);
    expect(called.has("dynamodb:CreateTable")).toBe(false);
    const onOurBehalf = statements.filter((s) => (s.Sid ?? "").startsWith("OnOurBehalf")).flatMap(actionsOf);
    expect(onOurBehalf).toEqual(expect.arrayContaining(["iam:PassRole", "route53:CreateHostedZone"]));
  });

  it("pins a spec writer to its namespace and keeps it off identity, lifecycle and status", () => {
    const statements = policyStatements("SpecWriterPolicy") as Array<Statement & { Condition?: unknown }>;
    const own = statements.find((s) => s.Sid === "OwnNamespaceOnly");
    expect(own?.Condition).toEqual({
      "ForAllValues:StringEquals": { "dynamodb:LeadingKeys": [{ Ref: "TeamNamespace" }] },
    });
    const deny = statements.find((s) => s.Effect === "Deny");
    expect(deny?.Condition).toEqual({
      "ForAnyValue:StringEquals": {
        "dynamodb:Attributes": ["uid", "creationTimestamp", "finalizers", "ownerReferences", "status"],
      },
    });
  });

  it("gives the status reader no write action", () => {
    const actions = policyStatements("StatusReaderPolicy").flatMap(actionsOf);
    expect(actions.filter((a) => !/^dynamodb:(Get|Query|Describe)/.test(a))).toEqual([]);
  });
});

const documentsMock = mockClient(DynamoDBDocumentClient);

describe("SpecWriterPolicy, evaluated", () => {
  const PARAMS = {
    "AWS::Partition": "aws",
    "AWS::Region": "eu-west-1",
    "AWS::AccountId": "123456789012",
    TableName: "fargate-operator",
    TeamNamespace: "team-payments",
  };
  const TABLE_ARN = "arn:aws:dynamodb:eu-west-1:123456789012:table/fargate-operator";
  const writer = () => specWriterStatements();
  const decide = (command: string, input: Record<string, unknown>) =>
    evaluate(writer(), requestOf(command, { TableName: "fargate-operator", ...input }, TABLE_ARN), PARAMS);

  const documents = documentsMock;
  let dir: string | undefined;
  afterEach(async () => {
    documents.reset();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it("allows every request `fargatectl apply` and `delete` make through the store", async () => {
    const table = fakeTable(documents);
    const store = new DynamoResourceStore({ tableName: "fargate-operator", client: { region: "eu-west-1" } });
    const out: string[] = [];
    const ctx: CliContext = {
      settings: {} as CliContext["settings"],
      store: () => store,
      out: (text) => out.push(text),
      err: (text) => out.push(text),
      now: () => Date.now(),
    };
    const services = join(ROOT, "examples/services");
    const files = [join(services, "payments-api.yaml"), join(services, "ledger-grpc.yaml")];
    const apply = (paths: string[]) =>
      runApply(ctx, { files: paths, namespace: "team-payments", dryRun: false });
    expect(await apply(files)).toBe(0); // created
    // What the controller writes meanwhile: identity, lifecycle, status (and a legacy uid an old version left).
    for (const item of table.values()) {
      Object.assign(item, {
        uid: "0b7c1f7e-2d7a-4c55-9d43-000000000001",
        creationTimestamp: "2026-01-01T00:00:00.000Z",
        finalizers: ["fargate-operator/cleanup"],
        status: { observedGeneration: 1 },
        resourceVersion: 3,
      });
    }
    expect(await apply(files)).toBe(0); // unchanged
    dir = await mkdtemp(join(tmpdir(), "iam-policy-"));
    const changed = join(dir, "ledger.yaml");
    const ledger = await readFile(files[1] ?? "", "utf8");
    await writeFile(changed, ledger.replace("desiredCount: 2", "desiredCount: 3"));
    expect(await apply([changed])).toBe(0); // updated
    const del = (name: string) =>
      runDelete(ctx, { kind: "FargateService", name, namespace: "team-payments", wait: false, timeoutMs: 0 });
    expect(await del("ledger")).toBe(0); // waits on the finalizer: deletionTimestamp
    const api = table.get("team-payments/FargateService#payments-api");
    if (api !== undefined) api.finalizers = [];
    expect(await del("payments-api")).toBe(0); // no finalizer: DeleteItem
    expect(out.join("")).toContain("fargateservice/ledger (namespace team-payments) updated");
    expect(out.join("")).toContain("fargateservice/payments-api deleted");

    const sent = documents.calls().map((call) => {
      const command = call.args[0] as { constructor: { name: string }; input: Record<string, unknown> };
      return requestOf(command.constructor.name, command.input, TABLE_ARN);
    });
    expect(new Set(sent.map((r) => r.action))).toEqual(
      new Set(["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"]),
    );
    for (const request of sent)
      expect({ request, decision: evaluate(writer(), request, PARAMS) }).toEqual({
        request,
        decision: "Allow",
      });
  });

  it("denies raw writes of what the controller owns, and allows the README's spec writes", () => {
    const item = {
      pk: "team-payments",
      sk: "FargateService#ledger",
      kind: "FargateService",
      apiVersion: "fargate-operator/v1alpha1",
      spec: { cluster: "apps" },
    };
    expect(decide("PutCommand", { Item: item })).toBe("Allow");
    expect(
      decide("UpdateCommand", {
        Key: { pk: "team-payments", sk: "FargateService#ledger" },
        UpdateExpression: "SET #spec.#dc = :n",
        ExpressionAttributeNames: { "#spec": "spec", "#dc": "desiredCount" },
        ExpressionAttributeValues: { ":n": 3 },
      }),
    ).toBe("Allow");
    const forged = {
      uid: "0b7c1f7e-2d7a-4c55-9d43-000000000001",
      finalizers: [],
      status: { conditions: [] },
      creationTimestamp: "2020-01-01T00:00:00.000Z",
      ownerReferences: [{ kind: "CatalogSync", name: "apps", uid: "u" }],
    };
    for (const [attribute, value] of Object.entries(forged)) {
      expect({
        attribute,
        decision: decide("PutCommand", { Item: { ...item, [attribute]: value } }),
      }).toEqual({
        attribute,
        decision: "ExplicitDeny",
      });
      expect({
        attribute,
        decision: decide("UpdateCommand", {
          Key: { pk: "team-payments", sk: "FargateService#ledger" },
          UpdateExpression: "SET #a = :v",
          ExpressionAttributeNames: { "#a": attribute },
          ExpressionAttributeValues: { ":v": value },
        }),
      }).toEqual({ attribute, decision: "ExplicitDeny" });
      // Without placeholders, too.
      expect(
        decide("UpdateCommand", {
          Key: { pk: "team-payments", sk: "FargateService#ledger" },
          UpdateExpression: `SET spec.image = :i, ${attribute} = :v`,
          ExpressionAttributeValues: { ":v": value, ":i": "x" },
        }),
      ).toBe("ExplicitDeny");
    }
  });

  it("lets a team read its namespace's events (`_event#<namespace>`), never write them or read another's", async () => {
    documents.on(QueryCommand).resolves({ Items: [] });
    documents.on(PutCommand).resolves({});
    const store = new DynamoResourceStore({ tableName: "fargate-operator", client: { region: "eu-west-1" } });
    await store.events.list({ namespace: "team-payments" });
    await store.events.list({
      namespace: "team-payments",
      involved: { kind: "FargateService", name: "ledger" },
    });
    await store.events.list({ namespace: "team-ledger" });
    await store.events.create(
      {
        type: "Normal",
        reason: "Forged",
        message: "a team cannot write what the controller reports",
        count: 1,
        firstTimestamp: "2026-01-01T00:00:00.000Z",
        lastTimestamp: "2026-01-01T00:00:00.000Z",
        involved: { kind: "FargateService", namespace: "team-payments", name: "ledger" },
      },
      60,
    );
    const decisions = documents.calls().map((call) => {
      const command = call.args[0] as { constructor: { name: string }; input: Record<string, unknown> };
      const request = requestOf(command.constructor.name, command.input, TABLE_ARN);
      return [request.action, request.leadingKeys.join(), evaluate(writer(), request, PARAMS)];
    });
    expect(decisions).toEqual([
      ["dynamodb:Query", "_event#team-payments", "Allow"],
      ["dynamodb:Query", "_event#team-payments", "Allow"],
      ["dynamodb:Query", "_event#team-ledger", "ImplicitDeny"],
      ["dynamodb:PutItem", "_event#team-payments", "ImplicitDeny"],
    ]);
  });

  it("denies writes and reads in another namespace", () => {
    const other = { pk: "team-ledger", sk: "FargateService#ledger" };
    expect(decide("PutCommand", { Item: { ...other, kind: "FargateService", spec: {} } })).toBe(
      "ImplicitDeny",
    );
    expect(
      decide("UpdateCommand", {
        Key: other,
        UpdateExpression: "SET spec = :s",
        ExpressionAttributeValues: { ":s": {} },
      }),
    ).toBe("ImplicitDeny");
    expect(decide("DeleteCommand", { Key: other })).toBe("ImplicitDeny");
    expect(decide("GetCommand", { Key: other })).toBe("ImplicitDeny");
  });

  it("keeps spec writers off the name claims (DESIGN 11): no claim can be written, faked or released", () => {
    const claim = { pk: "_claim", sk: "CloudMap/platform/apps-internal#vault" };
    const forged = { ...claim, ownerKind: "FargateService", ownerNamespace: "team-payments", ownerUid: "x" };
    expect(decide("PutCommand", { Item: forged })).toBe("ImplicitDeny");
    expect(decide("DeleteCommand", { Key: claim })).toBe("ImplicitDeny");
    // The sync task's role has the table too, but only its lease and its own namespace.
    const sync = policyStatements("SyncTaskPolicy") as Array<Statement & { Condition?: unknown }>;
    expect(JSON.stringify(sync)).not.toContain("_claim");
  });
});

/** The SpecWriterPolicy's statements. */
function specWriterStatements(): TemplateStatement[] {
  return policyStatements("SpecWriterPolicy") as unknown as TemplateStatement[];
}

/** Answers the store's document commands from a map (key `pk/sk`), enough for apply and delete. */
function fakeTable(mock: typeof documentsMock) {
  const items = new Map<string, Record<string, unknown>>();
  const keyOf = (key: Record<string, unknown>) => `${String(key.pk)}/${String(key.sk)}`;
  mock.on(GetCommand).callsFake((input: { Key: Record<string, unknown> }) => {
    const item = items.get(keyOf(input.Key));
    return item === undefined ? {} : { Item: structuredClone(item) };
  });
  mock.on(PutCommand).callsFake((input: { Item: Record<string, unknown> }) => {
    items.set(keyOf(input.Item), structuredClone(input.Item));
    return {};
  });
  mock.on(UpdateCommand).callsFake((input: UpdateCommandInput) => {
    const item = items.get(keyOf(input.Key ?? {})) ?? {};
    const names = input.ExpressionAttributeNames ?? {};
    const values = input.ExpressionAttributeValues ?? {};
    for (const clause of (input.UpdateExpression ?? "").replace(/^SET /, "").split(", ")) {
      const [name, value] = clause.split(" = ");
      item[names[name ?? ""] ?? ""] = values[value ?? ""];
    }
    items.set(keyOf(input.Key ?? {}), item);
    return { Attributes: structuredClone(item) };
  });
  mock.on(DeleteCommand).callsFake((input: { Key: Record<string, unknown> }) => {
    items.delete(keyOf(input.Key));
    return {};
  });
  return items;
}

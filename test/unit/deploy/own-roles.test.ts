/**
 * The controller never passes its own roles, as far as IAM goes: deploy/controller.yaml's task and execution roles
 * lie outside deploy/iam.cfn.yaml's PassableRolePrefix and under its NeverPassOwnRoles deny; and the ABAC variant
 * (deploy/iam-abac.cfn.yaml) lets a namespace-tagged session pass only roles tagged with that namespace.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

const ROOT = new URL("../../../", import.meta.url).pathname;
const ACCOUNT = "123456789012";
/** IAM's policy variable for the session's `team` tag, as the template writes it. */
const SESSION_TEAM = ["$", "{aws:PrincipalTag/team}"].join("");

interface Statement {
  Sid?: string;
  Effect: "Allow" | "Deny";
  Action: string | string[];
  Resource?: unknown;
  Principal?: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}
interface Template {
  Parameters: Record<string, { Default?: string }>;
  Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
}

const load = (path: string) => parse(readFileSync(join(ROOT, path), "utf8")) as Template;
const list = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

/** A `Fn::Sub` string (or plain string) with the pseudo parameters and the template's defaults filled in. */
function substitute(template: Template, value: unknown): string {
  const text = typeof value === "string" ? value : (value as { "Fn::Sub": string })["Fn::Sub"];
  return text.replace(/\$\{([^}]+)\}/g, (_, name: string) => {
    if (name === "AWS::Partition") return "aws";
    if (name === "AWS::AccountId") return ACCOUNT;
    const fallback = template.Parameters[name]?.Default;
    if (fallback === undefined) throw new Error(`no default for ${name}`);
    return fallback;
  });
}

/** IAM's ARN matching: `*` any run of characters, `?` one character, everything else literal. */
function arnMatches(pattern: string, arn: string): boolean {
  const source = pattern
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, ".*")
    .replace(/\?/g, ".");
  return new RegExp(`^${source}$`).test(arn);
}

function statementsOf(template: Template, resource: string): Statement[] {
  const props = template.Resources[resource]?.Properties as { PolicyDocument: { Statement: Statement[] } };
  return props.PolicyDocument.Statement;
}

const passRole = (s: Statement) => list(s.Action).includes("iam:PassRole");

describe("deploy/: the controller's own roles are never passable", () => {
  const iam = load("deploy/iam.cfn.yaml");
  const controller = parse(readFileSync(join(ROOT, "deploy/controller.yaml"), "utf8")) as {
    spec: {
      iam: { taskRoleArn: string; executionRoleArn: string };
      containers: Array<{ environment: Record<string, string> }>;
    };
  };
  const own = [controller.spec.iam.taskRoleArn, controller.spec.iam.executionRoleArn];
  const statements = statementsOf(iam, "ControllerPolicy");

  it("names the controller's roles in controller.yaml as the IAM template's parameters do", () => {
    expect(own).toEqual([
      `arn:aws:iam::${ACCOUNT}:role/${iam.Parameters.ControllerTaskRoleName?.Default}`,
      `arn:aws:iam::${ACCOUNT}:role/${iam.Parameters.ControllerExecutionRoleName?.Default}`,
    ]);
  });

  it("tells the controller its own roles, so it refuses records naming them (--own-role-arns)", () => {
    const env = controller.spec.containers[0]?.environment ?? {};
    expect(env.FARGATE_OPERATOR_OWN_ROLE_ARNS?.split(",")).toEqual(own);
  });

  it("keeps both roles outside the PassableRolePrefix the controller may pass", () => {
    const allows = statements.filter((s) => s.Effect === "Allow" && passRole(s));
    expect(allows.map((s) => s.Sid)).toEqual(["OnOurBehalfPassRoles"]);
    const patterns = allows.flatMap((s) => list(s.Resource).map((r) => substitute(iam, r)));
    expect(patterns).toEqual([`arn:aws:iam::${ACCOUNT}:role/fargate-task-*`]);
    for (const arn of own) for (const pattern of patterns) expect(arnMatches(pattern, arn)).toBe(false);
    // Neither name can start the other's way: no prefix choice of these defaults overlaps.
    const prefix = iam.Parameters.PassableRolePrefix?.Default ?? "";
    for (const arn of own) expect(arn.split("/").at(-1)?.startsWith(prefix)).toBe(false);
    // A tenant's role under the prefix stays passable.
    expect(
      patterns.some((p) => arnMatches(p, `arn:aws:iam::${ACCOUNT}:role/fargate-task-payments-api`)),
    ).toBe(true);
  });

  it("denies passing them whatever the prefix says, with or without a role path", () => {
    const deny = statements.find((s) => s.Sid === "NeverPassOwnRoles");
    expect(deny?.Effect).toBe("Deny");
    expect(deny?.Action).toBe("iam:PassRole");
    expect(deny?.Condition).toBeUndefined();
    const patterns = list(deny?.Resource).map((r) => substitute(iam, r));
    for (const arn of [...own, ...own.map((a) => a.replace(":role/", ":role/ops/"))])
      expect(patterns.some((p) => arnMatches(p, arn))).toBe(true);
  });
});

describe("deploy/iam-abac.cfn.yaml", () => {
  const abac = load("deploy/iam-abac.cfn.yaml");
  const role = abac.Resources.PasserRole?.Properties as {
    AssumeRolePolicyDocument: { Statement: Statement[] };
    Policies: Array<{ PolicyDocument: { Statement: Statement[] } }>;
  };
  const statements = role.Policies.flatMap((p) => p.PolicyDocument.Statement);

  it("lets only the controller assume the passer role, and only with the one `team` session tag", () => {
    const [trust, ...others] = role.AssumeRolePolicyDocument.Statement;
    expect(others).toEqual([]);
    if (trust === undefined) throw new Error("PasserRole has no trust statement");
    expect(substitute(abac, (trust.Principal as { AWS: unknown }).AWS)).toBe(
      `arn:aws:iam::${ACCOUNT}:role/fargate-operator-controller`,
    );
    expect(list(trust.Action).sort()).toEqual(["sts:AssumeRole", "sts:TagSession"]);
    expect(trust.Condition).toEqual({
      StringLike: { "aws:RequestTag/team": "?*" },
      "ForAllValues:StringEquals": { "aws:TagKeys": ["team"] },
    });
  });

  it("passes a role to ECS tasks only when its team tag equals the session's namespace", () => {
    const allows = statements.filter((s) => s.Effect === "Allow" && passRole(s));
    expect(allows).toHaveLength(1);
    expect(allows[0]?.Condition).toEqual({
      StringEquals: {
        "iam:PassedToService": "ecs-tasks.amazonaws.com",
        "iam:ResourceTag/team": SESSION_TEAM,
      },
    });
    const deny = statements.find((s) => s.Effect === "Deny" && passRole(s));
    const patterns = list(deny?.Resource).map((r) => substitute(abac, r));
    for (const name of [
      "fargate-operator-controller",
      "fargate-operator-execution",
      "fargate-operator-passer",
    ])
      expect(patterns.some((p) => arnMatches(p, `arn:aws:iam::${ACCOUNT}:role/${name}`))).toBe(true);
  });

  it("registers task definitions only with the session's own namespace tag, and does nothing else", () => {
    const register = statements.find((s) => list(s.Action).includes("ecs:RegisterTaskDefinition"));
    expect(register?.Condition).toEqual({
      StringEquals: { "aws:RequestTag/fargate-operator:namespace": SESSION_TEAM },
    });
    const actions = statements.filter((s) => s.Effect === "Allow").flatMap((s) => list(s.Action));
    expect(actions.sort()).toEqual(["ecs:RegisterTaskDefinition", "ecs:TagResource", "iam:PassRole"]);
    const tag = statements.find((s) => list(s.Action).includes("ecs:TagResource"));
    expect(tag?.Condition).toEqual({ StringEquals: { "ecs:CreateAction": "RegisterTaskDefinition" } });
  });
});

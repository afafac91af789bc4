/**
 * The controller never passes its own role: every role field of a spec (and any role ARN elsewhere in it) is
 * compared with `--own-role-arns`, across the ways one role can be written.
 */
import { describe, expect, it } from "vitest";
import { resolveControllerSettings } from "../../../src/config/controller.js";
import { ConfigError } from "../../../src/config/errors.js";
import { controllerSettingsHelp } from "../../../src/reconcilers/command.js";
import { ownRoleViolations, roleIdentityOf } from "../../../src/reconcilers/own-role.js";

const OWN = [
  "arn:aws:iam::123456789012:role/fargate-operator-controller",
  "arn:aws:iam::123456789012:role/fargate-operator-execution",
];
const spec = (iam: Record<string, string>, extra: Record<string, unknown> = {}) => ({
  cluster: "apps",
  cpu: 256,
  memory: 512,
  containers: [{ name: "web", image: "nginx" }],
  network: { subnets: ["subnet-1"], securityGroups: ["sg-1"] },
  iam,
  ...extra,
});

describe("ownRoleViolations", () => {
  it("finds the controller's task and execution roles in iam, naming field and value", () => {
    expect(
      ownRoleViolations(
        spec({
          taskRoleArn: "arn:aws:iam::123456789012:role/fargate-operator-controller",
          executionRoleArn: "arn:aws:iam::123456789012:role/fargate-operator-execution",
        }),
        OWN,
      ),
    ).toEqual([
      { path: "spec.iam.taskRoleArn", value: "arn:aws:iam::123456789012:role/fargate-operator-controller" },
      {
        path: "spec.iam.executionRoleArn",
        value: "arn:aws:iam::123456789012:role/fargate-operator-execution",
      },
    ]);
  });

  it("lets a team's own roles through", () => {
    const ok = spec({
      taskRoleArn: "arn:aws:iam::123456789012:role/fargate-task-payments-api",
      executionRoleArn: "arn:aws:iam::123456789012:role/fargate-task-payments-exec",
    });
    expect(ownRoleViolations(ok, OWN)).toEqual([]);
    // A role whose name only contains the controller's is another role.
    expect(
      ownRoleViolations(
        spec({ taskRoleArn: "arn:aws:iam::123456789012:role/fargate-operator-controller-2" }),
        OWN,
      ),
    ).toEqual([]);
  });

  it("sees through case, role paths, bare names and partitions", () => {
    for (const value of [
      "arn:aws:iam::123456789012:role/FARGATE-Operator-Controller",
      "arn:aws:iam::123456789012:role/platform/ops/fargate-operator-controller",
      "fargate-operator-controller",
      "/platform/fargate-operator-controller",
      "arn:aws-us-gov:iam::123456789012:role/fargate-operator-controller",
    ])
      expect(ownRoleViolations(spec({ taskRoleArn: value }), OWN)).toEqual([
        { path: "spec.iam.taskRoleArn", value },
      ]);
  });

  it("matches an assumed-role ARN of the controller (as get-caller-identity prints it) against role ARNs", () => {
    const sts = ["arn:aws:sts::123456789012:assumed-role/fargate-operator-controller/4f1c2a8e0000"];
    const value = "arn:aws:iam::123456789012:role/fargate-operator-controller";
    expect(ownRoleViolations(spec({ taskRoleArn: value }), sts)).toEqual([
      { path: "spec.iam.taskRoleArn", value },
    ]);
    // And the other way round, a spec giving a session ARN.
    expect(ownRoleViolations(spec({ taskRoleArn: sts[0] ?? "" }), OWN)).toHaveLength(1);
  });

  it("keeps accounts apart when both are known", () => {
    const other = "arn:aws:iam::210987654321:role/fargate-operator-controller";
    expect(ownRoleViolations(spec({ taskRoleArn: other }), OWN)).toEqual([]);
  });

  it("finds role fields anywhere in the spec, and role ARNs outside the user's own data", () => {
    const own = OWN[0] ?? "";
    const found = ownRoleViolations(
      spec(
        {},
        {
          role: "fargate-operator-controller",
          deployment: { lifecycleHooks: [{ hookTargetArn: "arn:aws:lambda:x", roleArn: own }] },
          volumeConfigurations: [
            { name: "data", managedEBSVolume: { roleArn: "fargate-operator-execution" } },
          ],
          someFutureField: { nested: [own] },
          containers: [{ name: "web", image: "nginx", environment: { ROLE: own, ROLE_ARN: own } }],
          tags: { owner: own },
          vault: { role: "fargate-operator-controller" },
        },
      ),
      OWN,
    );
    expect(found.map((v) => v.path)).toEqual([
      "spec.role",
      "spec.deployment.lifecycleHooks[0].roleArn",
      "spec.volumeConfigurations[0].managedEBSVolume.roleArn",
      "spec.someFutureField.nested[0]",
    ]);
  });

  it("finds nothing without own roles, and checks a CatalogSync's task roles the same way", () => {
    expect(ownRoleViolations(spec({ taskRoleArn: OWN[0] ?? "" }), [])).toEqual([]);
    const catalogSync = {
      task: { taskRoleArn: OWN[0], executionRoleArn: "arn:aws:iam::123456789012:role/x" },
    };
    expect(ownRoleViolations(catalogSync, OWN)).toEqual([{ path: "spec.task.taskRoleArn", value: OWN[0] }]);
  });

  it("reads role identities strictly", () => {
    expect(roleIdentityOf("arn:aws:iam::123456789012:user/fargate-operator-controller")).toBeUndefined();
    expect(roleIdentityOf("fargate-operator-controller")).toBeUndefined();
    expect(roleIdentityOf("fargate-operator-controller", true)).toEqual({
      name: "fargate-operator-controller",
    });
    expect(roleIdentityOf("arn:aws:iam::123456789012:role/a/b/Name")).toEqual({
      account: "123456789012",
      name: "name",
    });
  });
});

describe("--own-role-arns", () => {
  it("defaults to none, takes a comma list from the flag or FARGATE_OPERATOR_OWN_ROLE_ARNS, flag first", () => {
    expect(resolveControllerSettings({}, {}).ownRoleArns).toEqual([]);
    expect(
      resolveControllerSettings({}, { FARGATE_OPERATOR_OWN_ROLE_ARNS: `${OWN[0]}, ${OWN[1]}` }).ownRoleArns,
    ).toEqual(OWN);
    const sts = "arn:aws:sts::123456789012:assumed-role/fargate-operator-controller/session-1";
    expect(
      resolveControllerSettings({ "own-role-arns": sts }, { FARGATE_OPERATOR_OWN_ROLE_ARNS: OWN[0] })
        .ownRoleArns,
    ).toEqual([sts]);
  });

  it("refuses anything that is not a role or assumed-role ARN, and is listed in --help", () => {
    for (const bad of [
      "fargate-operator-controller",
      "arn:aws:iam::123456789012:user/admin",
      "arn:aws:iam::1:role/x",
    ])
      expect(() => resolveControllerSettings({ "own-role-arns": bad }, {})).toThrow(ConfigError);
    expect(controllerSettingsHelp()).toContain("--own-role-arns (env FARGATE_OPERATOR_OWN_ROLE_ARNS)");
  });
});

import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import type { CliContext } from "../../../src/cli/context.js";
import { buildProgram, type ProgramResult } from "../../../src/cli/program.js";
import { commonSettings } from "../../../src/config/common.js";
import { resolveSettings } from "../../../src/config/settings.js";

const EXAMPLES = fileURLToPath(new URL("../../../examples/", import.meta.url));
const POLICIES = join(EXAMPLES, "namespace-policies.yaml");

/** Runs `fargatectl ...argv` in process (validate never touches the store). */
async function fargatectl(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const result: ProgramResult = { exitCode: 0 };
  let out = "";
  let err = "";
  const ctx: CliContext = {
    settings: resolveSettings(commonSettings, {}, {}),
    store: () => {
      throw new Error("validate must not use the store");
    },
    out: (t) => {
      out += t;
    },
    err: (t) => {
      err += t;
    },
    now: () => 0,
  };
  const program = buildProgram(result, () => ctx).exitOverride();
  program.configureOutput({ writeOut: (t) => (out += t), writeErr: (t) => (err += t) });
  try {
    await program.parseAsync(argv, { from: "user" });
  } catch (error) {
    return { code: 2, out, err: `${err}${String(error)}` };
  }
  return { code: result.exitCode, out, err };
}

const THIEF = `apiVersion: fargate-operator/v1alpha1
kind: FargateService
metadata:
  name: thief
  namespace: team-a
spec:
  cluster: apps
  cpu: 4096
  memory: 16384
  containers:
    - name: web
      image: public.ecr.aws/nginx/nginx:1.27
  network:
    subnets: [subnet-1]
    securityGroups: [sg-1]
  iam:
    taskRoleArn: arn:aws:iam::123456789012:role/team-b-api
`;

let dir = "";
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "validate-policy-"));
});

describe("fargatectl validate --policy", () => {
  it("accepts every example under the example policies", async () => {
    const ran = await fargatectl("validate", "--policy", POLICIES, "-f", EXAMPLES);
    expect(ran.err).toBe("");
    expect(ran.out).toMatch(/^\d+ document\(s\) valid and allowed by .*namespace-policies\.yaml\n$/);
    expect(ran.code).toBe(0);
  });

  it("points at each refused field with the value, the governing policy and what it allows (exit 1)", async () => {
    const file = join(dir, "thief.yaml");
    await writeFile(file, THIEF);
    const ran = await fargatectl("validate", "--policy", POLICIES, "-f", file);
    expect(ran.code).toBe(1);
    expect(ran.err.split("\n")).toEqual([
      `${file}:17:5: spec.iam.taskRoleArn: "arn:aws:iam::123456789012:role/team-b-api" is refused by NamespacePolicy fargate-system/default (roleArns allows "arn:aws:iam::123456789012:role/{namespace}-*")`,
      `${file}:9:3: spec.memory: 16384 is refused by NamespacePolicy fargate-system/default (limits.maxMemory allows at most 8192)`,
      "0 error(s), 2 policy violation(s); 1 valid document(s)",
      "",
    ]);
    // Without --policy the same document is simply valid.
    expect((await fargatectl("validate", "-f", file)).code).toBe(0);
  });

  it("uses the policy named like the document's namespace before default", async () => {
    const file = join(dir, "own.yaml");
    await writeFile(file, THIEF.replace("namespace: team-a", "namespace: team-payments"));
    const ran = await fargatectl("validate", "--policy", POLICIES, "-f", file);
    expect(ran.err).toContain("refused by NamespacePolicy fargate-system/team-payments (roleArns allows");
    expect(ran.err).toContain("(subnets allows");
    expect(ran.err).toContain("fargate-system/team-payments (limits.maxCpu allows at most 2048)");
    expect(ran.err).not.toContain("fargate-system/default");
  });

  it("refuses a policy file whose policies would govern nothing (exit 2)", async () => {
    const file = join(dir, "misplaced.yaml");
    await writeFile(
      file,
      "apiVersion: fargate-operator/v1alpha1\nkind: NamespacePolicy\nmetadata:\n  name: default\nspec: {}\n",
    );
    const ran = await fargatectl("validate", "--policy", file, "-f", EXAMPLES);
    expect(ran.code).toBe(2);
    expect(ran.err).toContain(
      'metadata.namespace: is "default", but policies count only in fargate-system (set it, or pass --policy-namespace)',
    );
    const elsewhere = await fargatectl(
      "validate",
      "--policy",
      file,
      "--policy-namespace",
      "default",
      "-f",
      join(dir, "thief.yaml"),
    );
    expect(elsewhere.code).toBe(0);
  });
});

/** `fargatectl validate` reports the size caps offline: the field's file position, what is wrong, the fix. */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { runValidate } from "../../../src/cli/commands/validate.js";
import type { CliContext } from "../../../src/cli/context.js";
import { commonSettings } from "../../../src/config/common.js";
import { resolveSettings } from "../../../src/config/settings.js";

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

async function validateYaml(yaml: string): Promise<{ code: number; out: string; err: string; file: string }> {
  const dir = await mkdtemp(join(tmpdir(), "fo-validate-"));
  dirs.push(dir);
  const file = join(dir, "big.yaml");
  await writeFile(file, yaml);
  let out = "";
  let err = "";
  const ctx: CliContext = {
    settings: resolveSettings(commonSettings, {}, {}),
    store: () => {
      throw new Error("validate must not need the store");
    },
    out: (t) => {
      out += t;
    },
    err: (t) => {
      err += t;
    },
    now: () => 0,
  };
  const code = await runValidate(ctx, [file]);
  return { code, out, err, file };
}

const service = (environment: string) => `apiVersion: fargate-operator/v1alpha1
kind: FargateService
metadata:
  name: big
spec:
  cluster: apps
  cpu: 256
  memory: 512
  containers:
    - name: app
      image: nginx:1.27
      environment:
${environment}
  network:
    subnets: [subnet-1]
    securityGroups: [sg-1]
`;

describe("fargatectl validate and sizes", () => {
  it("names a 390 KB environment value at its line, with the way out", async () => {
    const ran = await validateYaml(service(`        SMALL: "1"\n        BIG: ${"x".repeat(390 * 1024)}`));
    expect(ran.code).toBe(1);
    expect(ran.err).toContain(
      `${ran.file}:14:9: spec.containers[0].environment.BIG: is 399360 characters long, more than the 32768 allowed (keep large values out of the task definition`,
    );
  });

  it("names the largest value when the values together exceed ECS's 64 KiB", async () => {
    const lines = ["A", "B", "C"].map((n) => `        ${n}: ${n.repeat(25_000)}`).join("\n");
    const ran = await validateYaml(service(lines));
    expect(ran.code).toBe(1);
    expect(ran.err).toMatch(
      /:13:\d+: spec\.containers\[0\]\.environment\.A: makes the rendered task definition 7\d\.\d KiB; ECS refuses more than 64\.0 KiB/,
    );
  });
});

/** `fargatectl diff -f` against DynamoDB Local: unified output and exit codes 0/1/2. */
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { ResourceStore } from "../../src/store/types.js";
import { endpointOf, freshStore } from "../support/store-fixtures.js";
import { cli, serviceYaml, specDir, writeFiles } from "./cli-support.js";

describe("fargatectl diff", () => {
  let store: ResourceStore;
  beforeAll(async () => {
    store = await freshStore(endpointOf("dynamodbLocalEndpoint"));
  });

  it("shows a new record as all added (exit 1), nothing after apply (exit 0), then only what changed", async () => {
    const dir = await specDir({ "web.yaml": serviceYaml("web") });
    const file = join(dir, "web.yaml");
    const fresh = await cli(store, "diff", "-f", file);
    expect(fresh.code).toBe(1);
    const lines = fresh.out.trimEnd().split("\n");
    expect(lines[0]).toBe("--- table FargateService default/web (absent)");
    expect(lines[1]).toBe(`+++ ${file}`);
    expect(lines[2]).toMatch(/^@@ -0,0 \+1,\d+ @@$/);
    expect(lines.slice(3).every((l) => l.startsWith("+"))).toBe(true);
    // Defaults are part of the spec the table would hold.
    expect(fresh.out).toContain("+  desiredCount: 1\n");

    expect((await cli(store, "apply", "-f", file)).code).toBe(0);
    const same = await cli(store, "diff", "-f", file);
    expect(same).toEqual({ code: 0, out: "", err: "" });

    await writeFiles(dir, { "web.yaml": serviceYaml("web", { cpu: 512, memory: 1024 }) });
    const changed = await cli(store, "diff", "-f", dir);
    expect(changed.code).toBe(1);
    expect(changed.out).toMatch(
      /^--- table FargateService default\/web\n\+\+\+ .*web\.yaml\n@@ -\d+,\d+ \+\d+,\d+ @@\n/,
    );
    expect(changed.out).toContain("\n-  cpu: 256\n-  memory: 512\n+  cpu: 512\n+  memory: 1024\n");
    expect(changed.out).toContain("     image: nginx:1.27\n"); // three lines of context after the change
    expect(changed.out).not.toContain("network:"); // more than three lines away
  });

  it("shows label changes that apply would write", async () => {
    const dir = await specDir({ "api.yaml": serviceYaml("api") });
    await cli(store, "apply", "-f", dir);
    await writeFiles(dir, {
      "api.yaml": serviceYaml("api").replace("  name: api\n", "  name: api\n  labels:\n    team: payments\n"),
    });
    const ran = await cli(store, "diff", "-f", dir);
    expect(ran.code).toBe(1);
    expect(ran.out).toContain("-metadata: {}\n+metadata:\n+  labels:\n+    team: payments\n");
  });

  it("returns 2 with file:line:col errors for an invalid document, and compares nothing", async () => {
    const dir = await specDir({ "bad.yaml": serviceYaml("bad", { cpu: 300 }) });
    const ran = await cli(store, "diff", "-f", dir);
    expect(ran.code).toBe(2);
    expect(ran.out).toBe("");
    expect(ran.err).toMatch(/bad\.yaml:\d+:\d+: spec\.cpu: /);
    expect(ran.err).toContain("nothing compared: 1 error(s)");
  });

  it("returns 2 for a missing file", async () => {
    expect((await cli(store, "diff", "-f", "/nonexistent/specs")).code).toBe(2);
  });
});

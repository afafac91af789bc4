/** `fargatectl import` on files: the document on stdout, losses on stderr as `path: why`, exit 0/1/2. */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { type ImportCommandOptions, runImport } from "../../../src/cli/commands/import.js";
import type { CliContext } from "../../../src/cli/context.js";
import { CliError } from "../../../src/cli/errors.js";
import { main } from "../../../src/cli/main.js";
import { commonSettings } from "../../../src/config/common.js";
import { resolveSettings } from "../../../src/config/settings.js";
import { createServiceInput, describeOutput, registerInput } from "./inputs.js";

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

/** Writes the files into a fresh directory; returns each one's path by name. */
async function files<K extends string>(contents: Record<K, unknown>): Promise<Record<K, string>> {
  const dir = await mkdtemp(join(tmpdir(), "fo-import-"));
  dirs.push(dir);
  const paths = {} as Record<K, string>;
  for (const [name, value] of Object.entries(contents) as Array<[K, unknown]>) {
    paths[name] = join(dir, name);
    await writeFile(paths[name], typeof value === "string" ? value : JSON.stringify(value));
  }
  return paths;
}

async function run(options: Partial<ImportCommandOptions>) {
  let out = "";
  let err = "";
  const ctx: CliContext = {
    settings: resolveSettings(commonSettings, {}, {}),
    store: () => {
      throw new Error("import must not need the store");
    },
    out: (t) => {
      out += t;
    },
    err: (t) => {
      err += t;
    },
    now: () => 0,
  };
  const code = await runImport(ctx, { output: "yaml", ...options });
  return { code, out, err };
}

describe("fargatectl import (files)", () => {
  it("exits 0 and prints the document when nothing is lost", async () => {
    const f = await files({ "td.json": describeOutput(), "svc.json": createServiceInput() });
    const ran = await run({ taskDefinition: f["td.json"], service: f["svc.json"], namespace: "shop" });
    expect(ran.code).toBe(0);
    // Nothing lost; the one note says the service's tag will be on the task definition too.
    expect(ran.err).toBe(
      "note: spec.tags: the service's owner will also tag the task definition's revisions (spec.tags go on every resource)\n",
    );
    const doc = parse(ran.out);
    expect(doc).toMatchObject({ kind: "FargateService", metadata: { name: "orders", namespace: "shop" } });
    expect(doc.spec.adopt).toBeUndefined();
  });

  it("prints json with -o json", async () => {
    const f = await files({ "td.json": registerInput() });
    const ran = await run({ taskDefinition: f["td.json"], output: "json" });
    expect(JSON.parse(ran.out).spec.cpu).toBe(256);
    expect(ran.err).toMatch(/^note: spec.cluster, spec.network: .* placeholders written/m);
    expect(ran.code).toBe(0);
  });

  it("exits 1 with each loss on stderr as `path: why`, and still prints the document", async () => {
    const td = registerInput();
    const [app] = td.containerDefinitions as Array<Record<string, unknown>>;
    const f = await files({
      "td.json": { ...td, containerDefinitions: [{ ...app, links: ["db"] }] },
      "svc.json": { ...createServiceInput(), launchType: "EC2" },
    });
    const ran = await run({ taskDefinition: f["td.json"], service: f["svc.json"] });
    expect(ran.code).toBe(1);
    expect(ran.err.split("\n").filter((l) => l !== "" && !l.startsWith("note: "))).toEqual([
      expect.stringMatching(/^containerDefinitions\[0\]\.links: /),
      expect.stringMatching(/^launchType: launch type EC2/),
    ]);
    expect(parse(ran.out).kind).toBe("FargateService");
  });

  it("fails (exit 2) on a file that is missing or not ECS JSON", async () => {
    const f = await files({ "other.json": { hello: "world" }, "bad.json": "{ nope" });
    await expect(run({ taskDefinition: f["other.json"] })).rejects.toThrow(CliError);
    await expect(run({ taskDefinition: f["other.json"] })).rejects.toMatchObject({ exitCode: 2 });
    await expect(run({ taskDefinition: f["bad.json"] })).rejects.toMatchObject({ exitCode: 2 });
    expect(await main(["import", "--task-definition", join(tmpdir(), "no-such-file.json")])).toBe(2);
    expect(await main(["import", "--task-definition", f["other.json"]])).toBe(2);
  });
});

/** fargatectl against DynamoDB Local: the commands a user runs, their output and exit codes. */
import { execFile, spawnSync } from "node:child_process";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";
import type { CliContext } from "../../src/cli/context.js";
import { buildProgram, type ProgramResult } from "../../src/cli/program.js";
import { commonSettings } from "../../src/config/common.js";
import { controllerSettings } from "../../src/config/controller.js";
import { defaultTextOf, resolveSettings } from "../../src/config/settings.js";
import type { ResourceStore } from "../../src/store/types.js";
import { endpointOf, freshStore } from "../support/store-fixtures.js";

const run = promisify(execFile);

interface Ran {
  code: number;
  out: string;
  err: string;
}

/** Runs the command tree in-process against `store`, capturing output. */
async function cli(store: ResourceStore, ...argv: string[]): Promise<Ran> {
  const result: ProgramResult = { exitCode: 0 };
  let out = "";
  let err = "";
  const ctx: CliContext = {
    settings: resolveSettings(commonSettings, {}, {}),
    store: () => store,
    out: (t) => {
      out += t;
    },
    err: (t) => {
      err += t;
    },
    now: () => Date.now(),
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

const SERVICE = `apiVersion: fargate-operator/v1alpha1
kind: FargateService
metadata:
  name: web
spec:
  cluster: apps
  cpu: 256
  memory: 512
  containers:
    - name: web
      image: nginx:1.27
  network:
    subnets: [subnet-0123456789abcdef0]
    securityGroups: [sg-0123456789abcdef0]
`;

async function specFile(text: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "fargatectl-"));
  const file = join(dir, "spec.yaml");
  await writeFile(file, text);
  return file;
}

describe("fargatectl against DynamoDB Local", () => {
  let store: ResourceStore;
  beforeAll(async () => {
    store = await freshStore(endpointOf("dynamodbLocalEndpoint"));
  });

  it("applies the examples, then reports them unchanged, and lists them across namespaces", async () => {
    const first = await cli(store, "apply", "-f", "examples/");
    expect(first.err).toBe("");
    expect(first.code).toBe(0);
    expect(first.out).toContain("fargateservice/hello created");
    expect(first.out).toContain("namespacepolicy/default (namespace fargate-system) created");
    expect(first.out.match(/ created/g)?.length).toBe(11);

    const dry = await cli(store, "apply", "-f", "examples/", "--dry-run");
    expect(dry.out.match(/ unchanged \(dry run\)/g)?.length).toBe(11);

    const all = await cli(store, "get", "fargateservices", "-A");
    expect(all.code).toBe(0);
    expect(all.out.split("\n")[0]).toMatch(/^NAMESPACE\s+NAME\s+READY/);
    expect(all.out).toContain("payments-api");
    expect(all.out).toContain("team-payments");
  });

  it("refuses a batch with one invalid document and writes none of it", async () => {
    const bad = SERVICE.replace("name: web\n", "name: web-batch\n").replace("cpu: 256", "cpu: 300");
    const good = SERVICE.replace("name: web\n", "name: web-good\n");
    const file = await specFile(`${good}---\n${bad}`);
    const ran = await cli(store, "apply", "-f", file);
    expect(ran.code).toBe(1);
    expect(ran.err).toMatch(new RegExp(`${file.replace(/[/.]/g, "\\$&")}:\\d+:\\d+: spec\\.cpu: `));
    expect(ran.err).toContain("nothing applied");
    expect((await cli(store, "get", "fs", "web-good")).code).toBe(1);
  });

  it("reports an update and a generation bump when the spec changes, and not for a relabel", async () => {
    const file = await specFile(SERVICE);
    expect((await cli(store, "apply", "-f", file)).out).toContain("fargateservice/web created");
    const changed = await specFile(
      SERVICE.replace("desiredCount", "")
        .replace("cpu: 256", "cpu: 512\n  desiredCount: 3")
        .replace("memory: 512", "memory: 1024"),
    );
    expect((await cli(store, "apply", "-f", changed, "--dry-run")).out).toContain(
      "fargateservice/web updated (dry run)",
    );
    expect((await cli(store, "apply", "-f", changed)).out).toContain("fargateservice/web updated");
    const json = await cli(store, "get", "fs", "web", "-o", "json");
    const record = JSON.parse(json.out) as {
      kind: string;
      metadata: { generation: number };
      spec: { desiredCount: number };
    };
    expect(record.kind).toBe("FargateService");
    expect(record.metadata.generation).toBe(2);
    expect(record.spec.desiredCount).toBe(3);
    expect(json.out).not.toContain("specHash");
  });

  it("says not found with exit 1 for a missing record, and deletes with --wait", async () => {
    const missing = await cli(store, "get", "fs", "nope");
    expect(missing.code).toBe(1);
    expect(missing.err).toContain("not found: fargateservice/nope in namespace default");
    const file = await specFile(SERVICE.replace("name: web\n", "name: doomed\n"));
    await cli(store, "apply", "-f", file);
    const deleted = await cli(store, "delete", "fs", "doomed", "--wait", "--timeout", "10s");
    expect(deleted.code).toBe(0);
    expect(deleted.out).toContain("fargateservice/doomed deleted");
    expect((await cli(store, "delete", "fs", "doomed")).code).toBe(1);
  });

  it("times out delete --wait while a finalizer holds the record (exit 1)", async () => {
    const file = await specFile(SERVICE.replace("name: web\n", "name: held\n"));
    await cli(store, "apply", "-f", file);
    const current = await store.get("FargateService", "default", "held");
    await store.addFinalizer(
      "FargateService",
      "default",
      "held",
      "fargate-operator/cleanup",
      current.metadata.resourceVersion,
    );
    const ran = await cli(store, "delete", "fs", "held", "--wait", "--timeout", "1s");
    expect(ran.out).toContain("waiting on finalizers: fargate-operator/cleanup");
    expect(ran.code).toBe(1);
    expect(ran.err).toContain("timed out");
    const described = await cli(store, "describe", "fs", "held");
    expect(described.out).toContain("Deleting since:");
  });

  it("honours -n and refuses a document whose namespace disagrees with it", async () => {
    const file = await specFile(SERVICE.replace("name: web\n", "name: tenant\n"));
    expect((await cli(store, "apply", "-f", file, "-n", "team-a")).out).toContain(
      "(namespace team-a) created",
    );
    expect((await cli(store, "get", "fs", "tenant", "-n", "team-a")).code).toBe(0);
    const pinned = await specFile(SERVICE.replace("name: web\n", "name: other\n  namespace: team-b\n"));
    const ran = await cli(store, "apply", "-f", pinned, "-n", "team-a");
    expect(ran.code).toBe(1);
    expect(ran.err).toMatch(/:\d+:\d+: metadata.namespace: is "team-b" but -n says "team-a"/);
  });
});

describe("fargatectl as a process", () => {
  const fargatectl = (...args: string[]) =>
    run(process.execPath, ["--import", "tsx", "src/cli/run.ts", ...args]).then(
      (r) => ({ code: 0, ...r }),
      (e: { code: number; stdout: string; stderr: string }) => ({
        code: e.code,
        stdout: e.stdout,
        stderr: e.stderr,
      }),
    );

  it("prints help listing every command", async () => {
    const ran = await fargatectl("--help");
    expect(ran.code).toBe(0);
    for (const command of ["validate", "apply", "get", "describe", "delete", "table"]) {
      expect(ran.stdout).toContain(command);
    }
  });

  it("validates the examples (exit 0) and the invalid corpus (exit 1, file:line:col lines)", async () => {
    const good = await fargatectl("validate", "-f", "examples/");
    expect(good.code).toBe(0);
    expect(good.stdout).toMatch(/^\d+ document\(s\) valid/);
    const bad = await fargatectl("validate", "-f", "test/fixtures/invalid/");
    expect(bad.code).toBe(1);
    for (const line of bad.stderr.trim().split("\n").slice(0, -1)) {
      expect(line).toMatch(/^test\/fixtures\/invalid\/[\w.-]+\.ya?ml:\d+:\d+: /);
    }
  });

  it("reads documents from stdin with -f - and reports every error of a document at once", () => {
    const bad = SERVICE.replace("cpu: 256", "cpu: 300").replace("image: nginx:1.27", "imag: nginx:1.27");
    const ran = spawnSync(process.execPath, ["--import", "tsx", "src/cli/run.ts", "validate", "-f", "-"], {
      input: bad,
      encoding: "utf8",
    });
    expect(ran.status).toBe(1);
    expect(ran.stderr).toMatch(/^<stdin>:\d+:\d+: spec\.cpu: /m);
    expect(ran.stderr).toMatch(/^<stdin>:\d+:\d+: spec\.containers\[0\]\.imag: unknown field/m);
    expect(ran.stderr).toMatch(/^<stdin>:\d+:\d+: spec\.containers\[0\]\.image: missing required field/m);
  });

  it("documents every controller setting with its default and variable in controller --help", async () => {
    const ran = await fargatectl("controller", "--help");
    expect(ran.code).toBe(0);
    const help = ran.stdout.replace(/\s+/g, " ");
    for (const definition of Object.values(controllerSettings)) {
      expect(help).toContain(`--${definition.flag} <value>`);
      expect(help).toContain(`Default: ${defaultTextOf(definition)}.`);
      for (const variable of definition.env) expect(help).toContain(variable);
    }
    expect(help).toContain("--table <name>");
  });

  it("gives a clear configuration error for a bad table name (exit 2)", async () => {
    const ran = await fargatectl("--table", "x", "get", "fs");
    expect(ran.code).toBe(2);
    expect(ran.stderr).toContain("--table");
  });
});

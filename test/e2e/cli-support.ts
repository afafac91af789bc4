/** Runs fargatectl's command tree in-process against a store, as `main` would, capturing output and exit code. */
import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { CommanderError } from "commander";
import type { CliContext } from "../../src/cli/context.js";
import { CliError } from "../../src/cli/errors.js";
import { buildProgram, type ProgramResult } from "../../src/cli/program.js";
import { commonSettings } from "../../src/config/common.js";
import { resolveSettings } from "../../src/config/settings.js";
import type { ResourceStore } from "../../src/store/types.js";

/** What a command printed and its exit code. */
export interface Ran {
  code: number;
  out: string;
  err: string;
}

/** A context writing into strings, on `store`. */
export function captureContext(
  store: ResourceStore,
): CliContext & { output(): { out: string; err: string } } {
  let out = "";
  let err = "";
  return {
    settings: resolveSettings(commonSettings, {}, {}),
    store: () => store,
    out: (t) => {
      out += t;
    },
    err: (t) => {
      err += t;
    },
    now: () => Date.now(),
    output: () => ({ out, err }),
  };
}

/** Runs `argv` through buildProgram; errors map to exit codes as `main` maps them. */
export async function cli(store: ResourceStore, ...argv: string[]): Promise<Ran> {
  const result: ProgramResult = { exitCode: 0 };
  const ctx = captureContext(store);
  let usage = "";
  const program = buildProgram(result, () => ctx).exitOverride();
  program.configureOutput({ writeOut: (t) => (usage += t), writeErr: (t) => (usage += t) });
  const done = (code: number, extra = ""): Ran => {
    const { out, err } = ctx.output();
    return { code, out, err: `${err}${usage}${extra}` };
  };
  try {
    await program.parseAsync(argv, { from: "user" });
  } catch (error) {
    if (error instanceof CommanderError) return done(error.exitCode === 0 ? 0 : 2);
    if (error instanceof CliError) return done(error.exitCode, `error: ${error.message}\n`);
    return done(2, `error: ${error instanceof Error ? error.message : String(error)}\n`);
  }
  return done(result.exitCode);
}

/** A FargateService document; `extra` lines are appended under `spec:`. */
export function serviceYaml(
  name: string,
  options: { cpu?: number; memory?: number; extra?: string } = {},
): string {
  return `apiVersion: fargate-operator/v1alpha1
kind: FargateService
metadata:
  name: ${name}
spec:
  cluster: apps
  cpu: ${options.cpu ?? 256}
  memory: ${options.memory ?? 512}
  containers:
    - name: web
      image: nginx:1.27
  network:
    subnets: [subnet-0123456789abcdef0]
    securityGroups: [sg-0123456789abcdef0]
${options.extra ?? ""}`;
}

/** A fresh temporary directory holding `files` (relative path → text). */
export async function specDir(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "fargatectl-e2e-"));
  await writeFiles(dir, files);
  return dir;
}

/** Writes `files` under `dir`, creating folders. */
export async function writeFiles(dir: string, files: Record<string, string>): Promise<void> {
  for (const [path, text] of Object.entries(files)) {
    const full = join(dir, path);
    await mkdir(dirname(full), { recursive: true });
    await writeFile(full, text);
  }
}

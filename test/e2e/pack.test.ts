/**
 * The published package works on its own: `npm pack` produces a tarball that installs into an empty folder
 * (offline, from the npm cache `npm ci` filled) and whose `fargatectl` answers `--help` and validates the examples
 * it ships, finding its schemas inside the installed package.
 */
import { execFile } from "node:child_process";
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const ROOT = new URL("../../", import.meta.url).pathname;
const dirs: string[] = [];

afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

describe("npm pack", () => {
  it("installs in an empty folder and runs fargatectl", async () => {
    const packDir = await mkdtemp(join(tmpdir(), "fo-pack-"));
    const appDir = await mkdtemp(join(tmpdir(), "fo-install-"));
    dirs.push(packDir, appDir);
    const npm = process.platform === "win32" ? "npm.cmd" : "npm";
    const quiet = {
      ...process.env,
      npm_config_loglevel: "error",
      npm_config_fund: "false",
      npm_config_audit: "false",
    };
    // `npm test` builds dist/ right before vitest; packing without scripts skips a second tsc run.
    await run(npm, ["pack", "--ignore-scripts", "--pack-destination", packDir], {
      cwd: ROOT,
      env: quiet,
      maxBuffer: 16 << 20,
    });
    const [tarball] = (await readdir(packDir)).filter((f) => f.endsWith(".tgz"));
    expect(tarball).toMatch(/^fargate-operator-\d+\.\d+\.\d+\.tgz$/);
    await writeFile(join(appDir, "package.json"), JSON.stringify({ name: "pack-check", private: true }));
    await run(npm, ["install", "--offline", "--no-package-lock", join(packDir, String(tarball))], {
      cwd: appDir,
      env: quiet,
      maxBuffer: 16 << 20,
    });
    const bin = join(appDir, "node_modules", ".bin", "fargatectl");
    const help = await run(bin, ["--help"], { cwd: appDir });
    expect(help.stdout).toContain("Usage: fargatectl");
    expect(help.stdout).toContain("controller");
    const examples = join(appDir, "node_modules", "fargate-operator", "examples");
    const validated = await run(bin, ["validate", "-f", examples], { cwd: appDir });
    expect(validated.stdout).toMatch(/document\(s\) valid/);
  });
});

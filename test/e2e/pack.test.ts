/**
 * The published package works on its own: `npm pack` produces a tarball that installs into an empty folder
 * and whose `fargatectl` answers `--help` and validates the examples it ships, finding its schemas inside the
 * installed package. The install is `npm ci --offline` against a lockfile holding the tarball and the project's
 * own production dependencies (the versions a user resolves, pinned), so it needs nothing but the tarballs the
 * project's `npm ci` put into the npm cache: no registry, even on a fresh machine (a plain `npm install
 * --offline` would also need the registry's package documents, which `npm ci` never caches).
 */
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const ROOT = new URL("../../", import.meta.url).pathname;
const dirs: string[] = [];

interface LockEntry {
  dev?: boolean;
  [field: string]: unknown;
}

/** package.json and package-lock.json of an app depending on the tarball, with the project's production tree. */
function appManifests(tarballFromApp: string): { manifest: object; lock: object } {
  const lock = JSON.parse(readFileSync(join(ROOT, "package-lock.json"), "utf8")) as {
    packages: Record<string, LockEntry>;
  };
  const root = lock.packages[""] ?? {};
  const spec = `file:${tarballFromApp}`;
  const packages: Record<string, unknown> = {
    "": { name: "pack-check", dependencies: { "fargate-operator": spec } },
    "node_modules/fargate-operator": {
      version: root.version,
      resolved: spec,
      license: root.license,
      dependencies: root.dependencies,
      bin: root.bin,
      engines: root.engines,
    },
  };
  for (const [path, entry] of Object.entries(lock.packages))
    if (path !== "" && entry.dev !== true) packages[path] = entry;
  return {
    manifest: { name: "pack-check", private: true, dependencies: { "fargate-operator": spec } },
    lock: { name: "pack-check", lockfileVersion: 3, requires: true, packages },
  };
}

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
    const { manifest, lock } = appManifests(relative(appDir, join(packDir, String(tarball))));
    await writeFile(join(appDir, "package.json"), JSON.stringify(manifest));
    await writeFile(join(appDir, "package-lock.json"), JSON.stringify(lock));
    await run(npm, ["ci", "--offline"], { cwd: appDir, env: quiet, maxBuffer: 16 << 20 });
    const bin = join(appDir, "node_modules", ".bin", "fargatectl");
    const help = await run(bin, ["--help"], { cwd: appDir });
    expect(help.stdout).toContain("Usage: fargatectl");
    expect(help.stdout).toContain("controller");
    const examples = join(appDir, "node_modules", "fargate-operator", "examples");
    const validated = await run(bin, ["validate", "-f", examples], { cwd: appDir });
    expect(validated.stdout).toMatch(/document\(s\) valid/);
  });
});

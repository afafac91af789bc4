/** The dev stack's controller log: private directory and file, never through a planted symlink, removed on close. */
import { existsSync, readFileSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createExclusive, openPrivateLog } from "../../../src/dev/private-log.js";

const scratch: string[] = [];
afterEach(async () => {
  await Promise.all(scratch.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

async function scratchDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "fo-private-log-test-"));
  scratch.push(dir);
  return dir;
}

describe("openPrivateLog", () => {
  it("writes into a fresh 0700 directory, the file 0600, and removes both on close", async () => {
    const parent = await scratchDir();
    const log = await openPrivateLog({ prefix: "dev-", fileName: "controller.log", keep: false, parent });
    expect(dirname(log.path).startsWith(join(parent, "dev-"))).toBe(true);
    expect(statSync(dirname(log.path)).mode & 0o777).toBe(0o700);
    expect(statSync(log.path).mode & 0o777).toBe(0o600);
    log.stream.write("a line\n");
    await log.close();
    expect(existsSync(dirname(log.path))).toBe(false);
  });

  it("keeps the file, with what was written, when asked", async () => {
    const parent = await scratchDir();
    const log = await openPrivateLog({ prefix: "dev-", fileName: "controller.log", keep: true, parent });
    log.stream.write("kept\n");
    await log.close();
    expect(readFileSync(log.path, "utf8")).toBe("kept\n");
  });

  it("two logs never share a path", async () => {
    const parent = await scratchDir();
    const a = await openPrivateLog({ prefix: "dev-", fileName: "controller.log", keep: false, parent });
    const b = await openPrivateLog({ prefix: "dev-", fileName: "controller.log", keep: false, parent });
    expect(a.path).not.toBe(b.path);
    await Promise.all([a.close(), b.close()]);
  });
});

describe("createExclusive", () => {
  it("refuses a path where a symlink was planted, and leaves its target alone", async () => {
    const dir = await scratchDir();
    const target = join(dir, "victim");
    writeFileSync(target, "precious");
    const planted = join(dir, "controller.log");
    symlinkSync(target, planted);
    expect(() => createExclusive(planted)).toThrow(expect.objectContaining({ code: "EEXIST" }));
    expect(readFileSync(target, "utf8")).toBe("precious");
  });

  it("refuses a dangling symlink too (it would otherwise create the target)", async () => {
    const dir = await scratchDir();
    const planted = join(dir, "controller.log");
    symlinkSync(join(dir, "elsewhere"), planted);
    expect(() => createExclusive(planted)).toThrow(expect.objectContaining({ code: "EEXIST" }));
    expect(existsSync(join(dir, "elsewhere"))).toBe(false);
  });
});

/**
 * Why a rollout failed, on `fargatectl dev` (issue 16): a crashing image ends `RolloutFailed`, and both `wait`
 * and `describe` quote ECS's stoppedReason and the container's exit code, as a user in another shell sees them,
 * and so do describe's `Events:` and `get events` (the Warning event).
 */
import type { ChildProcess } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { devCli, startDev, stopDevAfterFailure } from "./dev-support.js";

const REASON = "EssentialContainerExited: Essential container in task exited (container web: exit code 1)";

describe("a failed rollout on fargatectl dev", () => {
  let child: ChildProcess | undefined;
  afterAll(() => stopDevAfterFailure(child), 30_000);

  it("wait and describe quote ECS's stopped reason and the container's exit code", async () => {
    const dev = await startDev();
    child = dev.child;
    const cli = devCli(dev.env);
    const specs = await mkdtemp(join(tmpdir(), "fo-crash-"));
    try {
      const hello = await readFile("examples/services/hello.yaml", "utf8");
      await writeFile(join(specs, "hello.yaml"), hello.replace("nginx:1.27", "nginx:1.27-crashloop"));
      expect((await cli("apply", "-f", join(specs, "hello.yaml"))).code).toBe(0);
      const waited = await cli("wait", "fs/hello", "--for", "condition=Ready", "--timeout", "90s");
      expect(waited.code).toBe(1);
      expect(waited.stderr).toContain("reason=RolloutFailed");
      expect(waited.stderr).toContain(REASON);
      const described = await cli("describe", "fs", "hello");
      expect(described.stdout).toMatch(/Ready\s+False\s+RolloutFailed\s+\S+\s+deployment ecs-svc\//);
      expect(described.stdout).toContain(`3 tasks stopped: ${REASON}`);
      // The Warning event carries the same reasons, under describe's Events: and in `get events`. Events are
      // written in batches (about a second), so a describe right after `wait` may not list it yet: poll.
      const warning =
        /Warning\s+RolloutFailed\s+.*Essential container in task exited \(container web: exit code 1\)/;
      let events = "";
      for (let attempt = 0; attempt < 20 && !warning.test(events); attempt++) {
        if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 500));
        const again = await cli("describe", "fs", "hello");
        events = again.stdout.slice(again.stdout.indexOf("Events:"));
      }
      expect(events).toMatch(warning);
      const listed = await cli("get", "events", "-n", "default", "--for", "fs/hello");
      expect(listed.code).toBe(0);
      expect(listed.stdout).toMatch(warning);
      expect(listed.stdout).toContain("fargateservice/hello");
    } finally {
      await rm(specs, { recursive: true, force: true });
    }
    dev.child.kill("SIGTERM");
    const [code] = (await once(dev.child, "exit")) as [number | null];
    expect(code).toBe(0);
  }, 150_000); // a whole dev stack and a failed rollout on two shared cores
});

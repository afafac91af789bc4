/** `fargatectl dev` as a user runs it: exports, a ready line, a usable stack, and a clean stop on SIGTERM. */
import { type ChildProcess, execFile } from "node:child_process";
import { once } from "node:events";
import { existsSync, statSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { ConsulClient } from "../../src/consul/client.js";
import { isLoopback, listenersOf, processTree } from "../support/listeners.js";
import { devCli, startDev, stopDevAfterFailure } from "./dev-support.js";

const run = promisify(execFile);

/** The service of docs/getting-started.md. */
const WEB_SPEC = `apiVersion: fargate-operator/v1alpha1
kind: FargateService
metadata:
  name: web
  namespace: team-web
spec:
  cluster: apps
  cpu: 256
  memory: 512
  desiredCount: 2
  containers:
    - name: web
      image: public.ecr.aws/nginx/nginx:1.27
      ports:
        - containerPort: 80
  network:
    subnets: [subnet-0a1b2c3d4e5f60718]
    securityGroups: [sg-0123456789abcdef0]
  discovery:
    cloudMap:
      namespaceRef: { name: apps-internal, namespace: platform }
    consul:
      register: true
`;

describe("fargatectl dev", () => {
  let child: ChildProcess | undefined;
  afterAll(() => stopDevAfterFailure(child), 30_000);

  it("prints the exports another shell needs, serves the examples, and stops cleanly on SIGTERM", async () => {
    const dev = await startDev();
    child = dev.child;
    for (const name of [
      "AWS_ENDPOINT_URL_ECS",
      "AWS_ENDPOINT_URL_SERVICEDISCOVERY",
      "AWS_ENDPOINT_URL_APPLICATION_AUTO_SCALING",
      "AWS_ENDPOINT_URL_DYNAMODB",
      "AWS_ENDPOINT_URL_DYNAMODB_STREAMS",
      "AWS_ENDPOINT_URL_SECRETS_MANAGER",
      "AWS_REGION",
      "AWS_DEFAULT_REGION",
      "AWS_ACCESS_KEY_ID",
      "AWS_SECRET_ACCESS_KEY",
      "FARGATE_OPERATOR_TABLE",
      "CONSUL_HTTP_ADDR",
      "FARGATE_OPERATOR_UI_URL",
    ]) {
      expect(dev.env[name], name).toBeTruthy();
    }
    // Every listener of the stack (DynamoDB Local, the simulators, the controller's metrics) is on loopback.
    const listeners = listenersOf(processTree(dev.child.pid ?? 0));
    expect(listeners.length).toBeGreaterThanOrEqual(4);
    expect(listeners.filter((l) => !isLoopback(l.address))).toEqual([]);
    // The controller log is private: a fresh 0700 directory, the file 0600.
    const logPath = /^controller logs: (.+)$/m.exec(dev.stderr())?.[1] ?? "";
    expect(statSync(dirname(logPath)).mode & 0o777).toBe(0o700);
    expect(statSync(logPath).mode & 0o777).toBe(0o600);
    // Another shell, with only the exports, sees the applied examples.
    const { stdout } = await run(process.execPath, ["--import", "tsx", "src/cli/run.ts", "get", "fs", "-A"], {
      env: { PATH: process.env.PATH ?? "", ...dev.env },
    });
    expect(stdout).toContain("payments-api");
    expect(stdout).toContain("hello");
    // The Consul simulator answers with the vault service registered.
    const services = (await (
      await fetch(`http://${dev.env.CONSUL_HTTP_ADDR}/v1/catalog/services`)
    ).json()) as Record<string, unknown>;
    expect(Object.keys(services)).toContain("vault");
    // The https-only Consul (private CA, a certificate for another name) answers with its CA and server name.
    const tlsConsul = new ConsulClient({
      address: dev.env.FARGATE_OPERATOR_DEV_CONSUL_HTTPS_ADDR ?? "",
      tls: {
        ca: await readFile(dev.env.FARGATE_OPERATOR_DEV_CONSUL_CACERT ?? "", "utf8"),
        serverName: dev.env.FARGATE_OPERATOR_DEV_CONSUL_TLS_SERVER_NAME ?? "",
      },
    });
    expect(Object.keys((await tlsConsul.listServices()).value)).toContain("vault");
    tlsConsul.close();

    // The getting-started path, as a user in another shell: apply a spec, wait for Ready, read both DNS names,
    // then keep a directory in sync (dry run first, then for real, then prune).
    const cli = devCli(dev.env);
    const specs = await mkdtemp(join(tmpdir(), "fo-specs-"));
    try {
      await writeFile(join(specs, "web.yaml"), WEB_SPEC);
      expect((await cli("apply", "-f", join(specs, "web.yaml"))).code).toBe(0);
      const waited = await cli(
        "wait",
        "fs/web",
        "-n",
        "team-web",
        "--for",
        "condition=Ready",
        "--timeout",
        "90s",
      );
      expect(waited.code, waited.stderr).toBe(0);
      const yaml = await cli("get", "fs", "web", "-n", "team-web", "-o", "yaml");
      expect(yaml.stdout).toContain("cloudMap: web.apps.internal");
      expect(yaml.stdout).toContain("consul: web.service.consul");
      // The status page the exports name shows the same record with both DNS names.
      const page = await (await fetch(dev.env.FARGATE_OPERATOR_UI_URL ?? "")).text();
      expect(page).toContain("web.apps.internal");
      expect(page).toContain("web.service.consul");

      await writeFile(join(specs, "worker.yaml"), WEB_SPEC.replaceAll("name: web", "name: worker"));
      const plan = await cli("sync", specs, "--source", "e2e", "--force-adopt", "--prune", "--dry-run");
      expect(plan.code, plan.stderr).toBe(1); // the dry run found work to do
      expect((await cli("sync", specs, "--source", "e2e", "--force-adopt", "--prune")).code).toBe(0);
      await rm(join(specs, "worker.yaml"));
      const pruned = await cli("sync", specs, "--source", "e2e", "--prune");
      expect(pruned.code, pruned.stderr).toBe(0);
      expect(pruned.stdout).toMatch(/delete\s+fargateservice\/worker/);
    } finally {
      await rm(specs, { recursive: true, force: true });
    }

    dev.child.kill("SIGTERM");
    const [code] = (await once(dev.child, "exit")) as [number | null];
    expect(code).toBe(0);
    expect(existsSync(dirname(logPath))).toBe(false); // removed on exit (no --keep-logs)
    // Every server it started is gone: the ports refuse connections.
    await expect(fetch(`http://${dev.env.CONSUL_HTTP_ADDR}/v1/status/leader`)).rejects.toThrow();
    await expect(fetch(dev.env.AWS_ENDPOINT_URL_DYNAMODB ?? "")).rejects.toThrow();
  }, 150_000); // a whole dev stack, its https Consul and the getting-started path on two shared cores
});

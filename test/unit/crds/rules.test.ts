import { describe, expect, it } from "vitest";
import {
  describeMemoryFor,
  FARGATE_TASK_CPUS,
  formatPath,
  isValidTaskSize,
  type ValidationIssue,
  validateDocument,
} from "../../../src/crds/index.js";
import { minimalService, remove, set, validCatalogSync, validService } from "./helpers.js";

function issuesOf(document: unknown): ValidationIssue[] {
  const result = validateDocument(document);
  return result.ok ? [] : result.issues;
}

/** Asserts the document has exactly one issue, at `path`, whose message contains `message`. */
function expectOnly(document: unknown, path: string, message: string): ValidationIssue {
  const issues = issuesOf(document);
  expect(issues.map((i) => `${formatPath(i.path)}: ${i.message}`)).toEqual([
    expect.stringContaining(`${path}: `),
  ]);
  expect(issues[0]?.message).toContain(message);
  expect(issues[0]?.hint.length).toBeGreaterThan(0);
  return issues[0] as ValidationIssue;
}

describe("Fargate task sizes", () => {
  it("accepts exactly the documented table", () => {
    const expected: Record<number, number[]> = {
      256: [512, 1024, 2048],
      512: [1024, 2048, 3072, 4096],
      1024: [2048, 3072, 4096, 5120, 6144, 7168, 8192],
      2048: Array.from({ length: 13 }, (_, i) => 4096 + i * 1024),
      4096: Array.from({ length: 23 }, (_, i) => 8192 + i * 1024),
      8192: Array.from({ length: 12 }, (_, i) => 16384 + i * 4096),
      16384: Array.from({ length: 12 }, (_, i) => 32768 + i * 8192),
    };
    expect(FARGATE_TASK_CPUS).toEqual([256, 512, 1024, 2048, 4096, 8192, 16384]);
    for (const cpu of FARGATE_TASK_CPUS) {
      const valid: number[] = [];
      for (let memory = 512; memory <= 122880; memory += 512)
        if (isValidTaskSize(cpu, memory)) valid.push(memory);
      expect(valid).toEqual(expected[cpu]);
    }
    expect(isValidTaskSize(128, 512)).toBe(false);
    expect(describeMemoryFor(256)).toBe("512, 1024 or 2048");
    expect(describeMemoryFor(8192)).toBe("16384 to 61440 in steps of 4096");
  });

  it("reports a bad pair on memory with the allowed values", () => {
    const issue = expectOnly(
      set(minimalService(), ["spec", "memory"], 4096),
      "spec.memory",
      "not a Fargate task size with cpu 256",
    );
    expect(issue.hint).toBe("with cpu 256 use memory 512, 1024 or 2048");
    expect(issuesOf(set(set(minimalService(), ["spec", "cpu"], 16384), ["spec", "memory"], 122880))).toEqual(
      [],
    );
  });

  it("checks the CatalogSync task size too", () => {
    expectOnly(set(validCatalogSync(), ["spec", "task", "memory"], 8192), "spec.task.memory", "with cpu 256");
  });
});

describe("FargateService cross-field rules", () => {
  it("minimumHealthyPercent must not exceed maximumPercent", () => {
    const document = set(minimalService(), ["spec", "deployment"], {
      minimumHealthyPercent: 100,
      maximumPercent: 50,
    });
    expectOnly(document, "spec.deployment.minimumHealthyPercent", "above maximumPercent (50)");
    expect(
      issuesOf(
        set(minimalService(), ["spec", "deployment"], { minimumHealthyPercent: 100, maximumPercent: 100 }),
      ),
    ).toEqual([]);
  });

  it("SRV records need a port, and the port must be a container's", () => {
    const srv = set(validService(), ["spec", "discovery", "cloudMap", "records"], ["A", "SRV"]);
    expectOnly(srv, "spec.discovery.cloudMap.port", "SRV records need a port");
    expect(issuesOf(set(srv, ["spec", "discovery", "cloudMap", "port"], 8080))).toEqual([]);
    const issue = expectOnly(
      set(srv, ["spec", "discovery", "cloudMap", "port"], 9090),
      "spec.discovery.cloudMap.port",
      "not a port of any container",
    );
    expect(issue.hint).toContain("8080");
  });

  it("records must include A", () => {
    const document = set(validService(), ["spec", "discovery", "cloudMap"], {
      namespaceRef: { name: "apps-internal" },
      records: ["SRV"],
      port: 8080,
    });
    expectOnly(document, "spec.discovery.cloudMap.records", "must include A");
  });

  it("container names are unique", () => {
    const document = minimalService();
    set(document, ["spec", "containers", 1], { name: "web", image: "busybox" });
    expectOnly(document, "spec.containers[1].name", 'duplicate container name "web"');
  });

  it("vault-agent is a reserved container name when vault is set", () => {
    expectOnly(
      set(validService(), ["spec", "containers", 0, "name"], "vault-agent"),
      "spec.containers[0].name",
      "reserved",
    );
    expect(issuesOf(set(minimalService(), ["spec", "containers", 0, "name"], "vault-agent"))).toEqual([]);
  });

  it("at least one container is essential", () => {
    expectOnly(
      set(minimalService(), ["spec", "containers", 0, "essential"], false),
      "spec.containers",
      "no container is essential",
    );
  });

  it("a port is used once per task, and port names are unique in a container", () => {
    const document = minimalService();
    set(document, ["spec", "containers", 0, "ports"], [{ containerPort: 80 }]);
    set(document, ["spec", "containers", 1], {
      name: "side",
      image: "busybox",
      ports: [{ containerPort: 80 }],
    });
    expectOnly(document, "spec.containers[1].ports[0].containerPort", "port 80/tcp is already used");
    set(document, ["spec", "containers", 1, "ports", 0, "protocol"], "udp");
    expect(issuesOf(document)).toEqual([]);
    const named = set(
      minimalService(),
      ["spec", "containers", 0, "ports"],
      [
        { containerPort: 80, name: "http" },
        { containerPort: 81, name: "http" },
      ],
    );
    expectOnly(named, "spec.containers[0].ports[1].name", 'duplicate port name "http"');
  });

  it("a variable is either in environment or in secrets", () => {
    const document = set(validService(), ["spec", "containers", 0, "environment", "DB_PASSWORD"], "x");
    expectOnly(document, "spec.containers[0].secrets.DB_PASSWORD", "both environment and secrets");
  });

  it("health check commands start with CMD or CMD-SHELL", () => {
    const document = set(minimalService(), ["spec", "containers", 0, "healthCheck"], {
      command: ["curl", "-f", "http://localhost"],
    });
    expectOnly(document, "spec.containers[0].healthCheck.command[0]", 'must start with "CMD" or "CMD-SHELL"');
    set(
      document,
      ["spec", "containers", 0, "healthCheck", "command"],
      ["CMD", "curl", "-f", "http://localhost"],
    );
    expect(issuesOf(document)).toEqual([]);
  });

  it("vault needs iam.taskRoleArn", () => {
    expectOnly(
      remove(validService(), ["spec", "iam", "taskRoleArn"]),
      "spec.iam.taskRoleArn",
      "vault needs iam.taskRoleArn",
    );
  });

  it("vault without address needs discovery.cloudMap", () => {
    const document = remove(validService(), ["spec", "discovery"]);
    expectOnly(document, "spec.vault.address", "no discovery.cloudMap");
    expect(
      issuesOf(set(document, ["spec", "vault", "address"], "https://vault.example.internal:8200")),
    ).toEqual([]);
  });

  it("discovery.consul.register needs discovery.cloudMap", () => {
    const document = set(minimalService(), ["spec", "discovery"], { consul: { tags: ["a"] } });
    expectOnly(document, "spec.discovery.consul.register", "needs discovery.cloudMap");
    expect(issuesOf(set(document, ["spec", "discovery", "consul", "register"], false))).toEqual([]);
  });

  it("vault secret file names are unique", () => {
    const document = validService();
    set(document, ["spec", "vault", "secrets", 1], { name: "db.env", path: "secret/data/other" });
    expectOnly(document, "spec.vault.secrets[1].name", 'duplicate secret file name "db.env"');
  });

  it("container reservations fit in the task minus the Vault agent's share", () => {
    const document = validService(); // task 512 CPU / 1024 MiB, vault agent 32 / 64
    set(document, ["spec", "containers", 0, "cpu"], 480);
    set(document, ["spec", "containers", 0, "memory"], 960);
    expect(issuesOf(document)).toEqual([]);
    set(document, ["spec", "containers", 0, "cpu"], 481);
    expectOnly(
      document,
      "spec.containers",
      "reserve 481 CPU units of cpu but only 480 are available (task cpu 512 minus 32",
    );
    set(document, ["spec", "containers", 0, "cpu"], 256);
    set(document, ["spec", "containers", 1], { name: "side", image: "busybox", memory: 100 });
    expectOnly(document, "spec.containers", "reserve 1060 MiB of memory but only 960 are available");
    // without vault the whole task is available
    const plain = set(minimalService(), ["spec", "containers", 0, "memory"], 512);
    expect(issuesOf(plain)).toEqual([]);
    expectOnly(
      set(plain, ["spec", "containers", 0, "memory"], 513),
      "spec.containers",
      "only 512 are available",
    );
  });

  it("the Vault agent's share must leave room in the task", () => {
    const document = set(validService(), ["spec", "vault", "memory"], 1024);
    expectOnly(document, "spec.vault.memory", "leaves nothing");
  });

  it("container secrets and logging need iam.executionRoleArn", () => {
    const document = remove(validService(), ["spec", "iam", "executionRoleArn"]);
    const paths = issuesOf(document).map((i) => formatPath(i.path));
    expect(paths).toEqual(["spec.containers[0].secrets", "spec.logging"]);
  });

  it("with vault at most nine containers", () => {
    const document = validService();
    for (let i = 1; i < 10; i++)
      set(document, ["spec", "containers", i], { name: `c${i}`, image: "busybox" });
    expectOnly(document, "spec.containers", "at most 9 containers");
    remove(document, ["spec", "vault"]);
    expect(issuesOf(document)).toEqual([]);
  });
});

describe("CatalogSync cross-field rules", () => {
  it("placement: task needs task", () => {
    expectOnly(remove(validCatalogSync(), ["spec", "task"]), "spec.task", "placement: task needs task");
  });

  it("task is only for placement: task", () => {
    expectOnly(
      set(validCatalogSync(), ["spec", "placement"], "controller"),
      "spec.task",
      "placement is controller",
    );
    const defaulted = remove(validCatalogSync(), ["spec", "placement"]);
    expectOnly(defaulted, "spec.task", "placement is controller");
  });

  it("tokenFrom names exactly one source", () => {
    const both = set(
      validCatalogSync(),
      ["spec", "consul", "tokenFrom", "secretArn"],
      "arn:aws:secretsmanager:eu-west-1:123456789012:secret:t",
    );
    expectOnly(both, "spec.consul.tokenFrom", "both env and secretArn");
    expectOnly(
      set(validCatalogSync(), ["spec", "consul", "tokenFrom"], {}),
      "spec.consul.tokenFrom",
      "names no source",
    );
  });

  it("tls needs an https address", () => {
    const document = set(validCatalogSync(), ["spec", "consul", "tls"], {
      serverName: "consul.example.internal",
    });
    expect(issuesOf(document)).toEqual([]);
    expectOnly(
      set(document, ["spec", "consul", "address"], "http://consul:8500"),
      "spec.consul.tls",
      "uses http://",
    );
  });
});

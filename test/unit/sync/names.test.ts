import { describe, expect, it } from "vitest";
import {
  cloudMapInstanceId,
  consulServiceIdOf,
  syncCheckIdOf,
  syncCreatorRequestId,
  syncLeaseName,
  syncNodeName,
} from "../../../src/sync/names.js";

describe("sync names", () => {
  it("instance ids are short, deterministic and distinct per node/service id", () => {
    const id = cloudMapInstanceId("node-1", "vault-1");
    expect(id).toMatch(/^c-[0-9a-f]{16}$/);
    expect(cloudMapInstanceId("node-1", "vault-1")).toBe(id);
    expect(cloudMapInstanceId("node-2", "vault-1")).not.toBe(id);
    expect(cloudMapInstanceId("a", "b")).not.toBe(cloudMapInstanceId("b", "a"));
  });

  it("CreatorRequestIds fit Cloud Map's 64 characters and differ per uid and name", () => {
    const id = syncCreatorRequestId("uid-1", "vault");
    expect(id.length).toBeLessThanOrEqual(64);
    expect(syncCreatorRequestId("uid-2", "vault")).not.toBe(id);
    expect(syncCreatorRequestId("uid-1", "db")).not.toBe(id);
  });

  it("the synthetic node name is DNS-safe", () => {
    expect(syncNodeName("prod.internal")).toBe("fargate-operator-prod-internal");
    expect(syncNodeName("a_b.example.com.")).toBe("fargate-operator-a-b-example-com");
  });

  it("lease, service and check ids", () => {
    expect(syncLeaseName("ns-123")).toBe("catalog-sync/ns-123");
    expect(consulServiceIdOf("web", "task-1")).toBe("web:task-1");
    expect(syncCheckIdOf("web:task-1")).toBe("fargate-operator:web:task-1");
  });
});

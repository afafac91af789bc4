import { describe, expect, it } from "vitest";
import { TagKey } from "../../../src/render/names.js";
import { classifyService } from "../../../src/sync/candidates.js";
import { ALL, UID } from "./fixtures.js";

const fargate = (tags: Record<string, string>) => ({ [TagKey.Uid]: "fs-uid", ...tags });

describe("classifyService", () => {
  it("does not decide before the tags were read", () => {
    expect(classifyService("web", undefined, UID, ALL)).toEqual({ kind: "unknown" });
  });

  it("never mirrors back what this engine created, but another uid's look-alike is an ordinary service", () => {
    expect(classifyService("vault", { [TagKey.SyncOwner]: UID }, UID, ALL)).toEqual({ kind: "ours" });
    expect(classifyService("vault", { [TagKey.SyncOwner]: "other" }, UID, ALL)).toMatchObject({
      kind: "candidate",
      consulName: "vault",
    });
  });

  it("mirrors a FargateService's service only with consul-register=true, with its name, tags and meta", () => {
    expect(classifyService("web", fargate({}), UID, ALL)).toEqual({ kind: "excluded" });
    expect(classifyService("web", fargate({ [TagKey.ConsulRegister]: "false" }), UID, ALL)).toEqual({
      kind: "excluded",
    });
    const tags = fargate({
      [TagKey.ConsulRegister]: "true",
      [TagKey.ConsulName]: "web-api",
      [TagKey.ConsulTags]: " v1  blue ",
      [`${TagKey.ConsulMetaPrefix}team`]: "payments",
      [`${TagKey.ConsulMetaPrefix}bad key`]: "dropped",
    });
    expect(classifyService("web", tags, UID, { ...ALL, prefix: "ecs-" })).toEqual({
      kind: "candidate",
      consulName: "ecs-web-api",
      tags: ["v1", "blue"],
      meta: { team: "payments" },
      fargateService: true,
    });
    expect(classifyService("web", fargate({ [TagKey.ConsulRegister]: "true" }), UID, ALL)).toMatchObject({
      consulName: "web",
      tags: [],
    });
  });

  it("carries the consul-port tag (ECS records no port for A-only services) and ignores a bad one", () => {
    const withPort = fargate({ [TagKey.ConsulRegister]: "true", [TagKey.ConsulPort]: "8080" });
    expect(classifyService("web", withPort, UID, ALL)).toMatchObject({ port: 8080 });
    const bad = fargate({ [TagKey.ConsulRegister]: "true", [TagKey.ConsulPort]: "99999" });
    expect(classifyService("web", bad, UID, ALL)).not.toHaveProperty("port");
  });

  it("a FargateService's request is not subject to the include/exclude of hand-made services", () => {
    const settings = { ...ALL, include: ["legacy-*"] };
    expect(classifyService("web", fargate({ [TagKey.ConsulRegister]: "true" }), UID, settings)).toMatchObject(
      {
        kind: "candidate",
      },
    );
    expect(classifyService("web", {}, UID, settings)).toEqual({ kind: "excluded" });
    expect(classifyService("legacy-db", {}, UID, settings)).toMatchObject({
      kind: "candidate",
      fargateService: false,
    });
  });

  it("a disabled direction mirrors nothing", () => {
    expect(classifyService("web", {}, UID, { ...ALL, enabled: false })).toEqual({ kind: "excluded" });
  });
});

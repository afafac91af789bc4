import { describe, expect, it } from "vitest";
import { applyDefaults, canonicalJson, DEFAULTS, type JsonSchema, SCHEMAS } from "../../../src/crds/index.js";
import { get, validCatalogSync, validNamespace, validService } from "./helpers.js";

type Json = Record<string, unknown>;
type Path = (string | number)[];

const isObject = (value: unknown): value is Json =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** Removes every field whose schema has a default; `whole` removes defaulted objects entirely, else only their leaves. */
function strip(schema: JsonSchema, value: unknown, whole: boolean): void {
  if (Array.isArray(value) && isObject(schema.items)) {
    for (const item of value) strip(schema.items, item, whole);
    return;
  }
  if (!isObject(value) || !isObject(schema.properties)) return;
  for (const [key, child] of Object.entries(schema.properties)) {
    if (!isObject(child) || value[key] === undefined) continue;
    const hasChildren = isObject(child.properties);
    if (child.default !== undefined && (whole || !hasChildren)) delete value[key];
    else strip(child, value[key], whole);
  }
}

/** Compares `after` (defaults applied) with `before`: every added field has a schema default equal to it. */
function compare(schema: JsonSchema, before: unknown, after: unknown, path: Path, problems: string[]): void {
  if (Array.isArray(after) && Array.isArray(before) && isObject(schema.items)) {
    for (const [i, item] of after.entries()) {
      compare(schema.items as JsonSchema, before[i], item, [...path, i], problems);
    }
    return;
  }
  if (!isObject(after) || !isObject(before)) return;
  const properties = isObject(schema.properties) ? schema.properties : {};
  for (const key of Object.keys(after)) {
    const child = properties[key];
    const where = [...path, key].join(".");
    if (!isObject(child)) {
      if (before[key] === undefined) problems.push(`${where}: added but not in the schema`);
      continue;
    }
    if (before[key] === undefined) {
      if (child.default === undefined)
        problems.push(`${where}: defaulted in code but the schema has no default`);
      else if (canonicalJson(after[key]) !== canonicalJson(child.default)) {
        problems.push(
          `${where}: code default ${JSON.stringify(after[key])} != schema default ${JSON.stringify(child.default)}`,
        );
      }
    } else {
      compare(child, before[key], after[key], [...path, key], problems);
    }
  }
  // every schema default whose parent exists must have been applied
  for (const [key, child] of Object.entries(properties)) {
    if (isObject(child) && child.default !== undefined && after[key] === undefined) {
      problems.push(
        `${[...path, key].join(".")}: schema default ${JSON.stringify(child.default)} not applied`,
      );
    }
  }
}

/** Documents with every optional object present, so every default has a parent to land in. */
function fullDocuments(): Array<[keyof typeof SCHEMAS, Json]> {
  const service = validService();
  const spec = service.spec as Json;
  spec.runtimePlatform = { cpuArchitecture: "ARM64" };
  spec.deployment = { circuitBreaker: {} };
  const container = (spec.containers as Json[])[0] as Json;
  container.healthCheck = { command: ["CMD", "true"] };
  const sync = validCatalogSync();
  const syncSpec = sync.spec as Json;
  (syncSpec.consul as Json).tls = { serverName: "consul" };
  (syncSpec.task as Json).logging = { logGroup: "/ecs/sync" };
  syncSpec.toCloudMap = {};
  syncSpec.toConsul = {};
  return [
    ["FargateService", service],
    ["CatalogSync", sync],
    ["CloudMapNamespace", validNamespace()],
  ];
}

describe("applyDefaults", () => {
  for (const whole of [false, true]) {
    it(`matches the schemas' defaults both ways (${whole ? "defaulted objects removed" : "defaulted leaves removed"})`, () => {
      const problems: string[] = [];
      for (const [kind, document] of fullDocuments()) {
        const schema = SCHEMAS[kind];
        strip(schema, document, whole);
        compare(schema, document, applyDefaults(document), [kind], problems);
      }
      expect(problems).toEqual([]);
    });
  }

  it("catches a default missing from the schema (self-test of the comparison)", () => {
    const problems: string[] = [];
    const schema = {
      type: "object",
      properties: { a: { type: "integer" }, b: { type: "integer", default: 2 } },
    };
    compare(schema, {}, { a: 1 }, ["x"], problems);
    expect(problems).toEqual([
      "x.a: defaulted in code but the schema has no default",
      "x.b: schema default 2 not applied",
    ]);
  });

  it("fills the documented values", () => {
    const out = applyDefaults({
      kind: "FargateService",
      metadata: { name: "x" },
      spec: { containers: [{ ports: [{}] }] },
    });
    expect(get(out, ["metadata", "namespace"])).toBe("default");
    expect(get(out, ["spec", "desiredCount"])).toBe(1);
    expect(get(out, ["spec", "containers", 0, "essential"])).toBe(true);
    expect(get(out, ["spec", "containers", 0, "ports", 0, "protocol"])).toBe("tcp");
    expect(get(out, ["spec", "deployment"])).toEqual({
      minimumHealthyPercent: 100,
      maximumPercent: 200,
      timeoutSeconds: 900,
      circuitBreaker: { enable: true, rollback: true },
    });
    expect(get(out, ["spec", "deletionPolicy"])).toBe("Delete");
    expect(get(out, ["spec", "adopt"])).toBe(false);
    expect(get(out, ["spec", "suspend"])).toBe(false);
    const sync = applyDefaults({ kind: "CatalogSync", metadata: { name: "s" }, spec: {} });
    expect(get(sync, ["spec", "toConsul"])).toEqual({ enabled: true, include: [], exclude: [], prefix: "" });
    expect(get(sync, ["spec", "pollIntervalSeconds"])).toBe(5);
    expect(get(sync, ["spec", "deleteGraceSeconds"])).toBe(30);
    expect(get(sync, ["spec", "placement"])).toBe("controller");
    expect(DEFAULTS.fargateService.vault).toEqual({
      authMountPath: "aws",
      mode: "sidecar",
      mountPath: "/vault/secrets",
      cpu: 32,
      memory: 64,
    });
  });

  it("keeps what the document says, does not mutate its input and never shares arrays", () => {
    const input = {
      kind: "CatalogSync",
      metadata: { name: "s", namespace: "ns" },
      spec: { pollIntervalSeconds: 60 },
    };
    const out = applyDefaults(input);
    expect(input).toEqual({
      kind: "CatalogSync",
      metadata: { name: "s", namespace: "ns" },
      spec: { pollIntervalSeconds: 60 },
    });
    expect(get(out, ["metadata", "namespace"])).toBe("ns");
    expect(get(out, ["spec", "pollIntervalSeconds"])).toBe(60);
    (get(out, ["spec", "toConsul", "include"]) as string[]).push("x");
    expect(DEFAULTS.catalogSync.direction.include).toEqual([]);
    expect(get(out, ["spec", "toCloudMap", "include"])).toEqual([]);
  });

  it("leaves values of the wrong type alone", () => {
    const out = applyDefaults({
      kind: "FargateService",
      metadata: "x",
      spec: { deployment: "fast", containers: "many" },
    });
    expect(out).toEqual({
      kind: "FargateService",
      metadata: "x",
      spec: expect.objectContaining({ deployment: "fast", containers: "many" }),
    });
    expect(applyDefaults(null)).toBeNull();
  });
});

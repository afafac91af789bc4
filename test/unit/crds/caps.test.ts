/**
 * Size caps: every free string, list and map in every schema is bounded; the spec as a whole is capped at
 * MAX_SPEC_BYTES (declared as `x-max-bytes` in each schema); the constants the rules use match the schemas.
 */
import { describe, expect, it } from "vitest";
import {
  formatPath,
  jsonBytes,
  KINDS,
  MAX_ENVIRONMENT_VALUE_LENGTH,
  MAX_SPEC_BYTES,
  SCHEMAS,
  validateDocument,
} from "../../../src/crds/index.js";
import { STATUS_HEADROOM_BYTES } from "../../../src/store/item-check.js";
import { MAX_ITEM_BYTES } from "../../../src/store/layout.js";
import { minimalService, validCatalogSync } from "./helpers.js";

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

/** Paths of unbounded nodes: strings without maxLength (enum/const aside), lists without maxItems, maps without maxProperties. */
function unbounded(node: unknown, path: string, out: string[] = []): string[] {
  if (!isObject(node)) return out;
  const bounded = (key: string) => typeof node[key] === "number";
  if (node.type === "string" && !bounded("maxLength") && node.enum === undefined && node.const === undefined)
    out.push(`${path}: string without maxLength`);
  if (node.type === "array" && !bounded("maxItems")) out.push(`${path}: list without maxItems`);
  if (isObject(node.additionalProperties) && !bounded("maxProperties"))
    out.push(`${path}: map without maxProperties`);
  if (isObject(node.propertyNames) && typeof node.propertyNames.maxLength !== "number")
    out.push(`${path}: keys without maxLength`);
  for (const [key, child] of Object.entries(isObject(node.properties) ? node.properties : {}))
    unbounded(child, `${path}.${key}`, out);
  unbounded(node.items, `${path}[]`, out);
  unbounded(node.additionalProperties, `${path}.*`, out);
  return out;
}

const messages = (result: ReturnType<typeof validateDocument>) =>
  result.ok ? [] : result.issues.map((i) => `${formatPath(i.path)}: ${i.message} (${i.hint})`);

describe("schema caps", () => {
  it.each(KINDS)("%s bounds every string, list and map in metadata and spec", (kind) => {
    const schema = SCHEMAS[kind] as Json;
    const properties = schema.properties as Json;
    expect([...unbounded(properties.metadata, "metadata"), ...unbounded(properties.spec, "spec")]).toEqual(
      [],
    );
  });

  it.each(KINDS)("%s declares the spec size cap the validator enforces", (kind) => {
    const spec = (SCHEMAS[kind].properties as Json).spec as Json;
    expect(spec["x-max-bytes"]).toBe(MAX_SPEC_BYTES);
  });

  it.each(KINDS)(
    "%s: a document at every metadata and spec cap still leaves its item room for status",
    (kind) => {
      const metadata = ((SCHEMAS[kind].properties as Json).metadata as Json).properties as Record<
        string,
        Json
      >;
      const mapBytes = (map: Json | undefined) => {
        const entries = Number(map?.maxProperties);
        const key = Number((map?.propertyNames as Json | undefined)?.maxLength);
        const value = Number((map?.additionalProperties as Json | undefined)?.maxLength);
        return entries * (key + value + 8);
      };
      const worst = MAX_SPEC_BYTES + mapBytes(metadata.labels) + mapBytes(metadata.annotations) + 4096;
      expect(worst).toBeLessThan(MAX_ITEM_BYTES - STATUS_HEADROOM_BYTES);
    },
  );

  it("FargateService environment values are capped at the constant the docs and rules use", () => {
    const container = (
      ((SCHEMAS.FargateService.properties as Json).spec as Json).properties as { containers: { items: Json } }
    ).containers.items;
    const environment = (container.properties as Json).environment as Json;
    expect((environment.additionalProperties as Json).maxLength).toBe(MAX_ENVIRONMENT_VALUE_LENGTH);
  });
});

describe("validation of oversized documents", () => {
  it("a 390 KB environment value is refused naming the variable, with a hint to move it out", () => {
    const doc = minimalService() as { spec: { containers: Array<Json> } };
    const container = doc.spec.containers[0] as Json;
    container.environment = { BIG: "x".repeat(390 * 1024) };
    const found = messages(validateDocument(doc));
    expect(found).toContainEqual(
      expect.stringMatching(
        /^spec\.containers\[0\]\.environment\.BIG: is 399360 characters long, more than the 32768 allowed \(keep large values out of the task definition/,
      ),
    );
    expect(found).toContainEqual(
      expect.stringMatching(/^spec: is 390\.\d KiB as JSON, more than the 128\.0 KiB/),
    );
  });

  it("too many environment variables is one issue saying how many", () => {
    const doc = minimalService() as { spec: { containers: Array<Json> } };
    const environment: Record<string, string> = {};
    for (let i = 0; i < 300; i++) environment[`V${i}`] = "1";
    (doc.spec.containers[0] as Json).environment = environment;
    expect(messages(validateDocument(doc))).toEqual([
      "spec.containers[0].environment: has 300 entries, more than the 256 allowed (remove entries)",
    ]);
  });

  /** A CatalogSync whose spec is exactly `bytes` long as JSON, padded with allowed filter globs. */
  function catalogSyncOfSize(bytes: number): { spec: Json } {
    const doc = validCatalogSync() as { spec: Json };
    const lists: string[][] = [[], [], [], []];
    doc.spec.toConsul = { include: lists[0], exclude: lists[1] };
    doc.spec.toCloudMap = { include: lists[2], exclude: lists[3] };
    for (let i = 0; jsonBytes(doc.spec) < bytes; i++)
      lists[Math.floor(i / 256)]?.push(`${i}-${"g".repeat(240)}`);
    const last = lists.flat().at(-1) ?? "";
    const list = lists.find((l) => l.includes(last)) ?? [];
    list[list.length - 1] = last.slice(0, last.length - (jsonBytes(doc.spec) - bytes));
    expect(jsonBytes(doc.spec)).toBe(bytes);
    return doc;
  }

  it("a spec of exactly 128 KiB is accepted; one byte more is refused as a whole", () => {
    expect(messages(validateDocument(catalogSyncOfSize(MAX_SPEC_BYTES)))).toEqual([]);
    expect(messages(validateDocument(catalogSyncOfSize(MAX_SPEC_BYTES + 1)))).toEqual([
      "spec: is 128.0 KiB as JSON, more than the 128.0 KiB a spec may take (keep large data out of the record: reference it (a secret ARN, an image, an S3 object) instead)",
    ]);
  });
});

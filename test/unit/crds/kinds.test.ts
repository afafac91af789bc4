import { describe, expect, it } from "vitest";
import { describeKindForms, resolveKind, UnknownKindError } from "../../../src/crds/index.js";

describe("resolveKind", () => {
  it.each([
    ["fargateservice", "FargateService"],
    ["fargateservices", "FargateService"],
    ["fs", "FargateService"],
    ["FargateService", "FargateService"],
    ["FS", "FargateService"],
    ["cloudmapnamespace", "CloudMapNamespace"],
    ["CloudMapNamespaces", "CloudMapNamespace"],
    ["cmns", "CloudMapNamespace"],
    ["catalogsync", "CatalogSync"],
    ["catalogsyncs", "CatalogSync"],
    ["cs", "CatalogSync"],
    [" CS ", "CatalogSync"],
    ["namespacepolicy", "NamespacePolicy"],
    ["namespacepolicies", "NamespacePolicy"],
    ["np", "NamespacePolicy"],
  ])("%s → %s", (input, kind) => {
    expect(resolveKind(input)).toBe(kind);
  });

  it("rejects anything else with the valid forms listed", () => {
    expect(() => resolveKind("deployment")).toThrow(UnknownKindError);
    expect(() => resolveKind("svc")).toThrow(
      'unknown kind "svc"; use one of: fargateservice (fargateservices, fs), cloudmapnamespace (cloudmapnamespaces, cmns), catalogsync (catalogsyncs, cs), namespacepolicy (namespacepolicies, np)',
    );
    try {
      resolveKind("");
    } catch (error) {
      expect(error).toBeInstanceOf(UnknownKindError);
      expect((error as UnknownKindError).input).toBe("");
    }
    expect(describeKindForms()).toContain("cmns");
  });
});

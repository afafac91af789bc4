import { describe, expect, it } from "vitest";
import { allows } from "../../../../src/reconcilers/policy/lookup.js";

describe("allows (NamespacePolicy glob lists)", () => {
  it("allows anything without a list and nothing with an empty one", () => {
    expect(allows(undefined, "arn:aws:iam::1:role/x", "team-a")).toBe(true);
    expect(allows([], "arn:aws:iam::1:role/x", "team-a")).toBe(false);
  });

  it("puts the governed namespace in for {namespace} and lets * cross slashes", () => {
    const roles = ["arn:aws:iam::*:role/{namespace}-*"];
    expect(allows(roles, "arn:aws:iam::123456789012:role/team-a-api", "team-a")).toBe(true);
    expect(allows(roles, "arn:aws:iam::123456789012:role/team-b-api", "team-a")).toBe(false);
    expect(allows(["arn:aws:iam::*:role/*"], "arn:aws:iam::1:role/path/to/r", "x")).toBe(true);
  });

  it("treats regex characters literally and ? as one character", () => {
    expect(allows(["vault.{namespace}"], "vaultXteam-a", "team-a")).toBe(false);
    expect(allows(["web-?"], "web-1", "x")).toBe(true);
    expect(allows(["web-?"], "web-12", "x")).toBe(false);
  });
});

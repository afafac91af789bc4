/** A record the controller has not stamped yet shows AGE `<unknown>`, never a 1970 date. */
import { describe, expect, it } from "vitest";
import { formatDescription, formatTable } from "../../../src/cli/output.js";
import type { StoredResource } from "../../../src/store/types.js";
import { record } from "./records.js";

const NOW = Date.parse("2026-03-01T10:00:00.000Z");

function unstamped(): StoredResource {
  const r = record("web");
  const { creationTimestamp: _dropped, ...metadata } = r.metadata;
  return { ...r, metadata };
}

describe("AGE of an unstamped record", () => {
  it("is <unknown> in tables and descriptions", () => {
    const table = formatTable("FargateService", [unstamped()], false, NOW);
    expect(table.split("\n")[1]).toMatch(/<unknown>\s*$/);
    expect(formatDescription(unstamped(), NOW)).toContain("Created:       <unknown>");
    expect(table + formatDescription(unstamped(), NOW)).not.toContain("1970");
  });
});

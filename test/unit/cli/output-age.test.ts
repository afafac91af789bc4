/** A record the controller has not stamped yet shows AGE `<unknown>`, never a 1970 date. */
import { describe, expect, it } from "vitest";
import { formatAge, formatDescription, formatTable } from "../../../src/cli/output.js";
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

describe("AGE of a record whose creationTimestamp is not a time", () => {
  it("is <unknown> rather than an age counted from whatever Date.parse makes of it", () => {
    for (const bogus of ["0", "1", "yesterday", "2026-03-01", ""]) {
      const r = record("web");
      const table = formatTable(
        "FargateService",
        [{ ...r, metadata: { ...r.metadata, creationTimestamp: bogus } }],
        false,
        NOW,
      );
      expect(table.split("\n")[1], bogus).toMatch(/<unknown>\s*$/);
    }
  });

  it("counts from an RFC 3339 time, with or without fractions or an offset, and never below zero", () => {
    expect(formatAge("2026-03-01T09:59:00.000Z", NOW)).toBe("60s");
    expect(formatAge("2026-03-01T11:00:00+02:00", NOW)).toBe("60m");
    expect(formatAge("2026-03-01T10:00:30Z", NOW)).toBe("0s"); // a clock ahead of ours
  });
});

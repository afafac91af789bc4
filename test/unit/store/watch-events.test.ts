import { describe, expect, it } from "vitest";
import type { StoredResource } from "../../../src/store/types.js";
import { changeEvent, differs, resourceOrUndefined } from "../../../src/store/watch-events.js";

const KINDS = new Set(["FargateService"] as const);

/** A FargateService as a hand-written item reads (no resourceVersion stored: it reads as "0"). */
function read(item: Record<string, unknown>): StoredResource {
  const resource = resourceOrUndefined({
    pk: "default",
    sk: "FargateService#web",
    kind: "FargateService",
    apiVersion: "fargate.example.com/v1alpha1",
    ...item,
  });
  if (resource === undefined) throw new Error("not a record");
  return resource;
}

describe("watch events from two images of one item", () => {
  it("classifies a raw update of spec that leaves resourceVersion alone as a spec change", () => {
    const before = read({ resourceVersion: 7, spec: { desiredCount: 1 }, status: { ready: true } });
    const after = read({ resourceVersion: 7, spec: { desiredCount: 5 }, status: { ready: true } });
    const event = changeEvent(before, after, KINDS, 0);
    expect(event?.statusOnly).toBe(false);
    expect(differs(before, after)).toBe(true); // the poll fallback reports it too
  });

  it("classifies a put-item without resourceVersion over a stored record as a spec change", () => {
    const before = read({ resourceVersion: 7, spec: { desiredCount: 1 } });
    const after = read({ spec: { desiredCount: 2 } });
    expect(after.metadata.resourceVersion).toBe("0");
    expect(changeEvent(before, after, KINDS, 0)?.statusOnly).toBe(false);
  });

  it("classifies a change of status alone as status-only", () => {
    const before = read({ resourceVersion: 7, spec: { desiredCount: 1 } });
    const after = read({ resourceVersion: 8, spec: { desiredCount: 1 }, status: { ready: true } });
    expect(changeEvent(before, after, KINDS, 0)?.statusOnly).toBe(true);
  });
});

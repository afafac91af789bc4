import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { TaskDefinitionRevision } from "../../../../src/aws/types.js";
import {
  ownedRevisionsToDeregisterOnDelete,
  revisionsToPrune,
} from "../../../../src/reconcilers/fargate-service/revisions.js";
import { TagKey } from "../../../../src/render/index.js";
import { tdArn } from "./ecs-fixtures.js";

const OWNER = { uid: "3f1c2b8e-0000-4000-8000-000000000001", namespace: "default", name: "web" };
const OTHER = "9a9a9a9a-0000-4000-8000-000000000002";

function revision(
  n: number,
  uid: string | null = OWNER.uid,
  over: Partial<TaskDefinitionRevision> = {},
): TaskDefinitionRevision {
  // null: no ownership tag at all.
  const tags: Record<string, string> =
    uid === null ? {} : { [TagKey.Uid]: uid, [TagKey.Namespace]: "default", [TagKey.Name]: "web" };
  return { arn: tdArn(n), family: "default-web", revision: n, status: "ACTIVE", tags, ...over };
}

describe("revisionsToPrune", () => {
  it("keeps the newest owned revisions and returns the rest oldest first", () => {
    const revisions = [revision(5), revision(2), revision(4), revision(1), revision(3)];
    expect(revisionsToPrune({ revisions, owner: OWNER, keep: 2, inUse: [] })).toEqual([
      tdArn(1),
      tdArn(2),
      tdArn(3),
    ]);
  });

  it("never returns a revision in use, nor one another record or nobody owns", () => {
    const revisions = [
      revision(1),
      revision(2, OTHER),
      revision(3, null),
      revision(4),
      revision(5),
      revision(6),
    ];
    expect(revisionsToPrune({ revisions, owner: OWNER, keep: 1, inUse: [tdArn(4)] })).toEqual([
      tdArn(1),
      tdArn(5),
    ]);
  });

  it("keeps in-use revisions besides the newest ones, not instead of them", () => {
    const revisions = [revision(1), revision(2), revision(3)];
    expect(revisionsToPrune({ revisions, owner: OWNER, keep: 1, inUse: [tdArn(1)] })).toEqual([tdArn(2)]);
  });

  it("treats keep below 1 (or not a number) as 1", () => {
    const revisions = [revision(1), revision(2), revision(3)];
    for (const keep of [0, -3, Number.NaN, 0.5]) {
      expect(revisionsToPrune({ revisions, owner: OWNER, keep, inUse: [] })).toEqual([tdArn(1), tdArn(2)]);
    }
    expect(revisionsToPrune({ revisions, owner: OWNER, keep: 2.9, inUse: [] })).toEqual([tdArn(1)]);
  });

  it("ignores revisions that are not ACTIVE and returns each ARN once", () => {
    const revisions = [
      revision(1, OWNER.uid, { status: "INACTIVE" }),
      revision(2),
      revision(2),
      revision(3, OWNER.uid, { status: "DELETE_IN_PROGRESS" }),
      revision(4),
    ];
    expect(revisionsToPrune({ revisions, owner: OWNER, keep: 1, inUse: [] })).toEqual([tdArn(2)]);
  });

  it("returns nothing while no more than `keep` revisions are owned", () => {
    expect(revisionsToPrune({ revisions: [], owner: OWNER, keep: 3, inUse: [] })).toEqual([]);
    const revisions = [revision(1), revision(2), revision(3, OTHER), revision(4, OTHER)];
    expect(revisionsToPrune({ revisions, owner: OWNER, keep: 2, inUse: [] })).toEqual([]);
  });

  it("never returns an in-use or foreign ARN and keeps the min(keep, owned) newest owned ones", () => {
    const arbRevisions = fc.uniqueArray(
      fc.record({
        n: fc.integer({ min: 1, max: 60 }),
        uid: fc.constantFrom(OWNER.uid, OTHER, null),
      }),
      { selector: (r) => r.n, maxLength: 25 },
    );
    fc.assert(
      fc.property(
        arbRevisions,
        fc.integer({ min: -2, max: 10 }),
        fc.array(fc.integer({ min: 1, max: 60 }).map(tdArn), { maxLength: 5 }),
        (specs, keep, inUse) => {
          const revisions = specs.map((s) => revision(s.n, s.uid));
          const doomed = revisionsToPrune({ revisions, owner: OWNER, keep, inUse });
          const owned = specs
            .filter((s) => s.uid === OWNER.uid)
            .map((s) => s.n)
            .sort((a, b) => b - a);
          const newest = owned.slice(0, Math.min(Math.max(1, keep), owned.length)).map(tdArn);
          for (const arn of doomed) {
            expect(inUse).not.toContain(arn);
            expect(owned.map(tdArn)).toContain(arn);
            expect(newest).not.toContain(arn);
          }
          // Everything owned that is neither newest nor in use goes.
          const expected = owned
            .map(tdArn)
            .filter((arn) => !newest.includes(arn) && !inUse.includes(arn))
            .reverse();
          expect(doomed).toEqual(expected);
        },
      ),
    );
  });
});

describe("ownedRevisionsToDeregisterOnDelete", () => {
  it("returns every owned ACTIVE revision, oldest first, and nothing else", () => {
    const revisions = [
      revision(3),
      revision(1, OTHER),
      revision(2),
      revision(4, null),
      revision(5, OWNER.uid, { status: "INACTIVE" }),
      revision(6),
    ];
    expect(ownedRevisionsToDeregisterOnDelete(revisions, OWNER)).toEqual([tdArn(2), tdArn(3), tdArn(6)]);
  });

  it("returns nothing when nothing is owned", () => {
    expect(ownedRevisionsToDeregisterOnDelete([revision(1, OTHER)], OWNER)).toEqual([]);
  });

  it("owns a revision only when uid, namespace and name all match (or the item's legacy uid does)", () => {
    const otherKey = revision(1, OWNER.uid, {
      tags: { [TagKey.Uid]: OWNER.uid, [TagKey.Namespace]: "default-web", [TagKey.Name]: "x" },
    });
    const legacy = revision(2, OTHER);
    expect(ownedRevisionsToDeregisterOnDelete([otherKey, legacy, revision(3)], OWNER)).toEqual([tdArn(3)]);
    expect(
      ownedRevisionsToDeregisterOnDelete([otherKey, legacy, revision(3)], { ...OWNER, legacyUid: OTHER }),
    ).toEqual([tdArn(2), tdArn(3)]);
  });
});

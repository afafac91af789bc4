/** The pass machine by pure transitions: no step runs, each step's result is fed in as its done event. */
import { describe, expect, it } from "vitest";
import { initialTransition, type SnapshotFrom, transition } from "xstate";
import {
  cloudMapNamespaceMachine,
  type NamespacePassInput,
} from "../../../../src/reconcilers/cloud-map-namespace/machine.js";
import { readyConditions } from "../../../../src/reconcilers/conditions.js";
import { CONTROLLER_FINALIZER } from "../../../../src/reconcilers/finalizer.js";
import { TagKey } from "../../../../src/render/names.js";
import { done, requeueAfter } from "../../../../src/runtime/result.js";

const UID = "uid-1";
const NAMESPACE = {
  id: "ns-1",
  arn: "arn:aws:servicediscovery:us-east-1:123456789012:namespace/ns-1",
  name: "apps.internal",
  type: "DNS_PRIVATE",
  hostedZoneId: "Z1",
};

type Snapshot = SnapshotFrom<typeof cloudMapNamespaceMachine>;

function input(overrides: Partial<NamespacePassInput> = {}): NamespacePassInput {
  return {
    metadata: {
      uid: UID,
      name: "apps",
      namespace: "default",
      generation: 3,
      finalizers: [CONTROLLER_FINALIZER],
    },
    spec: { dnsName: "apps.internal", vpcId: "vpc-1", adopt: false, deletionPolicy: "Delete" },
    status: {},
    ...overrides,
  };
}

function start(i: NamespacePassInput): Snapshot {
  return initialTransition(cloudMapNamespaceMachine, i)[0];
}

/** Feeds the result of the running step `id`. */
function step(snapshot: Snapshot, id: string, output: unknown): Snapshot {
  return transition(cloudMapNamespaceMachine, snapshot, { type: `xstate.done.actor.${id}`, output })[0];
}

describe("CloudMapNamespace machine", () => {
  it("adds the finalizer first, then creates", () => {
    const s0 = start(input({ metadata: { ...input().metadata, finalizers: [] } }));
    expect(s0.value).toBe("addingFinalizer");
    expect(step(s0, "addFinalizer", undefined).value).toBe("creating");
  });

  it("ends at once, writing nothing, for a deleted record without its finalizer", () => {
    const s = start(input({ metadata: { ...input().metadata, finalizers: [], deletionTimestamp: "t" } }));
    expect(s.status).toBe("done");
    expect(s.output).toEqual({ result: done(), conditions: [], status: {}, skipStatusWrite: true });
  });

  it("keeps an adoption's reason in the steady state, so the pass writes nothing new", () => {
    const conditions = readyConditions(3, "NamespaceAdopted", "x").map((c) => ({
      ...c,
      lastTransitionTime: "t",
    }));
    const s0 = start(input({ status: { namespaceId: "ns-1", conditions } }));
    expect(s0.value).toBe("gettingNamespace");
    const s1 = step(s0, "getNamespace", { found: true, namespace: NAMESPACE });
    expect(s1.output?.conditions[0]).toMatchObject({
      type: "Ready",
      status: "True",
      reason: "NamespaceAdopted",
    });
  });

  it("refuses a renamed spec without any write", () => {
    const s0 = start(input({ status: { namespaceId: "ns-1" } }));
    const s1 = step(s0, "getNamespace", { found: true, namespace: { ...NAMESPACE, name: "old.internal" } });
    expect(s1.output).toMatchObject({
      skipStatusWrite: true,
      permanentFailure: { reason: "ImmutableField" },
    });
  });

  it("takes the existing namespace without reading tags when AWS says we created it", () => {
    const s0 = start(input());
    const s1 = step(s0, "createNamespace", {
      type: "alreadyExists",
      existingId: "ns-1",
      creatorRequestId: UID,
    });
    expect(s1.value).toBe("gettingNamespace");
    const s2 = step(s1, "getNamespace", { found: true, namespace: NAMESPACE });
    expect(s2.output?.result).toEqual(done());
    expect(s2.output?.status).toMatchObject({ namespaceId: "ns-1", operationId: undefined });
  });

  it("checks the owner of what a finished operation made unless its CreatorRequestId is ours", () => {
    const s0 = start(input({ status: { operationId: "op-1" } }));
    expect(s0.value).toBe("gettingOperation");
    const s1 = step(s0, "getOperation", {
      found: true,
      operation: { id: "op-1", status: "SUCCESS", targets: { NAMESPACE: "ns-1" } },
    });
    expect(s1.value).toBe("gettingCreatedNamespace");
    const ours = step(s1, "getNamespace", {
      found: true,
      namespace: { ...NAMESPACE, creatorRequestId: UID },
    });
    expect(ours.output?.conditions[0]).toMatchObject({ status: "True", reason: "NamespaceReady" });
    const theirs = step(s1, "getNamespace", {
      found: true,
      namespace: { ...NAMESPACE, creatorRequestId: "x" },
    });
    expect(theirs.value).toBe("listingExistingTags");
  });

  it("re-tags a namespace an earlier version tagged with the item's legacy uid, and takes it", () => {
    const legacy = "0b7c1f7e-2d7a-4c55-9d43-000000000001";
    const tags = { [TagKey.Uid]: legacy, [TagKey.Namespace]: "default", [TagKey.Name]: "apps" };
    const s0 = start(input({ metadata: { ...input().metadata, legacyUid: legacy } }));
    // Created under the legacy uid: its CreatorRequestId is ours too.
    const s1 = step(s0, "createNamespace", {
      type: "alreadyExists",
      existingId: "ns-1",
      creatorRequestId: "x",
    });
    const s2 = step(s1, "getNamespace", { found: true, namespace: NAMESPACE });
    expect(s2.value).toBe("listingExistingTags");
    const s3 = step(s2, "listTags", tags);
    expect(s3.value).toBe("retagging");
    const s4 = step(s3, "tagNamespace", undefined);
    expect(s4.output?.conditions[0]).toMatchObject({ status: "True", reason: "NamespaceReady" });
    // Without the legacy uid in the item the same tags are another record's.
    const other = step(
      step(
        step(start(input()), "createNamespace", {
          type: "alreadyExists",
          existingId: "ns-1",
          creatorRequestId: "x",
        }),
        "getNamespace",
        { found: true, namespace: NAMESPACE },
      ),
      "listTags",
      tags,
    );
    expect(other.output).toMatchObject({ permanentFailure: { reason: "AlreadyExists" } });
  });

  it("polls again when a creation of the same name is still running", () => {
    const s1 = step(start(input()), "createNamespace", { type: "alreadyExists" });
    expect(s1.output?.result).toEqual(requeueAfter(2_000));
    expect(s1.output?.conditions[0]).toMatchObject({ reason: "NamespaceCreating" });
  });

  it("never adopts a namespace tagged for another record, even with adopt: true", () => {
    const s0 = start(input({ spec: { ...input().spec, adopt: true } }));
    const s1 = step(s0, "createNamespace", {
      type: "alreadyExists",
      existingId: "ns-1",
      creatorRequestId: "uid-2",
    });
    expect(s1.value).toBe("gettingExisting");
    const s2 = step(s1, "getNamespace", { found: true, namespace: NAMESPACE });
    const other = { [TagKey.Uid]: "uid-2", [TagKey.Namespace]: "b", [TagKey.Name]: "c" };
    const s3 = step(s2, "listTags", other);
    expect(s3.output?.permanentFailure?.reason).toBe("AlreadyExists");
    const s3adopt = step(s2, "listTags", {});
    expect(s3adopt.value).toBe("tagging");
  });

  it("while deleting, reads a stored operation as the delete only when the namespace id is known", () => {
    const deleting = { ...input().metadata, deletionTimestamp: "t" };
    const withId = start(input({ metadata: deleting, status: { namespaceId: "ns-1", operationId: "op-d" } }));
    const found = step(withId, "getNamespace", { found: true, namespace: NAMESPACE });
    expect(found.value).toBe("gettingDeleteOperation");

    const creating = start(input({ metadata: deleting, status: { operationId: "op-c" } }));
    expect(creating.value).toBe("gettingCreateOperation");
    const created = step(creating, "getOperation", {
      found: true,
      operation: { id: "op-c", status: "SUCCESS", targets: { NAMESPACE: "ns-1" } },
    });
    expect(created.value).toBe("gettingNamespaceToDelete");
    expect(step(created, "getNamespace", { found: true, namespace: NAMESPACE }).value).toBe(
      "listingTagsToDelete",
    );
  });

  it("releases the record without any AWS call under deletionPolicy Retain", () => {
    const s = start(
      input({
        metadata: { ...input().metadata, deletionTimestamp: "t" },
        spec: { ...input().spec, deletionPolicy: "Retain" },
        status: { namespaceId: "ns-1" },
      }),
    );
    expect(s.value).toBe("releasing");
  });
});

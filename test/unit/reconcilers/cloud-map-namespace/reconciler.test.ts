import { describe, expect, it } from "vitest";
import {
  AwsAccessDeniedError,
  AwsInvalidRequestError,
  AwsThrottledError,
} from "../../../../src/aws/errors.js";
import { CONTROLLER_FINALIZER } from "../../../../src/reconcilers/finalizer.js";
import { ownershipTagMap } from "../../../../src/reconcilers/ownership.js";
import { TagKey } from "../../../../src/render/names.js";
import { PermanentError, TemporaryError } from "../../../../src/runtime/errors.js";
import { done, requeueAfter } from "../../../../src/runtime/result.js";
import { ConflictError } from "../../../../src/store/errors.js";
import { Bench, DNS_NAME, NAME, NS, VPC } from "./support.js";

const awsDetails = (operation: string, code: string) =>
  ({ service: "servicediscovery", operation, code }) as const;

describe("CloudMapNamespace reconciler: creation", () => {
  it("adds the finalizer, creates once, waits for the operation and reports Ready with the ids", async () => {
    const b = new Bench();
    const created = await b.create({ description: "apps VPC" });

    expect(await b.pass()).toEqual(requeueAfter(2_000));
    let record = await b.read();
    expect(record?.metadata.finalizers).toEqual([CONTROLLER_FINALIZER]);
    const operationId = record?.status?.operationId;
    expect(typeof operationId).toBe("string");
    expect(b.cloudMap.runningOperations()).toEqual([operationId]);
    expect(await b.condition("Ready")).toMatchObject({ status: "False", reason: "NamespaceCreating" });
    expect(await b.condition("Reconciling")).toMatchObject({ status: "True", reason: "NamespaceCreating" });

    // Still running: poll, never a second create.
    expect(await b.pass()).toEqual(requeueAfter(2_000));
    b.cloudMap.markPending(String(operationId));
    expect(await b.pass()).toEqual(requeueAfter(2_000));
    expect(b.cloudMap.count("createPrivateDnsNamespace")).toBe(1);

    b.cloudMap.completeOperations();
    expect(await b.pass()).toEqual(done());
    record = await b.read();
    const [ns] = b.cloudMap.allNamespaces();
    expect(ns).toBeDefined();
    expect(record?.status).toMatchObject({
      namespaceId: ns?.id,
      namespaceArn: ns?.arn,
      hostedZoneId: ns?.hostedZoneId,
      observedGeneration: 1,
    });
    expect(record?.status?.operationId).toBeUndefined();
    const ready = await b.condition("Ready");
    expect(ready).toMatchObject({ status: "True", reason: "NamespaceReady", observedGeneration: 1 });
    expect(ready?.message).toContain(DNS_NAME);
    expect(ready?.message).toContain(String(ns?.id));
    expect(await b.condition("Reconciling")).toMatchObject({ status: "False" });
    expect(await b.condition("Stalled")).toMatchObject({ status: "False" });

    const live = b.cloudMap.peekNamespace(String(ns?.id));
    expect(live).toMatchObject({ name: DNS_NAME, vpc: VPC, creatorRequestId: created.metadata.uid });
    expect(live?.tags).toEqual({
      [TagKey.Uid]: created.metadata.uid,
      [TagKey.Namespace]: NS,
      [TagKey.Name]: NAME,
    });
  });

  it("makes exactly one AWS read and no write in the steady state", async () => {
    const b = new Bench();
    await b.createReady();
    const before = await b.read();
    const statusWrites = b.store.calls.updateStatus;
    b.cloudMap.resetCalls();

    expect(await b.pass()).toEqual(done());
    expect(b.cloudMap.calls).toEqual(["getNamespace"]);
    expect(b.store.calls.updateStatus).toBe(statusWrites);
    expect((await b.read())?.metadata.resourceVersion).toBe(before?.metadata.resourceVersion);
  });

  it("resumes a stored operation after a restart without a second create", async () => {
    const b = new Bench();
    await b.create();
    await b.pass();
    b.restart();
    expect(await b.pass()).toEqual(requeueAfter(2_000));
    b.cloudMap.completeOperations();
    b.restart();
    expect(await b.pass()).toEqual(done());
    expect(b.cloudMap.count("createPrivateDnsNamespace")).toBe(1);
    expect(await b.condition("Ready")).toMatchObject({ status: "True", reason: "NamespaceReady" });
  });

  it("finds its own namespace through the CreatorRequestId when the operation id was never stored", async () => {
    const b = new Bench();
    await b.create();
    b.store.failNext("updateStatus", new Error("store unavailable"));
    await expect(b.pass()).rejects.toThrow("store unavailable");
    b.cloudMap.completeOperations();

    expect(await b.pass()).toEqual(done());
    expect(b.cloudMap.allNamespaces()).toHaveLength(1);
    expect(b.cloudMap.count("tagResource")).toBe(0);
    expect(await b.condition("Ready")).toMatchObject({ status: "True", reason: "NamespaceReady" });
  });

  it("goes on from an operation AWS has forgotten", async () => {
    const b = new Bench();
    await b.create();
    await b.pass();
    const operationId = String((await b.read())?.status?.operationId);
    b.cloudMap.completeOperation(operationId);
    b.cloudMap.forgetOperation(operationId);

    expect(await b.pass()).toEqual(done());
    expect(b.cloudMap.allNamespaces()).toHaveLength(1);
    expect((await b.read())?.status?.namespaceId).toBe(b.cloudMap.allNamespaces()[0]?.id);
  });

  it("stalls with AWS's reason when the create operation fails, and forgets the operation", async () => {
    const b = new Bench();
    await b.create();
    await b.pass();
    const operationId = String((await b.read())?.status?.operationId);
    b.cloudMap.failOperation(operationId, "CANNOT_CREATE_HOSTED_ZONE", "the VPC does not exist");

    const error = await b.failingPass();
    expect(error).toBeInstanceOf(PermanentError);
    expect((error as PermanentError).reason).toBe("NamespaceCreateFailed");
    expect((error as PermanentError).message).toContain("CANNOT_CREATE_HOSTED_ZONE: the VPC does not exist");
    const record = await b.read();
    expect(record?.status?.operationId).toBeUndefined();
    expect(await b.condition("Stalled")).toMatchObject({ status: "True", reason: "NamespaceCreateFailed" });
    expect(await b.condition("Ready")).toMatchObject({ status: "False", reason: "NamespaceCreateFailed" });
  });

  it("re-creates a namespace deleted behind its back", async () => {
    const b = new Bench();
    const first = await b.createReady();
    b.cloudMap.dropNamespace(first);

    expect(await b.pass()).toEqual(requeueAfter(2_000));
    expect((await b.read())?.status?.namespaceId).toBeUndefined();
    b.cloudMap.completeOperations();
    expect(await b.pass()).toEqual(done());
    const second = (await b.read())?.status?.namespaceId;
    expect(second).not.toBe(first);
    expect(b.cloudMap.peekNamespace(String(second))).toBeDefined();
  });

  it("refuses a dnsName change (a namespace cannot be renamed) without touching AWS", async () => {
    const b = new Bench();
    await b.createReady();
    await b.setSpec({ dnsName: "other.internal" });
    b.cloudMap.resetCalls();

    const error = await b.failingPass();
    expect(error).toBeInstanceOf(PermanentError);
    expect((error as PermanentError).reason).toBe("ImmutableField");
    expect(b.cloudMap.writes()).toEqual([]);
  });
});

describe("CloudMapNamespace reconciler: an existing namespace", () => {
  it("refuses to take a namespace it did not create unless adopt is set", async () => {
    const b = new Bench();
    const theirs = b.cloudMap.putNamespace({ name: DNS_NAME, vpc: VPC, creatorRequestId: "terraform-1" });
    await b.create();

    const error = await b.failingPass();
    expect(error).toBeInstanceOf(PermanentError);
    expect((error as PermanentError).reason).toBe("AlreadyExists");
    expect((error as PermanentError).message).toBe(
      `a namespace ${DNS_NAME} already exists in VPC ${VPC} (id ${theirs.id}) and was not created by this record; ` +
        "set spec.adopt: true to take it over",
    );
    expect(b.cloudMap.peekNamespace(theirs.id)?.tags).toEqual({});
    expect(b.cloudMap.count("tagResource")).toBe(0);
    expect(b.cloudMap.allNamespaces()).toHaveLength(1);
  });

  it("adopts it with adopt: true, tags it as ours, and stays quiet afterwards", async () => {
    const b = new Bench();
    const theirs = b.cloudMap.putNamespace({ name: DNS_NAME, vpc: VPC, tags: { team: "net" } });
    const record = await b.create({ adopt: true });

    expect(await b.pass()).toEqual(done());
    expect(b.cloudMap.peekNamespace(theirs.id)?.tags).toEqual({
      team: "net",
      [TagKey.Uid]: record.metadata.uid,
      [TagKey.Namespace]: NS,
      [TagKey.Name]: NAME,
    });
    expect((await b.read())?.status).toMatchObject({ namespaceId: theirs.id, namespaceArn: theirs.arn });
    expect(await b.condition("Ready")).toMatchObject({ status: "True", reason: "NamespaceAdopted" });

    const writes = b.store.calls.updateStatus;
    b.cloudMap.resetCalls();
    expect(await b.pass()).toEqual(done());
    expect(b.cloudMap.calls).toEqual(["getNamespace"]);
    expect(b.store.calls.updateStatus).toBe(writes);
  });

  it("never adopts a namespace another record owns, even with adopt: true", async () => {
    const b = new Bench();
    const theirs = b.cloudMap.putNamespace({
      name: DNS_NAME,
      vpc: VPC,
      creatorRequestId: "uid-of-the-other",
      tags: { [TagKey.Uid]: "uid-of-the-other", [TagKey.Namespace]: "team-b", [TagKey.Name]: "shared" },
    });
    await b.create({ adopt: true });

    const error = await b.failingPass();
    expect(error).toBeInstanceOf(PermanentError);
    expect((error as PermanentError).reason).toBe("AlreadyExists");
    expect((error as PermanentError).message).toContain("belongs to CloudMapNamespace team-b/shared");
    expect(b.cloudMap.count("tagResource")).toBe(0);
    expect(b.cloudMap.peekNamespace(theirs.id)?.tags[TagKey.Uid]).toBe("uid-of-the-other");
  });

  it("checks whose namespace an operation made before recording it (a duplicate request of another record)", async () => {
    const b = new Bench();
    const otherTags = {
      [TagKey.Uid]: "uid-of-the-other",
      [TagKey.Namespace]: "team-b",
      [TagKey.Name]: "shared",
    };
    await b.cloudMap.createPrivateDnsNamespace({
      name: DNS_NAME,
      vpc: VPC,
      creatorRequestId: "uid-of-the-other",
      tags: otherTags,
    });
    await b.create({ adopt: true });
    expect(await b.pass()).toEqual(requeueAfter(2_000)); // handed the other creation's operation
    b.cloudMap.completeOperations();

    const error = await b.failingPass();
    expect(error).toBeInstanceOf(PermanentError);
    expect((error as PermanentError).message).toContain("belongs to CloudMapNamespace team-b/shared");
    expect((await b.read())?.status?.namespaceId).toBeUndefined();
    expect(b.cloudMap.count("tagResource")).toBe(0);
  });

  it("takes back silently a namespace tagged with its own uid, namespace and name", async () => {
    const b = new Bench();
    const record = await b.create();
    b.cloudMap.putNamespace({ name: DNS_NAME, vpc: VPC, tags: ownershipTagMap(record.metadata) });

    expect(await b.pass()).toEqual(done());
    expect(b.cloudMap.count("tagResource")).toBe(0);
    expect(await b.condition("Ready")).toMatchObject({ status: "True", reason: "NamespaceReady" });
  });

  it("does not take a namespace whose uid tag is its own but whose name tags are another record's", async () => {
    const b = new Bench();
    const record = await b.create({ adopt: true });
    b.cloudMap.putNamespace({
      name: DNS_NAME,
      vpc: VPC,
      tags: { ...ownershipTagMap(record.metadata), [TagKey.Namespace]: "team-b", [TagKey.Name]: "shared" },
    });

    const error = await b.failingPass();
    expect(error).toBeInstanceOf(PermanentError);
    expect((error as PermanentError).message).toContain("belongs to CloudMapNamespace team-b/shared");
    expect(b.cloudMap.count("tagResource")).toBe(0);
  });
});

describe("CloudMapNamespace reconciler: deletion", () => {
  it("waits while services remain (NamespaceInUse), then deletes the namespace and releases the record", async () => {
    const b = new Bench();
    const id = await b.createReady();
    const names = ["a", "b", "c", "d", "e", "f"];
    const services = names.map((n) => b.cloudMap.putService(id, n));
    await b.delete();

    expect(await b.pass()).toEqual(requeueAfter(10_000));
    const ready = await b.condition("Ready");
    expect(ready).toMatchObject({ status: "False", reason: "NamespaceInUse" });
    expect(ready?.message).toContain("a, b, c, d, e, … (6 in all)");
    expect(ready?.message).not.toContain(", f");
    expect(await b.condition("Reconciling")).toMatchObject({ status: "True", reason: "NamespaceInUse" });
    expect(b.cloudMap.count("deleteNamespace")).toBe(0);
    expect(await b.read()).toBeDefined();

    for (const s of services) await b.cloudMap.deleteService(s.id);
    expect(await b.pass()).toEqual(requeueAfter(2_000));
    expect(await b.condition("Ready")).toMatchObject({ status: "False", reason: "NamespaceDeleting" });
    const operationId = (await b.read())?.status?.operationId;
    expect(b.cloudMap.runningOperations()).toEqual([operationId]);

    b.restart();
    expect(await b.pass()).toEqual(requeueAfter(2_000));
    expect(b.cloudMap.count("deleteNamespace")).toBe(1);

    b.cloudMap.completeOperations();
    expect(await b.pass()).toEqual(done());
    expect(await b.read()).toBeUndefined();
    expect(b.cloudMap.peekNamespace(id)).toBeUndefined();
  });

  it("releases the record at once when the namespace is already gone", async () => {
    const b = new Bench();
    const id = await b.createReady();
    b.cloudMap.dropNamespace(id);
    await b.delete();

    expect(await b.pass()).toEqual(done());
    expect(await b.read()).toBeUndefined();
    expect(b.cloudMap.count("deleteNamespace")).toBe(0);
  });

  it("retries the delete when the operation failed", async () => {
    const b = new Bench();
    const id = await b.createReady();
    await b.delete();
    await b.pass();
    const operationId = String((await b.read())?.status?.operationId);
    b.cloudMap.failOperation(operationId, "RESOURCE_IN_USE", "a service appeared");

    expect(await b.pass()).toEqual(requeueAfter(2_000));
    expect(b.cloudMap.count("deleteNamespace")).toBe(2);
    b.cloudMap.completeOperations();
    expect(await b.pass()).toEqual(done());
    expect(b.cloudMap.peekNamespace(id)).toBeUndefined();
  });

  it("keeps the namespace with deletionPolicy Retain and makes no AWS call", async () => {
    const b = new Bench();
    const id = await b.createReady();
    await b.setSpec({ deletionPolicy: "Retain" });
    await b.pass();
    await b.delete();
    b.cloudMap.resetCalls();

    expect(await b.pass()).toEqual(done());
    expect(await b.read()).toBeUndefined();
    expect(b.cloudMap.calls).toEqual([]);
    expect(b.cloudMap.peekNamespace(id)).toBeDefined();
  });

  it("leaves a namespace that is no longer tagged as ours in place", async () => {
    const b = new Bench();
    const id = await b.createReady();
    const arn = String(b.cloudMap.peekNamespace(id)?.arn);
    await b.cloudMap.tagResource(arn, { [TagKey.Uid]: "someone-else" });
    await b.delete();
    b.cloudMap.resetCalls();

    expect(await b.pass()).toEqual(done());
    expect(await b.read()).toBeUndefined();
    expect(b.cloudMap.writes()).toEqual([]);
    expect(b.cloudMap.peekNamespace(id)).toBeDefined();
  });

  it("waits for a running create to finish, then deletes what it made", async () => {
    const b = new Bench();
    await b.create();
    await b.pass();
    await b.delete();

    expect(await b.pass()).toEqual(requeueAfter(2_000));
    expect(await b.condition("Reconciling")).toMatchObject({ status: "True", reason: "NamespaceCreating" });
    b.cloudMap.completeOperations();
    expect(await b.pass()).toEqual(requeueAfter(2_000));
    expect(b.cloudMap.count("deleteNamespace")).toBe(1);
    b.cloudMap.completeOperations();
    expect(await b.pass()).toEqual(done());
    expect(await b.read()).toBeUndefined();
    expect(b.cloudMap.allNamespaces()).toEqual([]);
  });

  it("does nothing for a deleted record that does not carry its finalizer", async () => {
    const b = new Bench();
    const record = await b.create();
    await b.store.addFinalizer(
      "CloudMapNamespace",
      NS,
      NAME,
      "someone/else",
      record.metadata.resourceVersion,
    );
    await b.delete();

    expect(await b.pass()).toEqual(done());
    expect(b.cloudMap.calls).toEqual([]);
    expect((await b.read())?.metadata.finalizers).toEqual(["someone/else"]);
  });

  it("is done for a record that no longer exists", async () => {
    const b = new Bench();
    expect(await b.pass()).toEqual(done());
    expect(b.cloudMap.calls).toEqual([]);
  });
});

describe("CloudMapNamespace reconciler: failures", () => {
  it("rejects an invalid stored spec with every issue, before any AWS call or finalizer", async () => {
    const b = new Bench();
    await b.create({ dnsName: "Not_A_Name", vpcId: "vpc 1" });

    const error = await b.failingPass();
    expect(error).toBeInstanceOf(PermanentError);
    expect((error as PermanentError).reason).toBe("InvalidSpec");
    expect((error as PermanentError).message).toContain("spec.dnsName");
    expect((error as PermanentError).message).toContain("spec.vpcId");
    expect(b.cloudMap.calls).toEqual([]);
    expect((await b.read())?.metadata.finalizers).toEqual([]);
  });

  it("maps AWS failures: throttling retries, a refused request waits for a spec change", async () => {
    const b = new Bench();
    await b.createReady();
    b.cloudMap.failNext(
      "getNamespace",
      new AwsThrottledError("slow down", awsDetails("GetNamespace", "Throttling")),
    );
    expect(await b.failingPass()).toBeInstanceOf(TemporaryError);

    b.cloudMap.failNext(
      "getNamespace",
      new AwsAccessDeniedError("no", awsDetails("GetNamespace", "AccessDeniedException")),
    );
    const denied = await b.failingPass();
    expect(denied).toBeInstanceOf(TemporaryError);
    expect((denied as TemporaryError).delayMs).toBeGreaterThan(0);

    const c = new Bench();
    await c.create();
    c.cloudMap.failNext(
      "createPrivateDnsNamespace",
      new AwsInvalidRequestError("bad vpc", awsDetails("CreatePrivateDnsNamespace", "InvalidInput")),
    );
    const refused = await c.failingPass();
    expect(refused).toBeInstanceOf(PermanentError);
    expect((refused as PermanentError).reason).toBe("AwsRejected");
  });

  it("lets a store conflict escape so the runtime retries at once", async () => {
    const b = new Bench();
    await b.create();
    await b.pass();
    b.store.failNext("updateStatus", new ConflictError("changed", undefined));
    b.cloudMap.completeOperations();
    expect(await b.failingPass()).toBeInstanceOf(ConflictError);
    expect(await b.pass()).toEqual(done());
  });

  it("stops at once when the pass is aborted", async () => {
    const b = new Bench();
    await b.create();
    const controller = new AbortController();
    controller.abort(new Error("shutting down"));
    await expect(b.pass(controller.signal)).rejects.toThrow("shutting down");
    expect(b.cloudMap.calls).toEqual([]);
  });
});

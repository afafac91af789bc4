/** `fargatectl wait` and `delete --wait` against DynamoDB Local: exit codes and the generation rule. */
import { DynamoDBDocumentClient, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { beforeAll, describe, expect, it } from "vitest";
import {
  type ConditionUpdate,
  readyConditions,
  reconcilingConditions,
  setConditions,
  stalledConditions,
} from "../../src/reconcilers/conditions.js";
import type { DynamoResourceStore } from "../../src/store/dynamo-store.js";
import type { ResourceStore } from "../../src/store/types.js";
import { endpointOf, freshStore } from "../support/store-fixtures.js";
import { cli, serviceYaml, specDir } from "./cli-support.js";

/** Writes status as the controller would: conditions for `observedGeneration`, the spec hash it acted on. */
async function report(
  store: ResourceStore,
  name: string,
  observedGeneration: number,
  conditions: ConditionUpdate[],
): Promise<void> {
  const current = await store.get("FargateService", "default", name);
  const status = {
    observedGeneration,
    observedSpecHash: current.specHash,
    conditions: setConditions([], conditions, new Date()),
  };
  await store.updateStatus("FargateService", "default", name, status, current.metadata.resourceVersion);
}

async function applyService(store: ResourceStore, name: string, cpu = 256): Promise<void> {
  const dir = await specDir({ "svc.yaml": serviceYaml(name, { cpu, memory: cpu * 2 }) });
  const ran = await cli(store, "apply", "-f", dir);
  expect(ran.code).toBe(0);
}

describe("fargatectl wait", () => {
  let store: DynamoResourceStore;
  beforeAll(async () => {
    store = await freshStore(endpointOf("dynamodbLocalEndpoint"));
  });

  it("returns 0 once Ready=True is for the current generation, and never on the previous generation's Ready", async () => {
    await applyService(store, "web");
    await report(store, "web", 1, readyConditions(1, "RolloutCompleted", "1 of 1 tasks running"));
    const met = await cli(store, "wait", "fs/web", "--for", "condition=Ready", "--timeout", "5s");
    expect(met.code).toBe(0);
    expect(met.out).toBe("fargateservice/web condition met (Ready=True, generation 1)\n");

    await applyService(store, "web", 512); // generation 2; status still says Ready for generation 1
    const stale = await cli(store, "wait", "fs/web", "--for=condition=Ready", "--timeout", "1s");
    expect(stale.code).toBe(1);
    expect(stale.err).toContain("timed out after 1s waiting for fargateservice/web in namespace default");
    expect(stale.err).toContain(
      'last seen: Ready=True reason=RolloutCompleted message="1 of 1 tasks running", but that is for generation 1',
    );

    // The condition alone moving to generation 2 is not enough: status.observedGeneration must agree.
    const current = await store.get("FargateService", "default", "web");
    await store.updateStatus(
      "FargateService",
      "default",
      "web",
      {
        observedGeneration: 1,
        conditions: setConditions([], readyConditions(2, "RolloutCompleted", ""), new Date()),
      },
      current.metadata.resourceVersion,
    );
    expect((await cli(store, "wait", "fargateservice", "web", "--timeout", "1s")).code).toBe(1);

    const waiting = cli(store, "wait", "fargateservice", "web", "--timeout", "30s");
    await report(store, "web", 2, reconcilingConditions(2, "RolloutInProgress", "0 of 1 tasks running"));
    await report(store, "web", 2, readyConditions(2, "RolloutCompleted", "1 of 1 tasks running"));
    const fresh = await waiting;
    expect(fresh.code).toBe(0);
    expect(fresh.out).toContain("condition met (Ready=True, generation 2)");
  });

  it("does not return on the previous spec's Ready after a hand edit of the item's spec", async () => {
    await applyService(store, "edited");
    await report(store, "edited", 1, readyConditions(1, "RolloutComplete", "1/1 tasks running"));
    expect((await cli(store, "wait", "fs/edited", "--timeout", "5s")).code).toBe(0);

    // What `aws dynamodb update-item` does: spec changes, generation and resourceVersion do not.
    const documents = DynamoDBDocumentClient.from(store.clients.dynamodb);
    await documents.send(
      new UpdateCommand({
        TableName: store.tableName,
        Key: { pk: "default", sk: "FargateService#edited" },
        UpdateExpression: "SET #spec.#count = :count",
        ExpressionAttributeNames: { "#spec": "spec", "#count": "desiredCount" },
        ExpressionAttributeValues: { ":count": 5 },
      }),
    );
    const stale = await cli(store, "wait", "fs/edited", "--timeout", "1s");
    expect(stale.code).toBe(1);
    expect(stale.err).toContain("but the controller has not acted on the current spec yet");

    const waiting = cli(store, "wait", "fs/edited", "--timeout", "30s");
    await report(store, "edited", 1, readyConditions(1, "RolloutComplete", "5/5 tasks running"));
    const fresh = await waiting;
    expect(fresh.code).toBe(0);
  });

  it("ends at once with exit 1 on Stalled=True for the current generation, saying why", async () => {
    await applyService(store, "broken");
    await report(store, "broken", 1, stalledConditions(1, "RolloutFailed", "circuit breaker rolled back"));
    const ran = await cli(store, "wait", "fs/broken", "--for", "condition=Ready", "--timeout", "10m");
    expect(ran.code).toBe(1);
    expect(ran.err).toContain(
      "fargateservice/broken in namespace default failed: Stalled=True for generation 1",
    );
    expect(ran.err).toContain('reason=RolloutFailed message="circuit breaker rolled back"');
    // Waiting for the failure itself succeeds.
    expect(
      (await cli(store, "wait", "fs/broken", "--for", "condition=Stalled", "--timeout", "5s")).code,
    ).toBe(0);
  });

  it("waits for other condition types and statuses", async () => {
    await applyService(store, "typed");
    await report(store, "typed", 1, reconcilingConditions(1, "RolloutInProgress", "rolling"));
    expect(
      (await cli(store, "wait", "fs/typed", "--for", "condition=Reconciling", "--timeout", "5s")).code,
    ).toBe(0);
    expect(
      (await cli(store, "wait", "fs/typed", "--for", "condition=Ready=False", "--timeout", "5s")).code,
    ).toBe(0);
    expect(
      (await cli(store, "wait", "fs/typed", "--for", "condition=Reconciling=False", "--timeout", "1s")).code,
    ).toBe(1);
  });

  it("returns 1 for a record that does not exist, without waiting out the timeout", async () => {
    const ran = await cli(store, "wait", "fs/nope", "--timeout", "10m");
    expect(ran.code).toBe(1);
    expect(ran.err).toContain("not found: fargateservice/nope in namespace default");
  });

  it("returns 2 for bad arguments: unknown kind, bad --for, bad --timeout, no name", async () => {
    const unknown = await cli(store, "wait", "pods/web");
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain('unknown kind "pods"');
    expect((await cli(store, "wait", "fs/web", "--for", "ready")).code).toBe(2);
    expect((await cli(store, "wait", "fs/web", "--timeout", "soon")).code).toBe(2);
    expect((await cli(store, "wait", "fs")).code).toBe(2);
    expect((await cli(store, "wait", "fs/web", "web")).code).toBe(2);
  });

  it("--for delete returns when the record is gone, and times out (1) while a finalizer holds it", async () => {
    await applyService(store, "doomed");
    const current = await store.get("FargateService", "default", "doomed");
    await store.addFinalizer(
      "FargateService",
      "default",
      "doomed",
      "fargate-operator/cleanup",
      current.metadata.resourceVersion,
    );
    await store.delete("FargateService", "default", "doomed");
    const timedOut = await cli(store, "wait", "fs/doomed", "--for", "delete", "--timeout", "1s");
    expect(timedOut.code).toBe(1);
    expect(timedOut.err).toContain("waiting on finalizers: fargate-operator/cleanup");

    const waiting = cli(store, "wait", "fs/doomed", "--for", "delete", "--timeout", "30s");
    const deleting = await store.get("FargateService", "default", "doomed");
    await store.removeFinalizer(
      "FargateService",
      "default",
      "doomed",
      "fargate-operator/cleanup",
      deleting.metadata.resourceVersion,
    );
    const gone = await waiting;
    expect(gone.code).toBe(0);
    expect(gone.out).toBe("fargateservice/doomed deleted\n");
    // Already gone: met at once.
    expect((await cli(store, "wait", "fs/doomed", "--for", "delete", "--timeout", "1s")).code).toBe(0);
  });

  it("delete --wait shares the loop and says what it last saw when it times out", async () => {
    await applyService(store, "held");
    const current = await store.get("FargateService", "default", "held");
    await store.addFinalizer("FargateService", "default", "held", "x/y", current.metadata.resourceVersion);
    const ran = await cli(store, "delete", "fs", "held", "--wait", "--timeout", "1s");
    expect(ran.code).toBe(1);
    expect(ran.err).toMatch(
      /timed out after 1s waiting for fargateservice\/held to be deleted; last seen: being deleted since .*x\/y/,
    );
  });
});

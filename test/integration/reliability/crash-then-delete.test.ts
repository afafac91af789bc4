/**
 * A crash between an AWS create and the status write that records it, followed by the record's deletion before
 * any pass ran again: cleanup must still find and delete what the dead pass made (the crash suite left Cloud Map
 * services of deleted records behind this way). One case per AWS write of a clean create.
 */
import { ListServicesCommand, ListTaskDefinitionsCommand } from "@aws-sdk/client-ecs";
import { ListServicesCommand as ListCloudMapServicesCommand } from "@aws-sdk/client-servicediscovery";
import { afterEach, describe, expect, it } from "vitest";
import { clientsFor } from "../aws-sim/support.js";
import { type CrashPlan, crashingGateways } from "../controller/crashing-gateways.js";
import { isReady, type ReconcileBench, startReconcileBench } from "../controller/reconcile-harness.js";
import { namespaceDocument, REL_CLOUD_MAP, REL_NAMESPACE, serviceDocument } from "./support/stack.js";

/** The writes of a clean create; a crash follows the n-th of them. */
const CREATE_WRITES: ReadonlySet<string> = new Set(["registerTaskDefinition", "createService"]);

let bench: ReconcileBench | undefined;
afterEach(async () => {
  await bench?.close();
  bench = undefined;
});

async function inventory(b: ReconcileBench) {
  const { ecs, cloudMap } = clientsFor(b.sim.endpoint);
  try {
    return {
      revisions:
        (await ecs.send(new ListTaskDefinitionsCommand({ status: "ACTIVE" }))).taskDefinitionArns ?? [],
      ecsServices: (await ecs.send(new ListServicesCommand({ cluster: "rel" }))).serviceArns ?? [],
      cloudMapServices: ((await cloudMap.send(new ListCloudMapServicesCommand({}))).Services ?? []).map(
        (s) => s.Name,
      ),
    };
  } finally {
    ecs.destroy();
    cloudMap.destroy();
  }
}

describe("crash before the status names a new AWS resource, then delete", () => {
  // A clean create registers the task definition, creates the Cloud Map service, then the ECS service.
  for (const crashAfter of [1, 2, 3]) {
    it(`leaves nothing behind after a crash following create call #${crashAfter}`, async () => {
      const plan: CrashPlan = { crashes: [] };
      const b = await startReconcileBench({ wrap: (aws) => crashingGateways(aws, plan, CREATE_WRITES) });
      bench = b;
      await b.store.apply(namespaceDocument());
      await b.converge("CloudMapNamespace", REL_NAMESPACE, REL_CLOUD_MAP, isReady);
      await b.store.apply(
        serviceDocument("doomed", { image: "public.ecr.aws/nginx/nginx:1.27", desiredCount: 1 }),
      );
      plan.remaining = crashAfter;
      await expect(b.pass("FargateService", REL_NAMESPACE, "doomed")).rejects.toThrow(/simulated crash/);
      expect(plan.crashes).toHaveLength(1);
      await b.store.delete("FargateService", REL_NAMESPACE, "doomed");
      await b.converge("FargateService", REL_NAMESPACE, "doomed", (r) => r === undefined);
      expect(await inventory(b)).toEqual({ revisions: [], ecsServices: [], cloudMapServices: [] });
    });
  }
});

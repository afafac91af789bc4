/**
 * Records that leave the table without a deletion (DESIGN 11): a raw DeleteItem of a Ready FargateService — as
 * Terraform's destroy sends it — is cleaned up as if deleted, from the stream's old image at once, or by the orphan
 * sweep when no controller saw it go; `deletionPolicy: Retain` leaves everything and says so; `--orphan-sweep=report`
 * only reports. `fargatectl controller` runs in process on DynamoDB Local and the AWS and Consul simulators.
 */
import { DescribeServicesCommand } from "@aws-sdk/client-ecs";
import { ListServicesCommand, ListTagsForResourceCommand } from "@aws-sdk/client-servicediscovery";
import { afterEach, describe, expect, it, onTestFailed } from "vitest";
import { TagKey } from "../../../src/render/names.js";
import { clientsFor } from "../aws-sim/support.js";
import {
  catalogSyncDoc,
  isReady,
  type Leftovers,
  namespaceDoc,
  serviceDoc,
  startVanishBench,
  type VanishBench,
} from "./vanish-bench.js";

let bench: VanishBench | undefined;
const SLOW = { timeout: 240_000 };

/** On a failure, the controller's warnings and errors and the cleanup's lines say what happened. */
function explainFailures(b: VanishBench): void {
  onTestFailed(() => {
    const interesting = b.logs.filter(
      (l) => Number(l.level) >= 40 || /left the table|orphan|cleanup|vanished/.test(l.msg),
    );
    console.log(
      interesting
        .slice(-40)
        .map((l) => JSON.stringify(l))
        .join("\n"),
    );
  });
}

afterEach(async () => {
  await bench?.close();
  bench = undefined;
});

const NOTHING: Leftovers = { ecsServices: [], revisions: [], cloudMapServices: [], consulServices: [] };

/** Namespace, CatalogSync (with Consul) and the service `web`, all Ready, its Consul entry registered. */
async function readyWorld(
  b: VanishBench,
  options: { consul: boolean; deletionPolicy?: "Delete" | "Retain" },
) {
  await b.apply(namespaceDoc());
  if (options.consul) await b.apply(catalogSyncDoc());
  await b.apply(serviceDoc("web", options));
  let last: unknown;
  await b
    .eventually(
      async () => {
        const web = await b.read("FargateService", "web");
        last = web?.status?.conditions;
        return isReady(web);
      },
      "web Ready",
      90_000,
    )
    .catch((error: unknown) => {
      // Say where it stopped: the conditions it was left with.
      throw new Error(`${String(error)}; web's conditions: ${JSON.stringify(last)}`, { cause: error });
    });
  const before = await b.leftovers();
  expect(before.ecsServices).toEqual(["team-web"]);
  expect(before.revisions).toHaveLength(1);
  expect(before.cloudMapServices).toEqual(["web"]);
  if (options.consul) expect(before.consulServices).toEqual(["web"]);
  return before;
}

function messages(b: VanishBench, text: string) {
  return b.logs.filter((l) => l.msg.includes(text));
}

describe("a FargateService removed with a raw DeleteItem", () => {
  it(
    "is cleaned up at once from the stream's old image: ECS, revisions, Cloud Map and Consul",
    SLOW,
    async () => {
      const b = await startVanishBench({ consul: true });
      bench = b;
      explainFailures(b);
      const manager = await b.startController(); // the sweep is off: the tombstone alone must do it
      await readyWorld(b, { consul: true });

      await b.rawDelete("FargateService", "web");
      const left = await b.eventually(async () => {
        const now = await b.leftovers();
        return now.ecsServices.length + now.revisions.length + now.cloudMapServices.length === 0 &&
          now.consulServices.length === 0
          ? now
          : undefined;
      }, "no leftovers of web");
      expect(left).toEqual(NOTHING);
      expect(messages(b, "record left the table before its cleanup finished")).toEqual([
        expect.objectContaining({ kind: "FargateService", resource: "FargateService/team/web" }),
      ]);
      await b.eventually(
        async () => messages(b, "cleanup of a record that left the table is complete").length === 1,
        "the cleanup's last log line",
      );
      const metrics = await manager.metrics.registry.metrics();
      expect(metrics).toContain('vanished_records_total{kind="FargateService",event="vanished"} 1');
      expect(metrics).toContain('vanished_records_total{kind="FargateService",event="cleaned_up"} 1');
      // The namespace and the CatalogSync were not touched, and nothing else left the table.
      expect(await b.read("CloudMapNamespace", "internal")).toBeDefined();
      expect(await b.read("CatalogSync", "internal")).toBeDefined();
    },
  );

  it("is found by the orphan sweep when the controller was stopped during the DeleteItem", SLOW, async () => {
    const b = await startVanishBench({ consul: true });
    bench = b;
    explainFailures(b);
    await b.startController();
    await readyWorld(b, { consul: true });
    expect(await b.stopController()).toBe(0);

    await b.rawDelete("FargateService", "web");
    const manager = await b.startController({ "orphan-sweep-interval": "1s" });
    const left = await b.eventually(async () => {
      const now = await b.leftovers();
      return JSON.stringify(now) === JSON.stringify(NOTHING) ? now : undefined;
    }, "no leftovers of web");
    expect(left).toEqual(NOTHING);
    const deleted = messages(b, "orphaned AWS resource of a vanished record deleted");
    expect(deleted.map((l) => l.resourceType).sort()).toEqual([
      "cloud_map_service",
      "ecs_service",
      "task_definition",
    ]);
    expect(deleted.every((l) => l.resource === "FargateService/team/web")).toBe(true);
    const metrics = await manager.metrics.registry.metrics();
    expect(metrics).toContain('orphan_sweep_resources_total{resource="ecs_service",action="deleted"} 1');
  });
});

describe("a CatalogSync removed with a raw DeleteItem", () => {
  it("stops its engine and removes what it mirrored into Consul", SLOW, async () => {
    const b = await startVanishBench({ consul: true });
    bench = b;
    explainFailures(b);
    await b.startController();
    await readyWorld(b, { consul: true });

    await b.rawDelete("CatalogSync", "internal");
    await b.eventually(async () => (await b.leftovers()).consulServices.length === 0, "Consul emptied");
    await b.eventually(
      async () =>
        messages(b, "cleanup of a record that left the table is complete").some(
          (l) => l.kind === "CatalogSync",
        ),
      "the CatalogSync's cleanup",
    );
    // The FargateService and its AWS resources are not the CatalogSync's: they stay.
    const left = await b.leftovers();
    expect(left.ecsServices).toEqual(["team-web"]);
    expect(left.cloudMapServices).toEqual(["web"]);
  });
});

describe("a delete in the window after a put-item wiped the finalizer", () => {
  it("removes the item at once, and the cleanup still runs from the last seen spec", SLOW, async () => {
    const b = await startVanishBench();
    bench = b;
    explainFailures(b);
    await b.startController();
    await readyWorld(b, { consul: false });
    await b.rawPutWithoutFinalizers("FargateService", "web");
    await b.store.delete("FargateService", "team", "web");
    await b.eventually(async () => (await b.read("FargateService", "web")) === undefined, "the record gone");
    const left = await b.eventually(async () => {
      const now = await b.leftovers();
      return JSON.stringify(now) === JSON.stringify(NOTHING) ? now : undefined;
    }, "no leftovers of web");
    expect(left).toEqual(NOTHING);
  });
});

describe("deletionPolicy and report mode", () => {
  it(
    "Retain leaves everything in place and reports it, from the tombstone and from the sweep",
    SLOW,
    async () => {
      const b = await startVanishBench();
      bench = b;
      explainFailures(b);
      await b.startController();
      await readyWorld(b, { consul: false });
      // The policy tag follows the spec: Delete at creation, Retain once the spec says so.
      const { ecs, cloudMap } = await awsTags(b);
      expect(ecs[TagKey.DeletionPolicy]).toBe("Delete");
      expect(cloudMap[TagKey.DeletionPolicy]).toBe("Delete");
      await b.apply(serviceDoc("web", { deletionPolicy: "Retain" }));
      await b.eventually(async () => {
        const tags = await awsTags(b);
        return (
          tags.ecs[TagKey.DeletionPolicy] === "Retain" && tags.cloudMap[TagKey.DeletionPolicy] === "Retain"
        );
      }, "the Retain tags");
      const before = await b.leftovers();

      await b.rawDelete("FargateService", "web");
      await b.eventually(
        async () => messages(b, "deletionPolicy Retain: its AWS resources are left in place").length === 1,
        "the Retain log line",
      );
      expect(await b.leftovers()).toEqual(before);

      // After a restart nothing of the spec is left: the sweep reads the policy from the tags, and reports once.
      await b.stopController();
      await b.startController({ "orphan-sweep-interval": "500ms" });
      await b.eventually(async () => messages(b, "orphan sweep done").length >= 3, "three sweeps");
      const retained = messages(b, "deletionPolicy Retain: left in place");
      expect(retained.map((l) => l.resourceType).sort()).toEqual([
        "cloud_map_service",
        "ecs_service",
        "task_definition",
      ]);
      expect(await b.leftovers()).toEqual(before);
    },
  );

  it("--orphan-sweep=report deletes nothing and logs what it would delete", SLOW, async () => {
    const b = await startVanishBench();
    bench = b;
    explainFailures(b);
    await b.startController();
    const before = await readyWorld(b, { consul: false });
    await b.stopController();
    await b.rawDelete("FargateService", "web");

    await b.startController({ "orphan-sweep-interval": "500ms", "orphan-sweep": "report" });
    await b.eventually(async () => messages(b, "orphan sweep done").length >= 3, "three sweeps");
    const wouldDelete = messages(b, "would delete it (--orphan-sweep=report)");
    expect(wouldDelete.map((l) => l.resourceType).sort()).toEqual([
      "cloud_map_service",
      "ecs_service",
      "task_definition",
    ]);
    expect(await b.leftovers()).toEqual(before);
  });
});

/** The tags of `team-web`'s ECS service and of its Cloud Map service. */
async function awsTags(b: VanishBench) {
  const clients = clientsFor(b.sim.endpoint);
  try {
    const described = await clients.ecs.send(
      new DescribeServicesCommand({ cluster: "vanish", services: ["team-web"], include: ["TAGS"] }),
    );
    const ecs = Object.fromEntries(
      (described.services?.[0]?.tags ?? []).map((t) => [t.key ?? "", t.value ?? ""]),
    );
    const listed = (await clients.cloudMap.send(new ListServicesCommand({}))).Services ?? [];
    const arn = listed.find((s) => s.Name === "web")?.Arn;
    const tagged = await clients.cloudMap.send(new ListTagsForResourceCommand({ ResourceARN: arn }));
    const cloudMap = Object.fromEntries((tagged.Tags ?? []).map((t) => [t.Key ?? "", t.Value ?? ""]));
    return { ecs, cloudMap };
  } finally {
    clients.ecs.destroy();
    clients.cloudMap.destroy();
  }
}

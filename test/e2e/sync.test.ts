/** `fargatectl sync` against DynamoDB Local: validation first, labels, changed-only writes, prune safety, ownership. */
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { SOURCE_LABEL } from "../../src/cli/sync-plan.js";
import type { ResourceStore, StoredResource } from "../../src/store/types.js";
import { endpointOf, freshStore } from "../support/store-fixtures.js";
import { cli, serviceYaml, specDir, writeFiles } from "./cli-support.js";

const NAMESPACE = `apiVersion: fargate-operator/v1alpha1
kind: CloudMapNamespace
metadata:
  name: apps-internal
  namespace: platform
spec:
  dnsName: apps.internal
  vpcId: vpc-0a1b2c3d4e5f60718
`;

/** Every record in the table, as `kind/namespace/name source-label resourceVersion`. */
async function tableState(store: ResourceStore): Promise<string[]> {
  const all: StoredResource[] = [
    ...(await store.list("FargateService")),
    ...(await store.list("CloudMapNamespace")),
    ...(await store.list("CatalogSync")),
  ];
  return all.map(
    (r) =>
      `${r.kind}/${r.metadata.namespace}/${r.metadata.name} ${r.metadata.labels[SOURCE_LABEL] ?? "-"} ${r.metadata.resourceVersion}${r.metadata.deletionTimestamp ? " deleting" : ""}`,
  );
}

describe("fargatectl sync", () => {
  let store: ResourceStore;
  beforeEach(async () => {
    store = await freshStore(endpointOf("dynamodbLocalEndpoint"));
  });

  it("creates and labels everything, then writes nothing when nothing changed, then only what changed", async () => {
    const dir = await specDir({
      "services/web.yaml": serviceYaml("web"),
      "services/api.yml": serviceYaml("api"),
      "namespaces.yaml": NAMESPACE,
      "README.md": "not a spec",
    });
    const first = await cli(store, "sync", dir, "--source", "repo-a");
    expect(first.err).toBe("");
    expect(first.code).toBe(0);
    expect(first.out).toBe(
      [
        "create    cloudmapnamespace/apps-internal (namespace platform)",
        "create    fargateservice/api",
        "create    fargateservice/web",
        "3 created, 0 updated, 0 deleted, 0 unchanged (source repo-a)",
        "",
      ].join("\n"),
    );
    const web = await store.get("FargateService", "default", "web");
    expect(web.metadata.labels).toEqual({ [SOURCE_LABEL]: "repo-a" });
    expect(web.spec.desiredCount).toBe(1); // defaults applied

    const before = await tableState(store);
    const again = await cli(store, "sync", dir, "--source", "repo-a");
    expect(again.code).toBe(0);
    expect(again.out).toContain("0 created, 0 updated, 0 deleted, 3 unchanged");
    expect(await tableState(store)).toEqual(before); // no resourceVersion moved

    await writeFiles(dir, { "services/web.yaml": serviceYaml("web", { cpu: 512, memory: 1024 }) });
    const changed = await cli(store, "sync", dir, "--source", "repo-a");
    expect(changed.code).toBe(0);
    expect(changed.out).toContain("update    fargateservice/web\n");
    expect(changed.out).toContain("0 created, 1 updated, 0 deleted, 2 unchanged");
    const after = await store.get("FargateService", "default", "web");
    expect(after.metadata.generation).toBe(2);
    expect((await store.get("FargateService", "default", "api")).metadata.resourceVersion).toBe(
      before.find((l) => l.startsWith("FargateService/default/api"))?.split(" ")[2],
    );
  });

  it("applies nothing when any file is invalid, and prints every error (exit 2)", async () => {
    const dir = await specDir({
      "good.yaml": serviceYaml("good"),
      "bad/cpu.yaml": serviceYaml("bad-cpu", { cpu: 300 }),
      "bad/syntax.yaml": "apiVersion: [unclosed\n",
    });
    const ran = await cli(store, "sync", dir, "--source", "repo-a", "--prune");
    expect(ran.code).toBe(2);
    expect(ran.out).toBe("");
    expect(ran.err).toMatch(/bad\/cpu\.yaml:\d+:\d+: spec\.cpu: /);
    expect(ran.err).toMatch(/bad\/syntax\.yaml:\d+:\d+: /);
    expect(ran.err).toContain("nothing applied: 2 error(s)");
    expect(await tableState(store)).toEqual([]);
  });

  it("refuses a directory that defines a record twice, or labels a document with another source (exit 2)", async () => {
    const twice = await specDir({ "a.yaml": serviceYaml("web"), "b.yaml": serviceYaml("web") });
    const dup = await cli(store, "sync", twice, "--source", "repo-a");
    expect(dup.code).toBe(2);
    expect(dup.err).toMatch(/b\.yaml: fargateservice\/web is also defined in .*a\.yaml/);

    const claimed = await specDir({
      "web.yaml": serviceYaml("web").replace(
        "  name: web\n",
        `  name: web\n  labels:\n    ${SOURCE_LABEL}: repo-b\n`,
      ),
    });
    const ran = await cli(store, "sync", claimed, "--source", "repo-a");
    expect(ran.code).toBe(2);
    expect(ran.err).toContain('is "repo-b" but --source is "repo-a"');
    expect(await tableState(store)).toEqual([]);
  });

  it("--prune deletes only this source's records that left the directory", async () => {
    const mine = await specDir({ "web.yaml": serviceYaml("web"), "old.yaml": serviceYaml("old") });
    const theirs = await specDir({ "other.yaml": serviceYaml("other") });
    const byHand = await specDir({ "manual.yaml": serviceYaml("manual") });
    expect((await cli(store, "sync", mine, "--source", "repo-a")).code).toBe(0);
    expect((await cli(store, "sync", theirs, "--source", "repo-b")).code).toBe(0);
    expect((await cli(store, "apply", "-f", byHand)).code).toBe(0);

    await rm(join(mine, "old.yaml"));
    const noPrune = await cli(store, "sync", mine, "--source", "repo-a");
    expect(noPrune.out).not.toContain("delete    ");
    expect((await store.get("FargateService", "default", "old")).metadata.name).toBe("old");

    const pruned = await cli(store, "sync", mine, "--source", "repo-a", "--prune");
    expect(pruned.code).toBe(0);
    expect(pruned.out).toContain("delete    fargateservice/old\n");
    expect(pruned.out).toContain("0 created, 0 updated, 1 deleted, 1 unchanged");
    const names = (await store.list("FargateService")).map((r) => r.metadata.name);
    expect(names).toEqual(["manual", "other", "web"]);
  });

  it("refuses an empty directory with --prune unless --allow-empty", async () => {
    const dir = await specDir({ "web.yaml": serviceYaml("web") });
    await cli(store, "sync", dir, "--source", "repo-a");
    await rm(join(dir, "web.yaml"));
    const refused = await cli(store, "sync", dir, "--source", "repo-a", "--prune");
    expect(refused.code).toBe(2);
    expect(refused.err).toContain("--allow-empty");
    expect((await tableState(store)).length).toBe(1);
    const allowed = await cli(store, "sync", dir, "--source", "repo-a", "--prune", "--allow-empty");
    expect(allowed.code).toBe(0);
    expect(await tableState(store)).toEqual([]);
  });

  it("--dry-run prints the plan, exits 1 when there are changes, 0 when none, and writes nothing", async () => {
    const dir = await specDir({ "web.yaml": serviceYaml("web"), "old.yaml": serviceYaml("old") });
    await cli(store, "sync", dir, "--source", "repo-a");
    const clean = await cli(store, "sync", dir, "--source", "repo-a", "--prune", "--dry-run");
    expect(clean.code).toBe(0);
    expect(clean.out).toContain("0 to create, 0 to update, 0 to delete, 2 unchanged (source repo-a, dry run");

    await rm(join(dir, "old.yaml"));
    await writeFiles(dir, {
      "web.yaml": serviceYaml("web", { cpu: 512, memory: 1024 }),
      "new.yaml": serviceYaml("new"),
    });
    const before = await tableState(store);
    const dry = await cli(store, "sync", dir, "--source", "repo-a", "--prune", "--dry-run");
    expect(dry.code).toBe(1);
    expect(dry.out).toBe(
      [
        "create    fargateservice/new",
        "update    fargateservice/web",
        "delete    fargateservice/old",
        "1 to create, 1 to update, 1 to delete, 0 unchanged (source repo-a, dry run: nothing written)",
        "",
      ].join("\n"),
    );
    expect(await tableState(store)).toEqual(before);
  });

  it("refuses records of another source or written by hand (exit 2, nothing applied) unless --force-adopt", async () => {
    const theirs = await specDir({ "shared.yaml": serviceYaml("shared") });
    const byHand = await specDir({ "manual.yaml": serviceYaml("manual") });
    await cli(store, "sync", theirs, "--source", "repo-b");
    await cli(store, "apply", "-f", byHand);

    const mine = await specDir({
      "shared.yaml": serviceYaml("shared"),
      "manual.yaml": serviceYaml("manual"),
      "fresh.yaml": serviceYaml("fresh"),
    });
    const before = await tableState(store);
    const refused = await cli(store, "sync", mine, "--source", "repo-a", "--prune");
    expect(refused.code).toBe(2);
    expect(refused.err).toContain('fargateservice/shared exists and belongs to source "repo-b"');
    expect(refused.err).toContain("fargateservice/manual exists and has no source label");
    expect(refused.err).toContain("nothing applied: 2 record(s) refused");
    expect(await tableState(store)).toEqual(before); // fresh was not created either
    expect((await cli(store, "sync", mine, "--source", "repo-a", "--dry-run")).code).toBe(2);

    const adopted = await cli(store, "sync", mine, "--source", "repo-a", "--force-adopt");
    expect(adopted.code).toBe(0);
    expect(adopted.out).toContain("adopt     fargateservice/shared (was source repo-b)");
    expect(adopted.out).toContain("adopt     fargateservice/manual (was unlabelled)");
    expect(adopted.out).toContain("1 created, 0 updated, 2 adopted, 0 deleted, 0 unchanged");
    const shared = await store.get("FargateService", "default", "shared");
    expect(shared.metadata.labels[SOURCE_LABEL]).toBe("repo-a");
    // repo-b's next prune leaves the adopted record alone: it is no longer labelled repo-b.
    await rm(join(theirs, "shared.yaml"));
    const theirPrune = await cli(store, "sync", theirs, "--source", "repo-b", "--prune", "--allow-empty");
    expect(theirPrune.out).not.toContain("delete    ");
    expect((await store.get("FargateService", "default", "shared")).metadata.name).toBe("shared");
  });

  it("with -n, syncs and prunes one namespace only", async () => {
    const platform = await specDir({ "ns.yaml": NAMESPACE });
    const apps = await specDir({ "web.yaml": serviceYaml("web") });
    await cli(store, "sync", platform, "--source", "repo-a");
    expect((await cli(store, "sync", apps, "--source", "repo-a", "-n", "team-a", "--prune")).code).toBe(0);
    expect(await tableState(store)).toEqual([
      expect.stringMatching(/^FargateService\/team-a\/web repo-a /),
      expect.stringMatching(/^CloudMapNamespace\/platform\/apps-internal repo-a /),
    ]);
  });

  it("returns 2 for a bad --source and a missing directory", async () => {
    expect((await cli(store, "sync", "examples", "--source", "org/repo")).code).toBe(2);
    expect((await cli(store, "sync", "examples")).code).toBe(2);
    expect((await cli(store, "sync", "/nonexistent/dir", "--source", "repo-a")).code).toBe(2);
  });
});

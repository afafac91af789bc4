/**
 * CatalogSync with `spec.consul.tls` (DESIGN 11 "Consul over TLS") through the reconciler and the real engine, the
 * Consul simulator answering only HTTPS with certificates openssl made for the test: a private CA and a server
 * name other than the address → Ready, `vault` in Cloud Map; the wrong CA → Ready=False naming the problem and
 * nothing removed; a Consul that requires client certificates → Ready with `clientCertFrom`.
 */

import { readFile } from "node:fs/promises";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { startDevTlsConsul } from "../../../src/dev/consul-tls-front.js";
import { makeTestCertificates, type TestCertificates } from "../../../src/dev/tls-certs.js";
import type { ResourceDocument } from "../../../src/store/types.js";
import {
  type CatalogSyncBench,
  catalogSyncDoc,
  conditionOf,
  namespaceDoc,
  startCatalogSyncBench,
} from "./catalog-sync-bench.js";

const PREFIX = "arn:aws:secretsmanager:us-east-1:123456789012:secret:consul/";
const CERT_ARN = `${PREFIX}catalog-sync-client-AbCdEf`;

let certs: TestCertificates;
let bench: CatalogSyncBench | undefined;
beforeAll(async () => {
  certs = await makeTestCertificates();
});
afterAll(async () => {
  await certs.remove();
});
afterEach(async () => {
  await bench?.close();
  bench = undefined;
});

const KEY = ["CatalogSync", "platform", "apps-internal"] as const;

async function start(requireClientCert = false): Promise<{ b: CatalogSyncBench; namespaceId: string }> {
  const b = await startCatalogSyncBench({
    consulTls: { ...certs.server, ca: certs.ca.cert, requireClientCert },
    secrets: new Map([[CERT_ARN, `${certs.client.key}${certs.client.cert}`]]),
    tokenSecretPrefixes: [PREFIX],
  });
  bench = b;
  b.consulSim.control.registerService({ name: "vault", port: 8200, address: "10.0.10.5", node: "vault-1" });
  await b.apply(namespaceDoc("apps-internal", "platform", "apps.internal"));
  await b.converge(
    [["CloudMapNamespace", "platform", "apps-internal"]],
    async () =>
      conditionOf(await b.read("CloudMapNamespace", "platform", "apps-internal"), "Ready")?.status === "True",
  );
  const ns = await b.read("CloudMapNamespace", "platform", "apps-internal");
  return { b, namespaceId: String(ns?.status?.namespaceId) };
}

function syncDoc(b: CatalogSyncBench, tls: Record<string, unknown>) {
  return catalogSyncDoc("apps-internal", "platform", "apps-internal", {
    consul: { address: b.consulSim.url, tls },
    toCloudMap: { include: ["vault"] },
    toConsul: { enabled: false },
    deleteGraceSeconds: 5,
  });
}

async function vaultInstances(b: CatalogSyncBench, namespaceId: string): Promise<number> {
  const vault = (await b.aws.cloudMap.listServices(namespaceId)).find((s) => s.name === "vault");
  return vault === undefined ? 0 : (await b.aws.cloudMap.listInstances(vault.id)).length;
}

async function readySyncing(b: CatalogSyncBench): Promise<void> {
  await b.converge([KEY], async () => {
    const record = await b.read(...KEY);
    const sync = record?.status?.sync as { toCloudMap?: Array<{ cloudMapName: string }> } | undefined;
    return (
      conditionOf(record, "Ready")?.status === "True" &&
      sync?.toCloudMap?.some((m) => m.cloudMapName === "vault") === true
    );
  });
}

describe("CatalogSync over TLS", () => {
  it("syncs vault over https with a private CA and serverName; the wrong CA is Ready=False and removes nothing", async () => {
    const { b, namespaceId } = await start();
    const good = { caPem: certs.ca.cert, serverName: certs.serverName };
    await b.apply(syncDoc(b, good));
    await readySyncing(b);
    expect(await vaultInstances(b, namespaceId)).toBe(1);

    await b.apply(syncDoc(b, { ...good, caPem: certs.otherCa.cert }));
    await b.converge([KEY], async () => {
      const ready = conditionOf(await b.read(...KEY), "Ready");
      return ready?.status === "False" && /certificate/.test(ready.message);
    });
    const ready = conditionOf(await b.read(...KEY), "Ready");
    expect(ready?.message).toMatch(/TLS certificate problem .*unknown CA/);
    // Well past the delete grace: the engine treats it like an outage.
    await b.converge([KEY], async () => false, 8_000).catch(() => undefined);
    expect(await vaultInstances(b, namespaceId)).toBe(1);
    expect(conditionOf(await b.read(...KEY), "Ready")?.status).toBe("False");

    await b.apply(syncDoc(b, good));
    await readySyncing(b);
  });

  it("presents the client certificate from clientCertFrom to a Consul that requires one", async () => {
    const { b, namespaceId } = await start(true);
    const base = { caPem: certs.ca.cert, serverName: certs.serverName };
    await b.apply(syncDoc(b, base));
    await b.converge([KEY], async () => {
      const ready = conditionOf(await b.read(...KEY), "Ready");
      return ready?.status === "False" && /client certificate/.test(ready.message);
    });
    await b.apply(syncDoc(b, { ...base, clientCertFrom: { secretArn: CERT_ARN } }));
    await readySyncing(b);
    expect(await vaultInstances(b, namespaceId)).toBe(1);
    const record = await b.read(...KEY);
    expect(JSON.stringify(record?.status)).not.toContain("PRIVATE KEY");
  });

  it("says loudly in the Ready message that insecureSkipVerify is on", async () => {
    const { b } = await start();
    await b.apply(syncDoc(b, { insecureSkipVerify: true }));
    await readySyncing(b);
    expect(conditionOf(await b.read(...KEY), "Ready")?.message).toMatch(/WARNING: .*insecureSkipVerify/);
  });

  it("the dev stack's https Consul: its right-CA example becomes Ready with vault, its wrong-CA one Ready=False", async () => {
    const tls = await startDevTlsConsul(() => undefined);
    if (tls === undefined) throw new Error("openssl is needed for the dev stack's https Consul");
    try {
      const b = await startCatalogSyncBench();
      bench = b;
      const docs = async (path: string) =>
        parseAllDocuments(await readFile(path, "utf8")).map((d) => d.toJS() as ResourceDocument);
      for (const doc of [...(await docs(tls.examples.ready)), ...(await docs(tls.examples.wrongCa))])
        await b.apply(doc);
      const keys = [
        ["CloudMapNamespace", "platform", "tls-internal"],
        ["CloudMapNamespace", "platform", "wrong-ca-internal"],
        ["CatalogSync", "platform", "tls-internal"],
        ["CatalogSync", "platform", "wrong-ca-internal"],
      ] as const;
      await b.converge([...keys], async () => {
        const good = await b.read("CatalogSync", "platform", "tls-internal");
        const bad = conditionOf(await b.read("CatalogSync", "platform", "wrong-ca-internal"), "Ready");
        const sync = good?.status?.sync as { toCloudMap?: Array<{ cloudMapName: string }> } | undefined;
        return (
          conditionOf(good, "Ready")?.status === "True" &&
          sync?.toCloudMap?.some((m) => m.cloudMapName === "vault") === true &&
          bad?.status === "False" &&
          /unknown CA/.test(bad.message)
        );
      });
    } finally {
      await tls.stop();
    }
  });
});

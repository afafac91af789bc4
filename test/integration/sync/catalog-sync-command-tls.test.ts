/**
 * `fargatectl catalog-sync` against a Consul that answers only HTTPS and requires client certificates, configured
 * the way Consul's own CLI is: CONSUL_HTTP_ADDR, CONSUL_CACERT, CONSUL_CLIENT_CERT, CONSUL_CLIENT_KEY,
 * CONSUL_TLS_SERVER_NAME. It mirrors vault into Cloud Map and stops cleanly on SIGTERM.
 */
import { EventEmitter } from "node:events";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { runCatalogSyncCommand } from "../../../src/cli/commands/catalog-sync.js";
import { SYNC_CONFIG_ENV } from "../../../src/config/catalog-sync.js";
import { makeTestCertificates, type TestCertificates } from "../../../src/dev/tls-certs.js";
import { discover, engineConfig, type SyncBed, startSyncBed, within } from "./support.js";

let certs: TestCertificates;
let bed: SyncBed | undefined;
beforeAll(async () => {
  certs = await makeTestCertificates();
});
afterAll(async () => {
  await certs.remove();
});
afterEach(async () => {
  await bed?.close();
  bed = undefined;
});

describe("fargatectl catalog-sync over TLS", () => {
  it("reads Consul's CLI TLS variables and syncs vault from an mTLS Consul", async () => {
    const b = await startSyncBed("prod.internal", {
      tls: {
        server: { ...certs.server, ca: certs.ca.cert, requireClientCert: true },
        client: { ca: certs.ca.cert, serverName: certs.serverName, ...certs.client },
      },
    });
    bed = b;
    b.consulSim.control.registerService({ name: "vault", node: "n1", address: "10.0.1.5", port: 8200 });
    const signals = new EventEmitter();
    let started = false;
    const exit = runCatalogSyncCommand(
      { "servicediscovery-endpoint-url": b.awsSim.endpoint, region: "us-east-1" },
      {
        [SYNC_CONFIG_ENV]: JSON.stringify({
          ...engineConfig(b.namespace, {
            toConsul: { enabled: false, include: [], exclude: [], prefix: "" },
          }),
          consul: { address: b.consulSim.url },
        }),
        CONSUL_CACERT: join(certs.dir, "ca.pem"),
        CONSUL_CLIENT_CERT: join(certs.dir, "client.pem"),
        CONSUL_CLIENT_KEY: join(certs.dir, "client.key"),
        CONSUL_TLS_SERVER_NAME: certs.serverName,
        FARGATE_OPERATOR_LOG_LEVEL: "silent",
      },
      {
        credentials: { accessKeyId: "test", secretAccessKey: "test" },
        signals,
        clock: b.clock,
        onStarted: () => {
          started = true;
        },
      },
    );
    await within(b.clock, 5_000, async () => started && (await discover(b, "vault")).length === 1);
    signals.emit("SIGTERM");
    expect(await exit).toBe(0);
  });
});

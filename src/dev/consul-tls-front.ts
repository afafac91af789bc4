/**
 * The dev stack's second Consul: HTTPS only, as production's 8501, with a private CA and a certificate for
 * `consul.internal` (not the address it listens on, so a CatalogSync needs `serverName`), holding `vault`. It
 * writes two ready-to-apply CatalogSync examples next to its certificates: one with the right CA (becomes Ready)
 * and one with the wrong CA (Ready=False naming the certificate problem). Needs the `openssl` CLI; without it the
 * stack runs without this part.
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { stringify } from "yaml";
import { API_VERSION } from "../crds/meta.js";
import { type ConsulSimulator, startConsulSimulator } from "./consul-sim/index.js";
import { makeTestCertificates } from "./tls-certs.js";

/** The running https Consul and where its files are. */
export interface DevTlsConsul {
  sim: ConsulSimulator;
  /** `export` pairs: the https address, the CA file and the server name, as Consul's CLI names them. */
  environment: Record<string, string>;
  /** The two example files (right CA, wrong CA). */
  examples: { ready: string; wrongCa: string };
  stop(): Promise<void>;
}

function example(name: string, dnsName: string, address: string, tls: Record<string, unknown>): string {
  const docs = [
    {
      apiVersion: API_VERSION,
      kind: "CloudMapNamespace",
      metadata: { name, namespace: "platform" },
      spec: { dnsName, vpcId: "vpc-0a1b2c3d4e5f60718" },
    },
    {
      apiVersion: API_VERSION,
      kind: "CatalogSync",
      metadata: { name, namespace: "platform" },
      spec: {
        cloudMapNamespaceRef: { name },
        consul: { address, tls },
        toCloudMap: { include: ["vault"] },
        toConsul: { enabled: false },
        pollIntervalSeconds: 5,
        placement: "controller",
      },
    },
  ];
  return docs.map((doc) => stringify(doc)).join("---\n");
}

/** Starts the https Consul and writes its examples; undefined (with a progress line) when openssl is missing. */
export async function startDevTlsConsul(progress: (line: string) => void): Promise<DevTlsConsul | undefined> {
  let certs: Awaited<ReturnType<typeof makeTestCertificates>>;
  try {
    certs = await makeTestCertificates();
  } catch (error) {
    progress(`no https Consul: openssl could not make its certificates (${(error as Error).message})`);
    return undefined;
  }
  const sim = await startConsulSimulator({ port: 0, tls: certs.server });
  sim.control.registerService({ name: "vault", port: 8200, address: "10.0.10.5", node: "vault-1" });
  const ready = join(certs.dir, "catalog-sync-tls.yaml");
  const wrongCa = join(certs.dir, "catalog-sync-wrong-ca.yaml");
  await writeFile(
    ready,
    example("tls-internal", "tls.internal", sim.url, { caPem: certs.ca.cert, serverName: certs.serverName }),
  );
  await writeFile(
    wrongCa,
    example("wrong-ca-internal", "wrong-ca.internal", sim.url, {
      caPem: certs.otherCa.cert,
      serverName: certs.serverName,
    }),
  );
  progress(
    `Consul simulator over https only on ${sim.url} (private CA ${join(certs.dir, "ca.pem")}, certificate for ${certs.serverName})`,
  );
  progress(`  fargatectl apply -f ${ready}     # becomes Ready and syncs vault`);
  progress(`  fargatectl apply -f ${wrongCa}  # Ready=False: unknown CA`);
  return {
    sim,
    environment: {
      FARGATE_OPERATOR_DEV_CONSUL_HTTPS_ADDR: sim.url,
      FARGATE_OPERATOR_DEV_CONSUL_CACERT: join(certs.dir, "ca.pem"),
      FARGATE_OPERATOR_DEV_CONSUL_TLS_SERVER_NAME: certs.serverName,
    },
    examples: { ready, wrongCa },
    async stop() {
      await sim.stop();
      await certs.remove();
    },
  };
}

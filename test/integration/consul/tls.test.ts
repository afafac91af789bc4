/**
 * The Consul client over TLS against the simulator's https front, with certificates made by openssl for the test:
 * a private CA and `serverName`, every certificate problem a user meets named as such, and mTLS.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConsulClient, type ConsulTlsOptions } from "../../../src/consul/client.js";
import { ConsulTlsError, TlsProblem } from "../../../src/consul/errors.js";
import { type ConsulSimulator, startConsulSimulator } from "../../../src/dev/consul-sim/index.js";
import { makeTestCertificates, type TestCertificates } from "../../../src/dev/tls-certs.js";

let certs: TestCertificates;
const sims: ConsulSimulator[] = [];
const clients: ConsulClient[] = [];

beforeAll(async () => {
  certs = await makeTestCertificates();
});
afterAll(async () => {
  for (const client of clients) client.close();
  await Promise.all(sims.map((sim) => sim.stop()));
  await certs.remove();
});

async function https(
  server: { cert: string; key: string } = certs.server,
  requireClientCert = false,
): Promise<ConsulSimulator> {
  const sim = await startConsulSimulator({
    tls: { ...server, ca: certs.ca.cert, requireClientCert },
  });
  sims.push(sim);
  sim.control.registerService({ name: "vault", port: 8200 });
  return sim;
}

function client(sim: ConsulSimulator, tls: ConsulTlsOptions): ConsulClient {
  const made = new ConsulClient({ address: sim.url, tls, requestTimeoutMs: 5_000 });
  clients.push(made);
  return made;
}

async function problemOf(call: Promise<unknown>): Promise<{ problem: string; message: string }> {
  const failure = await call.then(
    () => new Error("expected a TLS failure"),
    (error: unknown) => error,
  );
  expect(failure).toBeInstanceOf(ConsulTlsError);
  return { problem: (failure as ConsulTlsError).problem, message: (failure as Error).message };
}

describe("Consul over TLS", () => {
  it("reads the catalog over https with a private CA and a server name other than the address", async () => {
    const sim = await https();
    const ok = client(sim, { ca: certs.ca.cert, serverName: certs.serverName });
    expect(Object.keys((await ok.listServices()).value)).toContain("vault");
  });

  it("names each certificate problem: unknown CA, name mismatch, expired", async () => {
    const sim = await https();
    const wrongCa = await problemOf(
      client(sim, { ca: certs.otherCa.cert, serverName: certs.serverName }).listServices(),
    );
    expect(wrongCa.problem).toBe(TlsProblem.UnknownCa);
    expect(wrongCa.message).toMatch(/unknown CA/);
    expect((await problemOf(client(sim, { serverName: certs.serverName }).listServices())).problem).toBe(
      TlsProblem.UnknownCa,
    );
    const mismatch = await problemOf(client(sim, { ca: certs.ca.cert }).listServices());
    expect(mismatch.problem).toBe(TlsProblem.NameMismatch);
    expect(mismatch.message).toMatch(/another host name/);

    const expired = await https(certs.expiredServer);
    const old = await problemOf(
      client(expired, { ca: certs.ca.cert, serverName: certs.serverName }).listServices(),
    );
    expect(old.problem).toBe(TlsProblem.Expired);
    expect(old.message).toMatch(/expired/);
  });

  it("accepts any certificate only with insecureSkipVerify", async () => {
    const sim = await https(certs.expiredServer);
    const insecure = client(sim, { insecureSkipVerify: true });
    expect(Object.keys((await insecure.listServices()).value)).toContain("vault");
  });

  it("presents the client certificate a server that requires one asks for", async () => {
    const sim = await https(certs.server, true);
    const base = { ca: certs.ca.cert, serverName: certs.serverName };
    const refused = await problemOf(client(sim, base).listServices());
    expect(refused.problem).toBe(TlsProblem.ClientCertRejected);
    const withCert = client(sim, { ...base, cert: certs.client.cert, key: certs.client.key });
    expect(Object.keys((await withCert.listServices()).value)).toContain("vault");
    await withCert.register({ node: "n1", address: "10.0.0.9", service: { name: "web", port: 80 } });
    expect(Object.keys((await withCert.listServices()).value)).toContain("web");
  });

  it("says so when an https address does not speak TLS", async () => {
    const plain = await startConsulSimulator();
    sims.push(plain);
    const wrong = new ConsulClient({ address: `https://${plain.address}`, tls: { ca: certs.ca.cert } });
    clients.push(wrong);
    expect((await problemOf(wrong.listServices())).problem).toBe(TlsProblem.NotTls);
  });
});

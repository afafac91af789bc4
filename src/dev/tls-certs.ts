/**
 * Throwaway certificates for TLS tests and the dev stack's https Consul, made with the `openssl` CLI (node:crypto
 * cannot sign X.509): a private CA, a server certificate for a host name other than 127.0.0.1 (so a client must set
 * `serverName`), the same server certificate already expired, a client certificate for mTLS, and an unrelated CA
 * (the "wrong CA"). EC P-256 keys, so making them all takes a few tens of milliseconds. Never for production.
 */
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/** A PEM certificate and its PEM private key. */
export interface PemPair {
  cert: string;
  key: string;
}

/** What {@link makeTestCertificates} makes. */
export interface TestCertificates {
  /** The private CA that signed `server`, `expiredServer` and `client`. */
  ca: PemPair;
  /** A CA that signed nothing here: trusting it alone is the "wrong CA". */
  otherCa: PemPair;
  /** The name `server` carries (its only subjectAltName). */
  serverName: string;
  server: PemPair;
  /** `server`'s twin whose validity ended yesterday. */
  expiredServer: PemPair;
  /** A client certificate (extendedKeyUsage clientAuth) signed by `ca`. */
  client: PemPair;
  /** The directory holding the files (`ca.pem`, `client.pem`, `client.key`, ...). */
  dir: string;
  /** Removes `dir`. */
  remove(): Promise<void>;
}

async function openssl(dir: string, args: string[]): Promise<void> {
  await run("openssl", args, { cwd: dir });
}

async function pair(dir: string, name: string): Promise<PemPair> {
  const [cert, key] = await Promise.all([
    readFile(join(dir, `${name}.pem`), "utf8"),
    readFile(join(dir, `${name}.key`), "utf8"),
  ]);
  return { cert, key };
}

const EC_KEY = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];

async function selfSignedCa(dir: string, name: string, subject: string): Promise<void> {
  await openssl(dir, [
    "req",
    "-x509",
    ...EC_KEY,
    "-keyout",
    `${name}.key`,
    "-out",
    `${name}.pem`,
    "-subj",
    `/CN=${subject}`,
    "-days",
    "30",
    "-addext",
    "basicConstraints=critical,CA:TRUE",
    "-addext",
    "keyUsage=critical,keyCertSign,cRLSign",
  ]);
}

async function signed(dir: string, name: string, subject: string, extensions: string, days: number) {
  await openssl(dir, [
    "req",
    ...EC_KEY,
    "-keyout",
    `${name}.key`,
    "-out",
    `${name}.csr`,
    "-subj",
    `/CN=${subject}`,
  ]);
  await writeFile(join(dir, `${name}.ext`), extensions);
  await openssl(dir, [
    "x509",
    "-req",
    "-in",
    `${name}.csr`,
    "-CA",
    "ca.pem",
    "-CAkey",
    "ca.key",
    "-CAcreateserial",
    "-out",
    `${name}.pem`,
    // A negative number of days makes a certificate whose notAfter is already past (OpenSSL 3.0 has no -not_after).
    "-days",
    String(days),
    "-extfile",
    `${name}.ext`,
  ]);
}

/** Makes the certificates in a new temporary directory (or `dir`); `serverName` defaults to `consul.internal`. */
export async function makeTestCertificates(
  options: { serverName?: string; dir?: string } = {},
): Promise<TestCertificates> {
  const serverName = options.serverName ?? "consul.internal";
  const dir = options.dir ?? (await mkdtemp(join(tmpdir(), "fargate-operator-tls-")));
  await selfSignedCa(dir, "ca", "fargate-operator test CA");
  await selfSignedCa(dir, "other-ca", "some other CA");
  const server = `subjectAltName=DNS:${serverName}\nextendedKeyUsage=serverAuth\n`;
  await signed(dir, "server", serverName, server, 30);
  await signed(dir, "expired-server", serverName, server, -1);
  await signed(dir, "client", "catalog-sync client", "extendedKeyUsage=clientAuth\n", 30);
  const [ca, otherCa, serverPair, expiredServer, client] = await Promise.all(
    ["ca", "other-ca", "server", "expired-server", "client"].map((name) => pair(dir, name)),
  );
  if (!ca || !otherCa || !serverPair || !expiredServer || !client)
    throw new Error("openssl made no certificates");
  return {
    ca,
    otherCa,
    serverName,
    server: serverPair,
    expiredServer,
    client,
    dir,
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}

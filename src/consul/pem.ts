/**
 * A client certificate secret as Consul's CLI takes it apart (CONSUL_CLIENT_CERT + CONSUL_CLIENT_KEY), from one
 * PEM text holding both. Pure; errors say which block is missing, never any of the text.
 */

/** The key and the certificate (chain) of a client, PEM. */
export interface ClientCertPem {
  key: string;
  cert: string;
}

const BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g;

/** Splits `pem` into its private key and its certificates (in their order); throws when either is missing. */
export function splitClientCertPem(pem: string): ClientCertPem {
  const keys: string[] = [];
  const certs: string[] = [];
  for (const match of pem.matchAll(BLOCK)) {
    const label = match[1] ?? "";
    if (label === "CERTIFICATE") certs.push(match[0]);
    else if (/PRIVATE KEY$/.test(label)) keys.push(match[0]);
  }
  const missing = [
    ...(keys.length === 0 ? ["a PRIVATE KEY block"] : []),
    ...(certs.length === 0 ? ["a CERTIFICATE block"] : []),
  ];
  if (missing.length > 0) throw new Error(`the client certificate secret has no ${missing.join(" and no ")}`);
  if (keys.length > 1) throw new Error("the client certificate secret has more than one PRIVATE KEY block");
  return { key: `${keys[0]}\n`, cert: `${certs.join("\n")}\n` };
}

/** Launcher for moto's server (`moto_server`, installed with `pip install 'moto[server]'`), on 127.0.0.1. */
import { freePort, type RunningServer, spawnServer } from "./launch-process.js";

/** Options for `startMoto`. */
export interface MotoOptions {
  /** Port to listen on; a free one when omitted. */
  port?: number;
  host?: "127.0.0.1";
  /** The executable; found on PATH by default. */
  command?: string;
  /** How long to wait for it to answer (ms). */
  readyTimeoutMs?: number;
}

/** Starts `moto_server -H 127.0.0.1 -p N`; resolves once it answers HTTP. */
export async function startMoto(options: MotoOptions = {}): Promise<RunningServer> {
  const host = options.host ?? "127.0.0.1";
  const port = options.port ?? (await freePort(host));
  return await spawnServer({
    label: "moto",
    command: options.command ?? "moto_server",
    args: ["-H", host, "-p", String(port)],
    host,
    port,
    missingHint: "install it with: pip install 'moto[server]'",
    ...(options.readyTimeoutMs === undefined ? {} : { readyTimeoutMs: options.readyTimeoutMs }),
  });
}

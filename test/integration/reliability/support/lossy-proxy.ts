/**
 * An HTTP proxy on 127.0.0.1 in front of the AWS simulator that loses a seeded share of RESPONSES: the request
 * reaches the simulator and takes effect, then the client's connection is destroyed before the answer. This is
 * the fault that tests idempotency (the simulator's own drops happen before the request is handled).
 */
import { createServer, request } from "node:http";
import type { AddressInfo } from "node:net";
import { seededRandom } from "../../../../src/dev/aws-sim/rng.js";

/** A running proxy. */
export interface LossyProxy {
  /** `http://127.0.0.1:port`: give it to the clients instead of the simulator's endpoint. */
  readonly endpoint: string;
  /** Responses lost so far, by `X-Amz-Target` operation. */
  readonly lost: Map<string, number>;
  /** Changes the share of lost responses (0–100). */
  setLossPercent(percent: number): void;
  stop(): Promise<void>;
}

/** The operations that change something in ECS or Cloud Map (the ones whose lost answer tests idempotency). */
export const WRITE_OPERATIONS: readonly string[] = [
  "RegisterTaskDefinition",
  "DeregisterTaskDefinition",
  "CreateService",
  "UpdateService",
  "DeleteService",
  "TagResource",
  "UntagResource",
  "CreatePrivateDnsNamespace",
  "DeleteNamespace",
];

/**
 * Starts a proxy to `target` losing `lossPercent`% of the responses to `operations` (X-Amz-Target operation
 * names, ECS and Cloud Map alike), drawn from `seed`.
 */
export async function startLossyProxy(
  target: string,
  options: { lossPercent: number; seed: number; operations: readonly string[] },
): Promise<LossyProxy> {
  const lossy = new Set(options.operations);
  const upstream = new URL(target);
  const random = seededRandom(options.seed);
  const lost = new Map<string, number>();
  let percent = options.lossPercent;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const forward = request(
        {
          host: upstream.hostname,
          port: upstream.port,
          method: req.method,
          path: req.url,
          headers: req.headers,
        },
        (answer) => {
          const body: Buffer[] = [];
          answer.on("data", (c: Buffer) => body.push(c));
          answer.on("end", () => {
            const operation = String(req.headers["x-amz-target"] ?? "").split(".")[1] ?? "";
            if (lossy.has(operation) && random() * 100 < percent) {
              lost.set(operation, (lost.get(operation) ?? 0) + 1);
              req.socket.destroy();
              return;
            }
            res.writeHead(answer.statusCode ?? 502, answer.headers);
            res.end(Buffer.concat(body));
          });
        },
      );
      forward.on("error", () => req.socket.destroy());
      forward.end(Buffer.concat(chunks));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    lost,
    setLossPercent(p) {
      percent = p;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

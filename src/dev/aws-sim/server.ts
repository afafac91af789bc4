import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { handleControlRequest, type SimulatorControl } from "./control.js";
import type { CallCounters } from "./counters.js";
import { type ApiFamily, AwsApiError, errorBody } from "./errors.js";
import { type FaultInjector, FaultOutcome } from "./faults.js";
import { Input, isJsonObject, type JsonObject } from "./input.js";
import type { HandlerTable } from "./operation.js";
import type { EcsThrottler } from "./throttle.js";

/** `X-Amz-Target` prefix of ECS. */
export const ECS_TARGET_PREFIX = "AmazonEC2ContainerServiceV20141113";
/** `X-Amz-Target` prefix of Cloud Map. */
export const CLOUD_MAP_TARGET_PREFIX = "Route53AutoNaming_v20170314";

/** `X-Amz-Target` prefix of Application Auto Scaling. */
export const APPLICATION_AUTO_SCALING_TARGET_PREFIX = "AnyScaleFrontendService";

/** `X-Amz-Target` prefix of Secrets Manager. */
export const SECRETS_MANAGER_TARGET_PREFIX = "secretsmanager";

const CONTENT_TYPE = "application/x-amz-json-1.1";
const MAX_BODY_BYTES = 10 * 1024 * 1024;

/** One API served by the simulator. */
interface ApiRoute {
  readonly family: ApiFamily;
  /** Prefix of the operation keys in counters and fault filters (IAM-style). */
  readonly keyPrefix: string;
  readonly handlers: HandlerTable;
}

/** What the HTTP layer dispatches to. */
export interface ServerParts {
  /** ECS operations. */
  readonly ecs: HandlerTable;
  /** Cloud Map operations. */
  readonly cloudMap: HandlerTable;
  /** Application Auto Scaling operations. */
  readonly autoScaling: HandlerTable;
  /** Secrets Manager operations. */
  readonly secretsManager: HandlerTable;
  /** ECS token buckets. */
  readonly throttler: EcsThrottler;
  /** Fault injection. */
  readonly faults: FaultInjector;
  /** Call counters. */
  readonly counters: CallCounters;
  /** The control API behind `/_sim/...`. */
  readonly control: SimulatorControl;
  /** Facts shown by `GET /_sim/health`. */
  readonly info: JsonObject;
  /** Checks a request body before its handler runs (strict mode's model check); throws to refuse it. */
  readonly checkRequest?: (family: ApiFamily, operation: string, body: JsonObject) => void;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new AwsApiError("SerializationException", "Request body too large."));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function send(res: ServerResponse, status: number, body: unknown, contentType = CONTENT_TYPE): void {
  const text = JSON.stringify(body ?? {});
  res.writeHead(status, {
    "content-type": contentType,
    "content-length": Buffer.byteLength(text),
    "x-amzn-requestid": randomUUID(),
  });
  res.end(text);
}

function sendError(res: ServerResponse, family: ApiFamily, error: AwsApiError): void {
  send(res, error.status, errorBody(family, error));
}

/** The AWS answer for a target this simulator does not implement. */
function unknownOperation(target: string): AwsApiError {
  return new AwsApiError(
    "com.amazon.coral.service#UnknownOperationException",
    `The operation ${target || "(none)"} is not supported by the AWS simulator.`,
  );
}

/** The 5xx each API answers when a server error is injected. */
function injectedServerError(family: ApiFamily): AwsApiError {
  if (family === "autoscaling")
    return new AwsApiError("InternalServiceException", "Internal service error.", 500);
  if (family === "secretsmanager")
    return new AwsApiError("InternalServiceError", "Internal service error.", 500);
  return family === "ecs"
    ? new AwsApiError("ServerException", "Service Unavailable. Please try again later.", 500)
    : new AwsApiError(
        "InternalFailure",
        "The request processing has failed because of an unknown error.",
        500,
      );
}

const rateExceeded = () => new AwsApiError("ThrottlingException", "Rate exceeded");

/** Creates the HTTP server speaking AWS JSON 1.1 for ECS, Cloud Map, Application Auto Scaling and Secrets Manager, plus `/_sim/...` control routes. */
export function createSimulatorServer(parts: ServerParts): Server {
  const routes = new Map<string, ApiRoute>([
    [ECS_TARGET_PREFIX, { family: "ecs", keyPrefix: "ecs", handlers: parts.ecs }],
    [
      CLOUD_MAP_TARGET_PREFIX,
      { family: "cloudmap", keyPrefix: "servicediscovery", handlers: parts.cloudMap },
    ],
    [
      APPLICATION_AUTO_SCALING_TARGET_PREFIX,
      { family: "autoscaling", keyPrefix: "application-autoscaling", handlers: parts.autoScaling },
    ],
    [
      SECRETS_MANAGER_TARGET_PREFIX,
      { family: "secretsmanager", keyPrefix: "secretsmanager", handlers: parts.secretsManager },
    ],
  ]);

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = (req.url ?? "/").split("?")[0] ?? "/";
    let raw: string;
    try {
      raw = await readBody(req);
    } catch (error) {
      sendError(
        res,
        "ecs",
        error instanceof AwsApiError ? error : new AwsApiError("SerializationException", "Unreadable body."),
      );
      return;
    }
    if (path.startsWith("/_sim/")) {
      const answer = handleControlRequest(parts.control, parts.info, req.method ?? "GET", path, raw);
      send(res, answer.status, answer.body, "application/json");
      return;
    }
    const targetHeader = req.headers["x-amz-target"];
    const target = typeof targetHeader === "string" ? targetHeader : "";
    const dot = target.indexOf(".");
    const route = dot > 0 ? routes.get(target.slice(0, dot)) : undefined;
    const operation = dot > 0 ? target.slice(dot + 1) : "";
    const handler =
      route === undefined || !Object.hasOwn(route.handlers, operation)
        ? undefined
        : route.handlers[operation];
    if (req.method !== "POST" || route === undefined || handler === undefined) {
      sendError(res, route?.family ?? "ecs", unknownOperation(target));
      return;
    }
    const key = `${route.keyPrefix}:${operation}`;
    parts.counters.bump(key, "calls");
    const latency = parts.faults.latencyFor(key);
    if (latency > 0) await new Promise((resolve) => setTimeout(resolve, latency));
    const fault = parts.faults.decide(key);
    if (fault === FaultOutcome.drop) {
      parts.counters.bump(key, "dropped");
      req.socket.destroy();
      return;
    }
    if (fault === FaultOutcome.serverError) {
      parts.counters.bump(key, "injectedServerErrors");
      sendError(res, route.family, injectedServerError(route.family));
      return;
    }
    if (fault === FaultOutcome.throttle) {
      parts.counters.bump(key, "injectedThrottles");
      sendError(res, route.family, rateExceeded());
      return;
    }
    if (route.family === "ecs" && !parts.throttler.admit(operation)) {
      parts.counters.bump(key, "throttled");
      sendError(res, route.family, rateExceeded());
      return;
    }
    try {
      let body: unknown = {};
      if (raw.trim() !== "") body = JSON.parse(raw);
      if (!isJsonObject(body))
        throw new AwsApiError("SerializationException", "The request body must be a JSON object.");
      parts.checkRequest?.(route.family, operation, body);
      const output = handler(new Input(body, route.family));
      parts.counters.bump(key, "succeeded");
      send(res, 200, output);
    } catch (error) {
      parts.counters.bump(key, "failed");
      if (error instanceof AwsApiError) {
        sendError(res, route.family, error);
      } else if (error instanceof SyntaxError) {
        sendError(
          res,
          route.family,
          new AwsApiError("SerializationException", "Malformed JSON request body.", 400, {}, error),
        );
      } else {
        // A simulator bug must answer like AWS's 5xx, never crash the server.
        const failure = injectedServerError(route.family);
        sendError(
          res,
          route.family,
          new AwsApiError(failure.code, `Simulator error: ${String(error)}`, 500, {}, error),
        );
      }
    }
  };

  return createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) send(res, 500, { __type: "InternalFailure", message: String(error) });
    });
  });
}

/** Error translation (unreachable DynamoDB, SDK error shapes) and the launchers' failure messages. */
import { describe, expect, it } from "vitest";
import { freePort, LaunchError } from "../../../src/dev/launch-process.js";
import { startMoto } from "../../../src/dev/moto.js";
import {
  ConflictError,
  ForbiddenError,
  InvalidError,
  StoreError,
  StoreUnavailableError,
  TableNotFoundError,
} from "../../../src/store/errors.js";
import { classifyStreamError, translateError } from "../../../src/store/translate.js";
import { storeAt, uniqueTableName } from "../../support/store-fixtures.js";

const sdkError = (name: string, extra: Record<string, unknown> = {}): Error =>
  Object.assign(new Error(`${name} happened`), { name, $metadata: {}, ...extra });

describe("store error translation", () => {
  it("maps SDK errors to typed store errors, keeping the cause", () => {
    const throttled = sdkError("ProvisionedThroughputExceededException");
    const translated = translateError(throttled, "get x");
    expect(translated).toBeInstanceOf(StoreUnavailableError);
    expect(translated.cause).toBe(throttled);
    expect(translateError(sdkError("InternalServerError"), "x")).toBeInstanceOf(StoreUnavailableError);
    expect(translateError(sdkError("Weird", { $metadata: { httpStatusCode: 503 } }), "x")).toBeInstanceOf(
      StoreUnavailableError,
    );
    expect(translateError(sdkError("AccessDeniedException"), "x")).toBeInstanceOf(ForbiddenError);
    expect(translateError(sdkError("ValidationException"), "x")).toBeInstanceOf(InvalidError);
    expect(translateError(sdkError("ResourceNotFoundException"), "x", "t")).toBeInstanceOf(
      TableNotFoundError,
    );
    expect(translateError(sdkError("SomethingElse"), "x")).toBeInstanceOf(StoreError);
    const abort = sdkError("AbortError");
    expect(translateError(abort, "x")).toBe(abort);
  });

  it("turns a failed condition into a ConflictError carrying the current record", () => {
    const Item = {
      pk: { S: "default" },
      sk: { S: "FargateService#web" },
      kind: { S: "FargateService" },
      resourceVersion: { N: "7" },
      spec: { M: { cluster: { S: "c1" } } },
    };
    const translated = translateError(sdkError("ConditionalCheckFailedException", { Item }), "apply");
    expect(translated).toBeInstanceOf(ConflictError);
    expect((translated as ConflictError).current?.metadata.resourceVersion).toBe("7");
    expect((translated as ConflictError).current?.spec).toEqual({ cluster: "c1" });
  });

  it("classifies stream errors", () => {
    expect(classifyStreamError(sdkError("ExpiredIteratorException"))).toBe("expired");
    expect(classifyStreamError(sdkError("TrimmedDataAccessException"))).toBe("trimmed");
    expect(classifyStreamError(sdkError("ResourceNotFoundException"))).toBe("notFound");
    expect(classifyStreamError(sdkError("LimitExceededException"))).toBe("retry");
    expect(classifyStreamError(sdkError("Odd"))).toBe("other");
  });

  it("reports an unreachable endpoint as StoreUnavailableError", async () => {
    const port = await freePort();
    const store = storeAt(`http://127.0.0.1:${port}`, uniqueTableName());
    try {
      await expect(store.get("FargateService", "default", "x")).rejects.toBeInstanceOf(StoreUnavailableError);
    } finally {
      store.destroy();
    }
  });
});

describe("launchers", () => {
  it("say how to install moto when moto_server is missing", async () => {
    const error = await startMoto({ command: "moto_server-not-installed" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LaunchError);
    expect((error as Error).message).toContain("pip install 'moto[server]'");
  });
});

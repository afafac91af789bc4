import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger, LogKey, scrubSecrets, serializeError } from "../../../src/log.js";
import { PermanentError } from "../../../src/runtime/errors.js";

function capture() {
  const lines: Array<Record<string, unknown>> = [];
  const destination = new Writable({
    write(chunk, _enc, cb) {
      for (const line of String(chunk).split("\n").filter(Boolean)) lines.push(JSON.parse(line));
      cb();
    },
  });
  return { lines, log: createLogger({ level: "info", destination }) };
}

describe("log", () => {
  it("scrubs tokens, keys and secrets from text", () => {
    const text = [
      "X-Consul-Token: 7f1e2d3c-aaaa-bbbb-cccc-1234567890ab",
      "authorization: Bearer abc.def.ghi",
      'body {"token":"s3cr3t-value","name":"ok"}',
      "key AKIAIOSFODNN7EXAMPLE used",
      "vault hvs.CAESIJ8sZc1234567890abcdefghijkl",
      "url ?X-Amz-Credential=AKIA/2025&X-Amz-Signature=deadbeef",
      "password=hunter2 secret_id: abc123",
    ].join("\n");
    const out = scrubSecrets(text);
    for (const secret of [
      "7f1e2d3c",
      "abc.def.ghi",
      "s3cr3t-value",
      "AKIAIOSFODNN7EXAMPLE",
      "hvs.CAES",
      "deadbeef",
      "hunter2",
      "abc123",
    ]) {
      expect(out).not.toContain(secret);
    }
    expect(out).toContain('"name":"ok"');
  });

  it("serializes errors with an allow-list of fields, scrubbed, with their cause chain", () => {
    const sdkError = Object.assign(new Error("denied for token=abcd1234"), {
      name: "AccessDeniedException",
      $metadata: { httpStatusCode: 403, requestId: "req-1" },
      $response: { headers: { "x-consul-token": "leak" } },
    });
    const wrapped = new PermanentError("AccessDenied", "cannot register", { cause: sdkError });
    const out = serializeError(wrapped);
    expect(out).toMatchObject({
      type: "PermanentError",
      message: "cannot register",
      reason: "AccessDenied",
      cause: {
        type: "AccessDeniedException",
        statusCode: 403,
        requestId: "req-1",
        message: "denied for token=[REDACTED]",
      },
    });
    expect(JSON.stringify(out)).not.toContain("leak");
    expect(JSON.stringify(out)).not.toContain("abcd1234");
  });

  it("writes JSON lines with the fixed vocabulary and redacts secret fields", () => {
    const { lines, log } = capture();
    log.child({ [LogKey.kind]: "FargateService", [LogKey.resource]: "FargateService/default/web" }).info(
      {
        [LogKey.awsOperation]: "ecs:UpdateService",
        token: "t0k3n",
        err: new Error("x-vault-token: s.abc"),
      },
      "hello",
    );
    expect(lines[0]).toMatchObject({
      level: 30,
      msg: "hello",
      kind: "FargateService",
      resource: "FargateService/default/web",
      awsOperation: "ecs:UpdateService",
      token: "[REDACTED]",
    });
    expect(JSON.stringify(lines[0])).not.toContain("t0k3n");
    expect(JSON.stringify(lines[0])).not.toContain("s.abc");
    expect(typeof lines[0]?.time).toBe("string");
  });
});

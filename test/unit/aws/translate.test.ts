import { ClientException, ServerException } from "@aws-sdk/client-ecs";
import { NamespaceAlreadyExists, ServiceAlreadyExists } from "@aws-sdk/client-servicediscovery";
import { describe, expect, it } from "vitest";
import {
  AwsAccessDeniedError,
  AwsAlreadyExistsError,
  type AwsError,
  AwsInvalidRequestError,
  AwsNotFoundError,
  AwsResourceInUseError,
  type AwsServiceName,
  AwsThrottledError,
  AwsUnavailableError,
} from "../../../src/aws/errors.js";
import { duplicateOperationIdOf, outcomeOf, translateAwsError } from "../../../src/aws/translate.js";
import { AwsCallOutcome } from "../../../src/metrics.js";
import { cloudMapError, ecsError } from "./support.js";

type ErrorClass = new (...args: never[]) => AwsError;

const ECS_CASES: Array<[string, unknown, ErrorClass]> = [
  ["ThrottlingException", ecsError("ThrottlingException", "Rate exceeded"), AwsThrottledError],
  ["TooManyRequestsException", ecsError("TooManyRequestsException", "slow down", 400), AwsThrottledError],
  ["HTTP 429 of any name", ecsError("Whatever", "too many", 429), AwsThrottledError],
  [
    "ServerException",
    new ServerException({ message: "boom", $metadata: { httpStatusCode: 500 } }),
    AwsUnavailableError,
  ],
  ["any 503", ecsError("ServiceUnavailable", "down", 503), AwsUnavailableError],
  ["ServiceNotFoundException", ecsError("ServiceNotFoundException", "Service not found."), AwsNotFoundError],
  [
    "ServiceNotActiveException",
    ecsError("ServiceNotActiveException", "Service was not ACTIVE."),
    AwsNotFoundError,
  ],
  ["ClusterNotFoundException", ecsError("ClusterNotFoundException", "Cluster not found."), AwsNotFoundError],
  ["ResourceNotFoundException", ecsError("ResourceNotFoundException", "gone"), AwsNotFoundError],
  [
    "ClientException: Unable to describe task definition",
    new ClientException({
      message: "Unable to describe task definition.",
      $metadata: { httpStatusCode: 400 },
    }),
    AwsNotFoundError,
  ],
  [
    "ClientException: task definition does not exist",
    ecsError("ClientException", "The specified task definition does not exist."),
    AwsNotFoundError,
  ],
  [
    "ClientException: TaskDefinition not found",
    ecsError("ClientException", "TaskDefinition not found."),
    AwsNotFoundError,
  ],
  ["ResourceInUseException", ecsError("ResourceInUseException", "in use"), AwsResourceInUseError],
  ["AccessDeniedException", ecsError("AccessDeniedException", "no"), AwsAccessDeniedError],
  [
    "ClientException: not authorized",
    ecsError(
      "ClientException",
      "User: arn:aws:iam::1:user/x is not authorized to perform: ecs:CreateService",
    ),
    AwsAccessDeniedError,
  ],
  [
    "ClientException (validation)",
    ecsError("ClientException", "Container list cannot be empty."),
    AwsInvalidRequestError,
  ],
  ["InvalidParameterException", ecsError("InvalidParameterException", "bad"), AwsInvalidRequestError],
  ["an unknown 4xx", ecsError("SomethingNew", "huh", 409), AwsInvalidRequestError],
];

const CLOUD_MAP_CASES: Array<[string, unknown, ErrorClass]> = [
  ["RequestLimitExceeded", cloudMapError("RequestLimitExceeded", "slow"), AwsThrottledError],
  ["ThrottlingException", cloudMapError("ThrottlingException", "slow"), AwsThrottledError],
  ["NamespaceNotFound", cloudMapError("NamespaceNotFound", "no ns"), AwsNotFoundError],
  ["ServiceNotFound", cloudMapError("ServiceNotFound", "no svc"), AwsNotFoundError],
  ["OperationNotFound", cloudMapError("OperationNotFound", "no op"), AwsNotFoundError],
  ["InstanceNotFound", cloudMapError("InstanceNotFound", "no i"), AwsNotFoundError],
  ["ResourceNotFoundException", cloudMapError("ResourceNotFoundException", "no arn"), AwsNotFoundError],
  ["ResourceInUse", cloudMapError("ResourceInUse", "has services"), AwsResourceInUseError],
  ["AccessDeniedException", cloudMapError("AccessDeniedException", "no"), AwsAccessDeniedError],
  ["InvalidInput", cloudMapError("InvalidInput", "bad name"), AwsInvalidRequestError],
  [
    "DuplicateRequest",
    cloudMapError("DuplicateRequest", "dup", { DuplicateOperationId: "op-1" }),
    AwsInvalidRequestError,
  ],
  ["InternalFailure 500", cloudMapError("InternalFailure", "boom", {}, 500), AwsUnavailableError],
  // ECS's task-definition wording means nothing to Cloud Map.
  [
    "ClientException",
    cloudMapError("ClientException", "Unable to describe task definition."),
    AwsInvalidRequestError,
  ],
];

const AUTOSCALING_CASES: Array<[string, unknown, ErrorClass]> = [
  [
    "ObjectNotFoundException",
    cloudMapError("ObjectNotFoundException", "No scalable target"),
    AwsNotFoundError,
  ],
  ["ResourceNotFoundException", cloudMapError("ResourceNotFoundException", "no arn"), AwsNotFoundError],
  ["ValidationException", cloudMapError("ValidationException", "min > max"), AwsInvalidRequestError],
  ["LimitExceededException", cloudMapError("LimitExceededException", "50 policies"), AwsInvalidRequestError],
  ["ConcurrentUpdateException", cloudMapError("ConcurrentUpdateException", "busy"), AwsUnavailableError],
  [
    "InternalServiceException 500",
    cloudMapError("InternalServiceException", "boom", {}, 500),
    AwsUnavailableError,
  ],
  ["ThrottlingException", cloudMapError("ThrottlingException", "slow"), AwsThrottledError],
  // Cloud Map's not-found codes mean nothing to Application Auto Scaling.
  ["ServiceNotFound", cloudMapError("ServiceNotFound", "x"), AwsInvalidRequestError],
];

function check(service: AwsServiceName, cases: Array<[string, unknown, ErrorClass]>) {
  for (const [label, error, expected] of cases) {
    it(`maps ${label} to ${expected.name}`, () => {
      const translated = translateAwsError(service, "Op", error);
      expect(translated).toBeInstanceOf(expected);
      expect(translated.service).toBe(service);
      expect(translated.operation).toBe("Op");
      expect(translated.cause).toBe(error);
    });
  }
}

describe("translateAwsError: ECS", () => {
  check("ecs", ECS_CASES);

  it("keeps the AWS code and message, prefixed with the operation", () => {
    const translated = translateAwsError(
      "ecs",
      "CreateService",
      ecsError("InvalidParameterException", "bad count"),
    );
    expect(translated.code).toBe("InvalidParameterException");
    expect(translated.message).toBe("ecs:CreateService failed: InvalidParameterException: bad count");
    expect(translated.retryable).toBe(false);
  });
});

describe("translateAwsError: Cloud Map", () => {
  check("servicediscovery", CLOUD_MAP_CASES);

  it("carries NamespaceAlreadyExists' NamespaceId and CreatorRequestId", () => {
    const sdk = new NamespaceAlreadyExists({
      message: "Namespace a.internal already exists.",
      $metadata: { httpStatusCode: 400 },
      NamespaceId: "ns-1234567890abcdef",
      CreatorRequestId: "req-1",
    });
    const translated = translateAwsError("servicediscovery", "CreatePrivateDnsNamespace", sdk);
    expect(translated).toBeInstanceOf(AwsAlreadyExistsError);
    expect(translated).toMatchObject({ existingId: "ns-1234567890abcdef", creatorRequestId: "req-1" });
  });

  it("carries ServiceAlreadyExists' ServiceId and CreatorRequestId", () => {
    const sdk = new ServiceAlreadyExists({
      message: "Service already exists: db",
      $metadata: { httpStatusCode: 400 },
      ServiceId: "srv-1234567890abcdef",
      CreatorRequestId: "req-2",
      ServiceArn: "arn:aws:servicediscovery:us-east-1:123456789012:service/srv-1234567890abcdef",
    });
    const translated = translateAwsError("servicediscovery", "CreateService", sdk);
    expect(translated).toBeInstanceOf(AwsAlreadyExistsError);
    expect(translated).toMatchObject({ existingId: "srv-1234567890abcdef", creatorRequestId: "req-2" });
  });

  it("leaves existingId and creatorRequestId unset when AWS does not name them", () => {
    const translated = translateAwsError(
      "servicediscovery",
      "CreateService",
      cloudMapError("ServiceAlreadyExists", "x"),
    );
    expect(translated).toBeInstanceOf(AwsAlreadyExistsError);
    expect((translated as AwsAlreadyExistsError).existingId).toBeUndefined();
    expect((translated as AwsAlreadyExistsError).creatorRequestId).toBeUndefined();
  });

  it("reads the operation id of a DuplicateRequest", () => {
    const translated = translateAwsError(
      "servicediscovery",
      "CreatePrivateDnsNamespace",
      cloudMapError("DuplicateRequest", "dup", { DuplicateOperationId: "op-77" }),
    );
    expect(duplicateOperationIdOf(translated)).toBe("op-77");
    expect(
      duplicateOperationIdOf(translateAwsError("servicediscovery", "X", cloudMapError("InvalidInput", "x"))),
    ).toBe(undefined);
  });
});

describe("translateAwsError: failures without an AWS answer", () => {
  it.each([
    ["ECONNREFUSED", Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:1"), { code: "ECONNREFUSED" })],
    ["ECONNRESET", Object.assign(new Error("socket hang up"), { code: "ECONNRESET" })],
    ["ENOTFOUND", Object.assign(new Error("getaddrinfo ENOTFOUND x"), { code: "ENOTFOUND" })],
    [
      "TimeoutError",
      Object.assign(new Error("Connection timed out after 5000 ms"), { name: "TimeoutError" }),
    ],
    ["RequestTimeout", Object.assign(new Error("request timed out"), { name: "RequestTimeout" })],
  ])("maps %s to a retryable AwsUnavailableError with code NetworkError", (_label, error) => {
    const translated = translateAwsError("ecs", "DescribeServices", error);
    expect(translated).toBeInstanceOf(AwsUnavailableError);
    expect(translated.code).toBe("NetworkError");
    expect(translated.retryable).toBe(true);
    expect(translated.cause).toBe(error);
    expect(outcomeOf(translated)).toBe(AwsCallOutcome.NetworkError);
  });

  it("does not call a local bug a network failure", () => {
    const translated = translateAwsError("ecs", "CreateService", new TypeError("x is not a function"));
    expect(translated).toBeInstanceOf(AwsInvalidRequestError);
    expect(translated.retryable).toBe(false);
  });

  it("returns an AwsError unchanged", () => {
    const original = new AwsNotFoundError("gone", { service: "ecs", operation: "X", code: "X" });
    expect(translateAwsError("ecs", "Y", original)).toBe(original);
  });
});

describe("outcomeOf", () => {
  it("labels throttling, server errors and client errors", () => {
    expect(outcomeOf(translateAwsError("ecs", "X", ecsError("ThrottlingException", "x")))).toBe("throttled");
    expect(outcomeOf(translateAwsError("ecs", "X", ecsError("ServerException", "x", 500)))).toBe(
      "server_error",
    );
    expect(outcomeOf(translateAwsError("ecs", "X", ecsError("ClientException", "x")))).toBe("client_error");
    expect(outcomeOf(translateAwsError("ecs", "X", ecsError("ServiceNotFoundException", "x")))).toBe(
      "client_error",
    );
  });

  it("marks throttling and unavailability retryable, the rest not", () => {
    expect(translateAwsError("ecs", "X", ecsError("ThrottlingException", "x")).retryable).toBe(true);
    expect(translateAwsError("ecs", "X", ecsError("ServerException", "x", 500)).retryable).toBe(true);
    expect(translateAwsError("ecs", "X", ecsError("ServiceNotFoundException", "x")).retryable).toBe(false);
  });
});

describe("messages", () => {
  it("scrub anything that looks like a secret in AWS's message", () => {
    const translated = translateAwsError(
      "ecs",
      "RegisterTaskDefinition",
      ecsError(
        "ClientException",
        "bad env VAULT_TOKEN=hvs.CAESIabcdefghijklmnopqrstuvwxyz0123 and AKIAABCDEFGHIJKLMNOP",
      ),
    );
    expect(translated.message).not.toContain("hvs.CAESIabcdefghijklmnopqrstuvwxyz0123");
    expect(translated.message).not.toContain("AKIAABCDEFGHIJKLMNOP");
    expect(translated.message).toContain("[REDACTED]");
  });
});

describe("translateAwsError: Application Auto Scaling", () => {
  check("application-autoscaling", AUTOSCALING_CASES);
});

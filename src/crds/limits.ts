/** Size limits the schemas, the validation rules and the store agree on (a unit test ties them to schemas/). */

/** A record's `spec`, as JSON (UTF-8 bytes): far below the store's item limit, leaving room for status. */
export const MAX_SPEC_BYTES = 128 * 1024;

/** ECS refuses a RegisterTaskDefinition whose JSON is larger than this (its "task definition size" quota). */
export const ECS_TASK_DEFINITION_MAX_BYTES = 64 * 1024;

/** Longest value of one `environment` entry (characters), as `schemas/fargateservice.schema.json` says. */
export const MAX_ENVIRONMENT_VALUE_LENGTH = 32_768;

/** UTF-8 bytes of `value` as JSON, the way ECS and DynamoDB size a request. */
export function jsonBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value) ?? "", "utf8");
}

/** `bytes` as KiB with one decimal, for messages. */
export function formatKib(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KiB`;
}

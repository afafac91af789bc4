/**
 * Cloud Map's rules for what RegisterInstance accepts (botocore `servicediscovery/2017-03-14/service-2.json`:
 * `InstanceId`, `AttrKey`, `AttrValue`, and the Attributes documentation), checked before any write so one bad
 * Consul value is skipped and reported instead of failing at AWS. Pure.
 */

/** `InstanceId`: at most 64 characters of `[0-9a-zA-Z_/:.@-]`. */
const INSTANCE_ID = /^[0-9a-zA-Z_/:.@-]+$/;
const INSTANCE_ID_MAX = 64;
/** `AttrKey`: 1–255 printable ASCII characters, no space. */
const ATTR_KEY = /^[!-~]+$/;
const ATTR_KEY_MAX = 255;
/** `AttrValue`: up to 1,024 printable ASCII characters; spaces and tabs inside, not first. */
const ATTR_VALUE = /^(?:[!-~][ \t!-~]*)?[!-~]?$/;
const ATTR_VALUE_MAX = 1_024;
/** "You can add up to 30 custom attributes"; the AWS_ ones Cloud Map defines are not custom. */
const CUSTOM_MAX = 30;
/** "The total size of all provided attributes (sum of all keys and values) must not exceed 5,000 characters." */
const TOTAL_MAX = 5_000;
const RESERVED = new Set([
  "AWS_ALIAS_DNS_NAME",
  "AWS_EC2_INSTANCE_ID",
  "AWS_INIT_HEALTH_STATUS",
  "AWS_INSTANCE_CNAME",
  "AWS_INSTANCE_IPV4",
  "AWS_INSTANCE_IPV6",
  "AWS_INSTANCE_PORT",
]);

/**
 * A Consul-side value as it may appear in a message, status or log line: as it is when short printable ASCII,
 * else quoted with escapes, and cut (with its length) when long.
 */
export function brief(value: string, max = 48): string {
  if (value.length <= max && /^[!-~]+$/.test(value)) return value;
  const shown = JSON.stringify(value.length > max ? value.slice(0, max) : value);
  return value.length > max ? `${shown}… (${value.length} characters)` : shown;
}

function stringProblem(what: string, value: string, pattern: RegExp, max: number, allowed: string): string[] {
  if (value.length > max) return [`${what} has ${value.length} characters (Cloud Map allows ${max})`];
  if (!pattern.test(value)) return [`${what} ${brief(value)} is not ${allowed}`];
  return [];
}

/** Why Cloud Map would refuse `instanceId`; empty when it is fine. */
export function instanceIdProblems(instanceId: string): string[] {
  if (instanceId === "") return ["the instance id is empty"];
  return stringProblem("the instance id", instanceId, INSTANCE_ID, INSTANCE_ID_MAX, "[0-9a-zA-Z_/:.@-]");
}

/** Why Cloud Map would refuse `attributes` on RegisterInstance, one reason each; empty when they are fine. */
export function attributeProblems(attributes: Readonly<Record<string, string>>): string[] {
  const problems: string[] = [];
  let custom = 0;
  let total = 0;
  for (const [key, value] of Object.entries(attributes)) {
    if (!RESERVED.has(key)) custom += 1;
    total += key.length + value.length;
    if (key === "") problems.push("an attribute name is empty");
    else problems.push(...stringProblem("attribute name", key, ATTR_KEY, ATTR_KEY_MAX, "printable ASCII"));
    const label = `attribute ${brief(key, 32)} value`;
    problems.push(...stringProblem(label, value, ATTR_VALUE, ATTR_VALUE_MAX, "printable ASCII"));
  }
  if (custom > CUSTOM_MAX) problems.push(`${custom} custom attributes (Cloud Map allows ${CUSTOM_MAX})`);
  if (total > TOTAL_MAX)
    problems.push(`attributes total ${total} characters (Cloud Map allows ${TOTAL_MAX})`);
  return problems;
}

/**
 * Cross-field rules of `spec.autoscaling` (DESIGN §11 Autoscaling) that JSON Schema cannot say: bounds in order,
 * one policy per metric, what ALB request counting needs, unique scheduled names and the schedule syntax
 * Application Auto Scaling accepts. Defensive: the schema reports wrong types.
 */
import { type DocumentPath, issue, type ValidationIssue } from "./issues.js";
import { asNumber, asRecord, asString, type JsonRecord, recordsOf } from "./values.js";

const AT = /^at\((\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\)$/;
const RATE = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/;
const CRON = /^cron\((.+)\)$/;
const CRON_FIELD = /^[0-9A-Za-z*?,/#-]+$/;

/** Why `schedule` is not an expression Application Auto Scaling accepts, or undefined when it is. */
export function scheduleProblem(schedule: string): string | undefined {
  const at = AT.exec(schedule);
  if (at !== null) {
    const [, y, mo, d, h, mi, s] = at.map(Number) as number[];
    const date = new Date(Date.UTC(y ?? 0, (mo ?? 1) - 1, d ?? 0, h ?? 0, mi ?? 0, s ?? 0));
    const same = date.getUTCMonth() === (mo ?? 0) - 1 && date.getUTCDate() === d && (h ?? 0) < 24;
    return same && (mi ?? 0) < 60 && (s ?? 0) < 60 ? undefined : `${schedule} is not a real date and time`;
  }
  if (schedule.startsWith("at(")) return "at() takes yyyy-mm-ddThh:mm:ss";
  const rate = RATE.exec(schedule);
  if (rate !== null) return Number(rate[1]) > 0 ? undefined : "a rate must be at least 1";
  if (schedule.startsWith("rate(")) return "rate() takes a whole number and minute(s), hour(s) or day(s)";
  const cron = CRON.exec(schedule);
  if (cron === null) return "a schedule is at(...), rate(...) or cron(...)";
  const fields = (cron[1] ?? "").trim().split(/\s+/);
  if (fields.length !== 6) {
    return `cron() takes 6 fields (minutes hours day-of-month month day-of-week year), not ${fields.length}`;
  }
  if (!fields.every((f) => CRON_FIELD.test(f))) return "a cron field holds digits, names and , - * ? / L W #";
  if (fields[2] !== "?" && fields[4] !== "?") return "cron() needs ? in day-of-month or in day-of-week";
  return undefined;
}

/** True when `zone` is a time zone this runtime (and so IANA) knows. */
function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

function boundsIssue(at: DocumentPath, holder: JsonRecord): ValidationIssue[] {
  const min = asNumber(holder.minCount);
  const max = asNumber(holder.maxCount);
  if (min === undefined || max === undefined || min <= max) return [];
  return [
    issue(
      [...at, "minCount"],
      `minCount (${min}) is above maxCount (${max})`,
      "lower minCount or raise maxCount",
    ),
  ];
}

/** The target groups of spec.loadBalancers (the default target group of ALB request counting). */
function loadBalancerTargetGroups(spec: JsonRecord): string[] {
  return recordsOf(spec.loadBalancers).flatMap(([, lb]) => {
    const arn = asString(lb.targetGroupArn);
    return arn === undefined ? [] : [arn];
  });
}

function targetTrackingRules(spec: JsonRecord, autoscaling: JsonRecord): ValidationIssue[] {
  const out: ValidationIssue[] = [];
  const seen = new Map<string, number>();
  for (const [i, policy] of recordsOf(autoscaling.targetTracking)) {
    const at: DocumentPath = ["spec", "autoscaling", "targetTracking", i];
    const metric = asString(policy.metric);
    if (metric === undefined) continue;
    const first = seen.get(metric);
    if (first !== undefined) {
      out.push(
        issue(
          [...at, "metric"],
          `metric ${metric} is tracked twice (also targetTracking[${first}])`,
          "keep one policy per metric",
        ),
      );
    } else seen.set(metric, i);
    const value = asNumber(policy.targetValue);
    if (metric === "albRequestCountPerTarget") {
      const groups = loadBalancerTargetGroups(spec);
      if (policy.targetGroupArn === undefined && groups.length !== 1) {
        out.push(
          issue(
            [...at, "targetGroupArn"],
            `albRequestCountPerTarget needs a target group and spec.loadBalancers names ${groups.length}`,
            "set targetGroupArn to the target group whose requests are counted",
          ),
        );
      }
      if (policy.loadBalancerArn === undefined) {
        out.push(
          issue(
            [...at, "loadBalancerArn"],
            "albRequestCountPerTarget needs the load balancer in front of the target group",
            "set loadBalancerArn to the Application Load Balancer's ARN",
          ),
        );
      }
      continue;
    }
    if (value !== undefined && value > 100) {
      out.push(
        issue(
          [...at, "targetValue"],
          `targetValue ${value} is above 100, and ${metric} is a percentage`,
          "use a percentage, e.g. 60",
        ),
      );
    }
    for (const field of ["targetGroupArn", "loadBalancerArn"] as const) {
      if (policy[field] !== undefined) {
        out.push(
          issue(
            [...at, field],
            `${field} is for albRequestCountPerTarget only`,
            `remove ${field}, or track albRequestCountPerTarget`,
          ),
        );
      }
    }
  }
  return out;
}

function scheduledRules(autoscaling: JsonRecord): ValidationIssue[] {
  const out: ValidationIssue[] = [];
  const names = new Map<string, number>();
  for (const [i, action] of recordsOf(autoscaling.scheduled)) {
    const at: DocumentPath = ["spec", "autoscaling", "scheduled", i];
    const name = asString(action.name);
    if (name !== undefined) {
      const first = names.get(name);
      if (first !== undefined) {
        out.push(
          issue(
            [...at, "name"],
            `duplicate scheduled action name "${name}" (also scheduled[${first}])`,
            "give each scheduled action a unique name",
          ),
        );
      } else names.set(name, i);
    }
    const schedule = asString(action.schedule);
    const problem = schedule === undefined ? undefined : scheduleProblem(schedule);
    if (problem !== undefined) {
      out.push(
        issue(
          [...at, "schedule"],
          problem,
          "use at(2030-01-31T08:00:00), rate(1 day) or cron(0 8 ? * MON-FRI *)",
        ),
      );
    }
    const zone = asString(action.timezone);
    if (zone !== undefined && !isTimeZone(zone)) {
      out.push(
        issue(
          [...at, "timezone"],
          `unknown time zone ${zone}`,
          "use an IANA time zone name such as Europe/Berlin",
        ),
      );
    }
    if (action.minCount === undefined && action.maxCount === undefined) {
      out.push(
        issue(
          at,
          "a scheduled action changes nothing without minCount or maxCount",
          "set minCount, maxCount or both",
        ),
      );
    }
    out.push(...boundsIssue(at, action));
  }
  return out;
}

/** Every cross-field issue of `spec.autoscaling` (none without it). */
export function autoscalingRules(spec: JsonRecord): ValidationIssue[] {
  const autoscaling = asRecord(spec.autoscaling);
  if (autoscaling === undefined) return [];
  return [
    ...boundsIssue(["spec", "autoscaling"], autoscaling),
    ...targetTrackingRules(spec, autoscaling),
    ...scheduledRules(autoscaling),
  ];
}

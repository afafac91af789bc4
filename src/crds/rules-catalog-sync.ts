/** Cross-field rules of CatalogSync that JSON Schema cannot say. Defensive like the FargateService rules. */
import { issue, type ValidationIssue } from "./issues.js";
import { taskSizeIssues } from "./rules-fargate-service.js";
import { asRecord, asString, isRecord, type JsonRecord } from "./values.js";

/** Every cross-field issue of a (defaulted) CatalogSync spec. */
export function catalogSyncRules(spec: JsonRecord): ValidationIssue[] {
  const out: ValidationIssue[] = [];
  const task = asRecord(spec.task);
  if (spec.placement === "task" && spec.task === undefined) {
    out.push(
      issue(
        ["spec", "task"],
        "placement: task needs task",
        "add spec.task {cluster, subnets, securityGroups, taskRoleArn, executionRoleArn}, or use placement: controller",
      ),
    );
  }
  if (spec.placement === "controller" && task) {
    out.push(
      issue(
        ["spec", "task"],
        "task is set but placement is controller",
        "set placement: task, or remove task",
      ),
    );
  }
  if (task) out.push(...taskSizeIssues(["spec", "task"], task));
  const consul = asRecord(spec.consul);
  const tokenFrom = asRecord(consul?.tokenFrom);
  if (tokenFrom) {
    const set = ["env", "secretArn"].filter((key) => tokenFrom[key] !== undefined);
    if (set.length !== 1) {
      out.push(
        issue(
          ["spec", "consul", "tokenFrom"],
          set.length === 0 ? "tokenFrom names no source" : "tokenFrom names both env and secretArn",
          "set exactly one of tokenFrom.env or tokenFrom.secretArn",
        ),
      );
    }
  }
  const address = asString(consul?.address);
  if (isRecord(consul?.tls) && address?.startsWith("http://")) {
    out.push(
      issue(
        ["spec", "consul", "tls"],
        "tls is set but consul.address uses http://",
        "use an https:// address, or remove tls",
      ),
    );
  }
  return out;
}

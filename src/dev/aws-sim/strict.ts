import type { SimContext } from "./context.js";
import { AwsApiError } from "./errors.js";

const SUBNET = /^subnet-([0-9a-f]{8}|[0-9a-f]{17})$/;
const SECURITY_GROUP = /^sg-([0-9a-f]{8}|[0-9a-f]{17})$/;
const VPC = /^vpc-([0-9a-f]{8}|[0-9a-f]{17})$/;
const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;

/** True when ids are checked (strict mode). */
export function isStrict(ctx: SimContext): boolean {
  return ctx.mode === "strict";
}

/** In strict mode, subnets must look like EC2 subnet ids (ECS's InvalidParameterException otherwise). */
export function checkSubnets(ctx: SimContext, subnets: readonly string[]): void {
  if (!isStrict(ctx)) return;
  for (const subnet of subnets) {
    if (!SUBNET.test(subnet)) {
      throw new AwsApiError(
        "InvalidParameterException",
        `Error retrieving subnet information for [${subnet}]: Invalid id: "${subnet}" (ErrorCode: InvalidSubnetID.Malformed)`,
      );
    }
  }
}

/** In strict mode, security groups must look like EC2 security group ids. */
export function checkSecurityGroups(ctx: SimContext, groups: readonly string[]): void {
  if (!isStrict(ctx)) return;
  for (const group of groups) {
    if (!SECURITY_GROUP.test(group)) {
      throw new AwsApiError(
        "InvalidParameterException",
        `Error retrieving security group information for [${group}]: Invalid id: "${group}" (expecting "sg-...") (ErrorCode: InvalidGroupId.Malformed)`,
      );
    }
  }
}

/** In strict mode, a role must be an IAM role ARN (ECS answers ClientException "Role is not valid"). */
export function checkRoleArn(ctx: SimContext, role: string | undefined, what: string): void {
  if (!isStrict(ctx) || role === undefined) return;
  if (!ROLE_ARN.test(role)) throw new AwsApiError("ClientException", `${what} is not valid`);
}

/** In strict mode, a VPC id must look like one (Cloud Map answers InvalidInput). */
export function checkVpc(ctx: SimContext, vpc: string): void {
  if (!isStrict(ctx)) return;
  if (!VPC.test(vpc)) throw new AwsApiError("InvalidInput", `Invalid VPC ID: ${vpc}`);
}

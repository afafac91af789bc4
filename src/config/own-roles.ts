/** Parser of `--own-role-arns`: the controller's own roles, which it never passes to a task (docs/security.md). */

const ROLE_ARN = /^arn:aws(?:-[a-z]+)*:iam::\d{12}:role\/(?:[^/\s]+\/)*[\w+=,.@-]{1,64}$/;
const ASSUMED_ROLE_ARN = /^arn:aws(?:-[a-z]+)*:sts::\d{12}:assumed-role\/[\w+=,.@-]{1,64}\/[^/\s]+$/;

/**
 * `arn:aws:iam::<account>:role/<path/name>,...` (an STS `assumed-role/<name>/<session>` ARN, as
 * `aws sts get-caller-identity` prints it, counts as its role): each entry must be one or the other.
 */
export function parseOwnRoleArns(raw: string): string[] {
  const entries = raw
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
  for (const entry of entries) {
    if (!ROLE_ARN.test(entry) && !ASSUMED_ROLE_ARN.test(entry)) {
      throw new Error(
        `${JSON.stringify(entry)} is not a role ARN (arn:aws:iam::<account>:role/<name>) or an assumed-role ARN (arn:aws:sts::<account>:assumed-role/<name>/<session>)`,
      );
    }
  }
  return entries;
}

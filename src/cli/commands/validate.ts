/**
 * `fargatectl validate -f …`: every document checked, every error reported; exit 1 when any is invalid. With
 * `--policy FILE` the valid documents are also judged by that file's NamespacePolicy records, offline.
 */
import { DEFAULT_POLICY_NAMESPACE } from "../../crds/index.js";
import type { CliContext } from "../context.js";
import { CliError, ExitCode } from "../errors.js";
import { loadDocuments, readSources, readStdin } from "../input.js";
import { policySetOf, policyViolations } from "../policy-check.js";

/** Options of `validate` besides the files. */
export interface ValidateOptions {
  /** A file (or directory) of NamespacePolicy documents to judge the documents by. */
  policy?: string;
  /** The controller's `--policy-namespace`: only policies there count. */
  policyNamespace?: string;
}

/** Runs `validate`; returns the exit code. */
export async function runValidate(
  ctx: CliContext,
  files: string[],
  options: ValidateOptions = {},
): Promise<number> {
  const loaded = loadDocuments(await readSources(files, readStdin));
  for (const line of loaded.errors) ctx.err(`${line}\n`);
  let refused: string[] = [];
  if (options.policy !== undefined) {
    const policyNamespace = options.policyNamespace ?? DEFAULT_POLICY_NAMESPACE;
    const file = loadDocuments(await readSources([options.policy], readStdin));
    const set =
      file.errors.length > 0
        ? { ok: false as const, errors: file.errors }
        : policySetOf(file.documents, policyNamespace);
    if (!set.ok) {
      for (const line of set.errors) ctx.err(`${line}\n`);
      throw new CliError(`--policy ${options.policy}: not a usable policy file`, ExitCode.Failure);
    }
    refused = policyViolations(loaded.documents, set.policies, policyNamespace);
    for (const line of refused) ctx.err(`${line}\n`);
  }
  if (loaded.errors.length > 0 || refused.length > 0) {
    const policyPart = options.policy === undefined ? "" : `, ${refused.length} policy violation(s)`;
    ctx.err(`${loaded.errors.length} error(s)${policyPart}; ${loaded.documents.length} valid document(s)\n`);
    return ExitCode.Negative;
  }
  const allowed = options.policy === undefined ? "" : ` and allowed by ${options.policy}`;
  ctx.out(`${loaded.documents.length} document(s) valid${allowed}\n`);
  return ExitCode.Ok;
}

/** The commands for following and converging records: `wait`, `watch`, `diff`, `sync` (added to the tree by program.ts). */
import { type Command, Option } from "commander";
import { parseDuration } from "../config/settings.js";
import type { CliContext } from "./context.js";
import { parseSourceName, SOURCE_LABEL } from "./sync-plan.js";
import { interruptSignal, stdoutTerminal } from "./terminal.js";
import { parseWaitFor, type WaitTarget } from "./wait-condition.js";

/** How program.ts runs an action: build the context, run, record the exit code. */
export type RunAction = (cmd: Command, action: (ctx: CliContext) => Promise<number>) => Promise<void>;

/** What `watch` and `get -w` pass on. */
export interface WatchSelection {
  kind?: string;
  name?: string;
  namespace: string;
  allNamespaces: boolean;
}

/** Runs `watch` on stdout until Ctrl-C or SIGTERM (exit 0 then). */
export async function watchUntilInterrupted(ctx: CliContext, selection: WatchSelection): Promise<number> {
  const interrupt = interruptSignal();
  const terminal = stdoutTerminal();
  try {
    const { runWatch } = await import("./commands/watch.js");
    return await runWatch(ctx, { ...selection, signal: interrupt.signal, ...(terminal ? { terminal } : {}) });
  } finally {
    interrupt.dispose();
  }
}

/** Adds wait, watch, diff and sync to `program`. */
export function addUserCommands(program: Command, run: RunAction, kindHelp: string): void {
  const namespace = () => new Option("-n, --namespace <ns>", "namespace (tenancy partition)");
  const timeout = (fallback: number, text: string) =>
    new Option("--timeout <duration>", "how long to wait, e.g. 300s or 10m")
      .default(fallback, text)
      .argParser(parseDuration);

  program
    .command("wait")
    .description(
      "wait for a condition of the record's current generation, or its deletion (exit 0 met, 1 not met, 2 error)",
    )
    .argument("<resource>", `KIND/NAME or KIND (then NAME); KIND is ${kindHelp}`)
    .argument("[name]", "record name, when KIND is given alone")
    .addOption(namespace().default("default"))
    .addOption(
      new Option("--for <what>", "condition=Ready, condition=<Type>[=True|False|Unknown], or delete")
        .default(parseWaitFor("condition=Ready"), "condition=Ready")
        .argParser(parseWaitFor),
    )
    .addOption(timeout(600_000, "10m"))
    .addHelpText(
      "after",
      "\nA condition counts only when its observedGeneration and status.observedGeneration equal\n" +
        "metadata.generation and status.observedSpecHash is the spec's hash, so apply (or a hand edit\n" +
        "of the item's spec) followed by wait never returns on the previous spec's Ready.\n" +
        "Stalled=True for the current generation (a permanent failure) ends the wait at once with exit 1.",
    )
    .action(
      (
        resource: string,
        name: string | undefined,
        opts: { namespace: string; for: WaitTarget; timeout: number },
        cmd: Command,
      ) =>
        run(cmd, async (ctx) =>
          (await import("./commands/wait.js")).runWait(ctx, {
            resource,
            namespace: opts.namespace,
            target: opts.for,
            timeoutMs: opts.timeout,
            ...(name === undefined ? {} : { name }),
          }),
        ),
    );

  program
    .command("watch")
    .description("follow records: a line per change of their conditions and rollout (Ctrl-C to stop)")
    .argument("[kind]", `${kindHelp}; every kind when omitted`)
    .argument("[name]", "one record")
    .addOption(namespace().default("default"))
    .option("-A, --all-namespaces", "watch across every namespace", false)
    .action(
      (
        kind: string | undefined,
        name: string | undefined,
        opts: { namespace: string; allNamespaces: boolean },
        cmd: Command,
      ) =>
        run(cmd, (ctx) =>
          watchUntilInterrupted(ctx, {
            namespace: opts.namespace,
            allNamespaces: opts.allNamespaces,
            ...(kind === undefined ? {} : { kind }),
            ...(name === undefined ? {} : { name }),
          }),
        ),
    );

  program
    .command("diff")
    .description(
      "show a unified YAML diff of each document's spec (defaults applied) against the table (exit 0 same, 1 differs, 2 error)",
    )
    .addOption(
      new Option("-f, --filename <paths...>", "files, directories, or - for stdin").makeOptionMandatory(),
    )
    .addOption(namespace())
    .action((opts: { filename: string[]; namespace?: string }, cmd: Command) =>
      run(cmd, async (ctx) =>
        (await import("./commands/diff.js")).runDiff(ctx, {
          files: opts.filename,
          ...(opts.namespace === undefined ? {} : { namespace: opts.namespace }),
        }),
      ),
    );

  program
    .command("sync")
    .description(
      `make the table match a directory (GitOps): validate all, apply what changed, label it ${SOURCE_LABEL}=NAME`,
    )
    .argument("<dir>", "directory of .yaml/.yml/.json specs (read recursively)")
    .addOption(
      new Option("--source <name>", "who owns what this directory defines, e.g. the repository name")
        .makeOptionMandatory()
        .argParser(parseSourceName),
    )
    .option("--prune", "delete records of this source that the directory no longer defines", false)
    .option("--dry-run", "print the plan and write nothing (exit 1 when there are changes)", false)
    .option("--force-adopt", "take over records of another source or written by hand", false)
    .option("--allow-empty", "with --prune, accept a directory with no documents", false)
    .addOption(namespace())
    .addHelpText(
      "after",
      "\nExit codes: 0 applied or nothing to do; 1 --dry-run found changes; 2 invalid documents, a refused\n" +
        "record, or an error (nothing is written when a document is invalid or a record is refused).",
    )
    .action(
      (
        dir: string,
        opts: {
          source: string;
          prune: boolean;
          dryRun: boolean;
          forceAdopt: boolean;
          allowEmpty: boolean;
          namespace?: string;
        },
        cmd: Command,
      ) =>
        run(cmd, async (ctx) =>
          (await import("./commands/sync.js")).runSync(ctx, {
            dir,
            source: opts.source,
            prune: opts.prune,
            dryRun: opts.dryRun,
            forceAdopt: opts.forceAdopt,
            allowEmpty: opts.allowEmpty,
            ...(opts.namespace === undefined ? {} : { namespace: opts.namespace }),
          }),
        ),
    );
}

/** The `fargatectl` command tree. Thin: each action resolves its options and calls one run function. */
import { Command, Option } from "commander";
import { parseDuration, readEnvironment } from "../config/settings.js";
import { controllerOptionSpecs, flagsFromOptions } from "../reconcilers/command-options.js";
import { catalogSyncFlagsFromOptions, catalogSyncOptionSpecs } from "./commands/catalog-sync-options.js";
import type { ImportCommandOptions } from "./commands/import.js";
import { type CliContext, createCliContext, type GlobalFlags, type StoreFactory } from "./context.js";
import { CliError, ExitCode } from "./errors.js";
import { parseOutputFormat } from "./output.js";
import { addUserCommands, watchUntilInterrupted } from "./user-commands.js";

/** Records the exit code an action decided, for `main` to use. */
export interface ProgramResult {
  exitCode: number;
}

const KIND_HELP =
  "fargateservice|fs, cloudmapnamespace|cmns, catalogsync|cs, namespacepolicy|np (singular, plural or short)";

/** What `get` takes as the events pseudo-kind. */
const EVENT_KINDS = ["events", "event", "ev"];

/** `get events`: loads its module when run; `-w` follows until Ctrl-C. */
async function getEvents(
  ctx: CliContext,
  opts: {
    namespace: string;
    allNamespaces: boolean;
    output: ReturnType<typeof parseOutputFormat>;
    watch: boolean;
    for?: string;
  },
  name: string | undefined,
): Promise<number> {
  if (name !== undefined)
    throw new CliError(`get events takes no NAME; use --for KIND/${name} for one record's`, ExitCode.Failure);
  const { runGetEvents } = await import("./commands/events.js");
  const options = {
    namespace: opts.namespace,
    allNamespaces: opts.allNamespaces,
    output: opts.output,
    ...(opts.for === undefined ? {} : { for: opts.for }),
  };
  if (!opts.watch) return await runGetEvents(ctx, options);
  const { interruptSignal } = await import("./terminal.js");
  const interrupt = interruptSignal();
  try {
    return await runGetEvents(ctx, { ...options, watch: { signal: interrupt.signal } });
  } finally {
    interrupt.dispose();
  }
}

/** Builds the command tree; `makeContext` is replaceable in tests. */
export function buildProgram(
  result: ProgramResult,
  makeContext: (flags: GlobalFlags, createStore?: StoreFactory) => CliContext = createCliContext,
): Command {
  const program = new Command("fargatectl")
    .description(
      "Declare ECS Fargate services, Cloud Map namespaces and Consul catalog syncs as records in DynamoDB.",
    )
    .option("--region <region>", "AWS region (else $AWS_REGION, else us-east-1)")
    .option("--table <name>", "DynamoDB table (else $FARGATE_OPERATOR_TABLE, else fargate-operator)")
    .option(
      "--endpoint-url <url>",
      "endpoint for every AWS service (else $AWS_ENDPOINT_URL and per-service variables)",
    )
    .showHelpAfterError("(run with --help for usage)")
    .configureHelp({ sortSubcommands: false, showGlobalOptions: true });

  // Each action loads its command module when it runs (and the store only when it needs one), so a command
  // starts without loading every other command's dependencies: `fargatectl import` is measured by its start.
  const run = async (
    cmd: Command,
    action: (ctx: CliContext) => Promise<number>,
    needs: "store" | "offline" = "store",
  ): Promise<void> => {
    const createStore =
      needs === "store" ? (await import("../store/index.js")).createDynamoResourceStore : undefined;
    result.exitCode = await action(makeContext(cmd.optsWithGlobals<GlobalFlags>(), createStore));
  };
  const files = () =>
    new Option("-f, --filename <paths...>", "files, directories, or - for stdin").makeOptionMandatory();
  const namespace = () => new Option("-n, --namespace <ns>", "namespace (tenancy partition)");

  program
    .command("validate")
    .description("check documents against the schemas and rules; exit 1 if any is invalid")
    .addOption(files())
    .option(
      "--policy <file>",
      "also judge the documents by the NamespacePolicy records in this file (offline)",
    )
    .option(
      "--policy-namespace <ns>",
      "the controller's policy namespace: only policies there count",
      "fargate-system",
    )
    .action((opts: { filename: string[]; policy?: string; policyNamespace: string }, cmd: Command) =>
      run(
        cmd,
        async (ctx) =>
          (await import("./commands/validate.js")).runValidate(ctx, opts.filename, {
            policyNamespace: opts.policyNamespace,
            ...(opts.policy === undefined ? {} : { policy: opts.policy }),
          }),
        "offline",
      ),
    );

  program
    .command("render")
    .description("print what each FargateService becomes in ECS and Cloud Map, offline (no AWS calls)")
    .addOption(files())
    .addOption(new Option("-o, --output <format>", "yaml or json").choices(["yaml", "json"]).default("yaml"))
    .action((opts: { filename: string[]; output: "yaml" | "json" }, cmd: Command) =>
      run(
        cmd,
        async (ctx) =>
          (await import("./commands/render.js")).runRender(ctx, {
            files: opts.filename,
            output: opts.output,
          }),
        "offline",
      ),
    );

  program
    .command("import")
    .description(
      "print a FargateService made from ECS definitions in files or in AWS (exit 0 lossless, 1 something not carried, 2 error)",
    )
    .option(
      "--task-definition <file|arn>",
      "ECS task definition: a JSON/YAML file, or an ARN (or FAMILY:REVISION) to read from AWS",
    )
    .option(
      "--service <file|cluster/service>",
      "ECS service: a JSON/YAML file, or CLUSTER/SERVICE (or ARN) to read",
    )
    .addOption(namespace())
    .option("--name <name>", "record name (default: the service name, else the family)")
    .addOption(new Option("-o, --output <format>", "yaml or json").choices(["yaml", "json"]).default("yaml"))
    .option(
      "--account-id <id>",
      "account that role names belong to (default: the account of an ARN in the input)",
    )
    .action((opts: Omit<ImportCommandOptions, "output"> & { output: "yaml" | "json" }, cmd: Command) =>
      run(cmd, async (ctx) => (await import("./commands/import.js")).runImport(ctx, opts), "offline"),
    );

  program
    .command("apply")
    .description(
      "validate every document, then create or update each record (nothing is written if any is invalid)",
    )
    .addOption(files())
    .addOption(namespace())
    .option("--dry-run", "say what would be created, updated or unchanged, and write nothing", false)
    .action((opts: { filename: string[]; namespace?: string; dryRun: boolean }, cmd: Command) =>
      run(cmd, async (ctx) =>
        (await import("./commands/apply.js")).runApply(ctx, {
          files: opts.filename,
          dryRun: opts.dryRun,
          ...(opts.namespace === undefined ? {} : { namespace: opts.namespace }),
        }),
      ),
    );

  program
    .command("get")
    .description("list records of a kind, or show one")
    .argument("<kind>", KIND_HELP)
    .argument("[name]", "record name")
    .addOption(namespace().default("default"))
    .option("-A, --all-namespaces", "list across every namespace", false)
    .addOption(
      new Option("-o, --output <format>", "table, yaml or json")
        .default("table")
        .argParser(parseOutputFormat),
    )
    .option("-w, --watch", "after listing, print each change (as `fargatectl watch`; Ctrl-C to stop)", false)
    .option("--for <kind/name>", "with `get events`: one record's events, e.g. fs/web")
    .addHelpText(
      "after",
      "\n`get events [-n NS|-A] [--for KIND/NAME] [-w]` lists what the controller did and saw, oldest first.",
    )
    .action(
      (
        kind: string,
        name: string | undefined,
        opts: {
          namespace: string;
          allNamespaces: boolean;
          output: ReturnType<typeof parseOutputFormat>;
          watch: boolean;
          for?: string;
        },
        cmd: Command,
      ) =>
        run(cmd, (ctx) => {
          if (EVENT_KINDS.includes(kind.toLowerCase())) return getEvents(ctx, opts, name);
          if (opts.for !== undefined)
            throw new CliError(
              "--for is for `get events`; `get KIND NAME` shows one record",
              ExitCode.Failure,
            );
          const selection = {
            kind,
            namespace: opts.namespace,
            allNamespaces: opts.allNamespaces,
            ...(name === undefined ? {} : { name }),
          };
          return opts.watch
            ? watchUntilInterrupted(ctx, selection)
            : import("./commands/get.js").then((m) => m.runGet(ctx, { ...selection, output: opts.output }));
        }),
    );

  program
    .command("describe")
    .description("show one record: metadata, conditions, status, spec and events")
    .argument("<kind>", KIND_HELP)
    .argument("<name>", "record name")
    .addOption(namespace().default("default"))
    .action((kind: string, name: string, opts: { namespace: string }, cmd: Command) =>
      run(cmd, async (ctx) =>
        (await import("./commands/get.js")).runDescribe(ctx, kind, name, opts.namespace),
      ),
    );

  program
    .command("delete")
    .description("delete a record; the controller cleans up AWS and Consul, then removes it")
    .argument("<kind>", KIND_HELP)
    .argument("<name>", "record name")
    .addOption(namespace().default("default"))
    .option("--wait", "wait until the record is gone", false)
    .addOption(
      new Option("--timeout <duration>", "how long --wait waits, e.g. 300s or 10m")
        .default(300_000, "5m")
        .argParser(parseDuration),
    )
    .action(
      (
        kind: string,
        name: string,
        opts: { namespace: string; wait: boolean; timeout: number },
        cmd: Command,
      ) =>
        run(cmd, async (ctx) =>
          (await import("./commands/delete.js")).runDelete(ctx, {
            kind,
            name,
            namespace: opts.namespace,
            wait: opts.wait,
            timeoutMs: opts.timeout,
          }),
        ),
    );

  addUserCommands(program, run, KIND_HELP);

  const table = program.command("table").description("manage the DynamoDB table");
  table
    .command("create")
    .description(
      "create the table (on-demand, stream NEW_AND_OLD_IMAGES, kind index, TTL); no-op if it exists",
    )
    .action((_opts: unknown, cmd: Command) =>
      run(cmd, async (ctx) => (await import("./commands/table.js")).runTableCreate(ctx)),
    );

  const controller = program
    .command("controller")
    .description("run the controller: reconcile every record until SIGTERM or SIGINT")
    .addHelpText(
      "after",
      "\nSettings resolve as flag > environment > default; durations take 300s, 10m or 1h.",
    );
  for (const spec of controllerOptionSpecs()) controller.option(spec.flags, spec.description);
  controller.action(async (_opts: unknown, cmd: Command) => {
    const { runControllerCommand } = await import("../reconcilers/command.js");
    result.exitCode = await runControllerCommand(flagsFromOptions(cmd.optsWithGlobals()), readEnvironment());
  });

  const catalogSync = program
    .command("catalog-sync")
    .description(
      "run one Consul ⇄ Cloud Map sync engine (what a CatalogSync with placement: task runs) until SIGTERM or SIGINT",
    )
    .addHelpText(
      "after",
      "\nThe engine config comes from $FARGATE_OPERATOR_SYNC_CONFIG (JSON) or --sync-config; each flag overrides\n" +
        "its field. With a table (--table or $FARGATE_OPERATOR_TABLE) the engine takes the namespace's sync lease\n" +
        "and writes its reports onto the CatalogSync's status. Settings resolve as flag > environment > default.",
    );
  for (const spec of catalogSyncOptionSpecs()) catalogSync.option(spec.flags, spec.description);
  catalogSync.action(async (_opts: unknown, cmd: Command) => {
    const { runCatalogSyncCommand } = await import("./commands/catalog-sync.js");
    result.exitCode = await runCatalogSyncCommand(
      catalogSyncFlagsFromOptions(cmd.optsWithGlobals()),
      readEnvironment(),
    );
  });

  program
    .command("dev")
    .description(
      "run the local stack: DynamoDB Local, ECS/Cloud Map and Consul simulators, the controller, the examples",
    )
    .option("--examples <path>", "specs to apply once the stack is up", "examples")
    .option("--no-examples", "apply nothing")
    .addOption(
      new Option("--status-interval <duration>", "how often the status table refreshes")
        .default(2_000, "2s")
        .argParser(parseDuration),
    )
    .option("--keep-logs", "keep the controller log (a private temporary file) after exit", false)
    .option(
      "--ui-address <host:port>",
      "where the controller serves the status page (empty disables)",
      "127.0.0.1:8081",
    )
    .action(
      (
        opts: { examples: string | false; statusInterval: number; keepLogs: boolean; uiAddress: string },
        cmd: Command,
      ) =>
        run(cmd, async (ctx) =>
          (await import("./commands/dev.js")).runDev(ctx, {
            examples: opts.examples,
            statusIntervalMs: opts.statusInterval,
            keepLogs: opts.keepLogs,
            uiAddress: opts.uiAddress,
          }),
        ),
    );

  return program;
}

/**
 * `fargatectl dev`: the local stack (DynamoDB Local, the ECS/Cloud Map and Consul simulators, the table), the
 * controller in-process, the examples applied; prints `export` lines, then `ready`, then status as it changes.
 */
import { EventEmitter } from "node:events";
import { dirname } from "node:path";
import { KINDS } from "../../crds/meta.js";
import { openPrivateLog } from "../../dev/private-log.js";
import { DEV_CREDENTIALS, startDevStack } from "../../dev/stack.js";
import { runControllerCommand } from "../../reconcilers/command.js";
import { createDynamoResourceStore } from "../../store/index.js";
import type { ResourceStore } from "../../store/types.js";
import type { CliContext } from "../context.js";
import { ExitCode } from "../errors.js";
import { loadDocuments, readSources, readStdin } from "../input.js";
import { formatTable } from "../output.js";

/** Options of `dev`. */
export interface DevOptions {
  /** Directory (or file) of specs to apply once the stack is up; none with `--no-examples`. */
  examples: string | false;
  /** How often the status table is refreshed (ms). */
  statusIntervalMs: number;
  /** Keep the controller log after exit (it is removed otherwise). */
  keepLogs?: boolean;
  /** Where the controller serves the status page (`--ui-address`; "" disables it). */
  uiAddress?: string;
}

/** Runs the local stack until SIGINT/SIGTERM; returns the exit code. */
export async function runDev(ctx: CliContext, options: DevOptions): Promise<number> {
  const { region, table } = ctx.settings;
  const signals = new EventEmitter();
  // Private: the log may name records and endpoints, and a predictable /tmp name invites symlink games.
  const log = await openPrivateLog({
    prefix: "fargate-operator-dev-",
    fileName: "controller.log",
    keep: options.keepLogs === true,
  });
  // Each simulated sync task's `fargatectl catalog-sync` process logs beside the controller.
  const stack = await startDevStack({
    region,
    table,
    progress: (line) => ctx.err(`${line}\n`),
    taskLogDir: dirname(log.path),
  }).catch(async (error: unknown) => {
    await log.close();
    throw error;
  });
  const store = createDynamoResourceStore({
    tableName: table,
    region,
    endpoints: { dynamodb: stack.dynamodbEndpoint, dynamodbStreams: stack.dynamodbEndpoint },
    credentials: DEV_CREDENTIALS,
  });
  let pageUrl: (url: string | undefined) => void = () => undefined;
  const statusPage = new Promise<string | undefined>((resolve) => {
    pageUrl = resolve;
  });
  const controller = runControllerCommand(
    {
      "metrics-address": "127.0.0.1:0",
      "ui-address": options.uiAddress ?? "127.0.0.1:8081",
      "lease-duration": "3s",
      "lease-heartbeat": "1s",
      // Simulated rollouts take seconds: look again each second, so a finished one shows Ready at once.
      "rollout-poll-interval": "1s",
      // The examples' task-placed CatalogSync names a token secret under this prefix.
      "consul-token-secret-prefixes": "arn:aws:secretsmanager:eu-west-1:123456789012:secret:consul/",
    },
    stack.environment,
    {
      signals,
      logDestination: log.stream,
      store,
      leases: store.leases,
      syncOwners: store.syncOwners,
      credentials: DEV_CREDENTIALS,
      onStatusPage: (page) => pageUrl(page.url),
      onStarted: () => pageUrl(undefined), // after onStatusPage: without a page, nothing to print
    },
  );
  void controller.finally(() => pageUrl(undefined));
  let stopping = false;
  const stopped = new Promise<void>((resolve) => {
    const stop = () => {
      if (stopping) return;
      stopping = true;
      ctx.err("stopping the local stack\n");
      resolve();
    };
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
  try {
    ctx.err(`controller logs: ${log.path}\n`);
    if (options.examples !== false) await applyExamples(ctx, store, options.examples);
    for (const [name, value] of Object.entries(stack.environment)) ctx.out(`export ${name}=${value}\n`);
    const url = await statusPage;
    if (url !== undefined) {
      ctx.out(`export FARGATE_OPERATOR_UI_URL=${url}\n`);
      ctx.err(`status page: ${url}\n`);
    } else if (options.uiAddress !== "") {
      ctx.err(
        "status page: not served (its port is taken? see the controller log; --ui-address picks another)\n",
      );
    }
    ctx.out(
      `ready: ${stack.dynamodbKind} at ${stack.dynamodbEndpoint}, simulators at ${stack.aws.endpoint} and ${stack.consul.url}\n`,
    );
    let last = "";
    const timer = setInterval(() => {
      void statusTables(store, ctx.now()).then(
        ({ text, signature }) => {
          if (signature !== last && !stopping) ctx.out(`\n${text}`);
          last = signature;
        },
        () => undefined,
      );
    }, options.statusIntervalMs);
    await stopped;
    clearInterval(timer);
    return ExitCode.Ok;
  } finally {
    signals.emit("SIGTERM");
    await controller.catch(() => ExitCode.Failure);
    store.destroy();
    await log.close();
    if (options.keepLogs === true) ctx.err(`controller logs kept in ${log.path}\n`);
    await stack.stop();
  }
}

async function applyExamples(ctx: CliContext, store: ResourceStore, path: string): Promise<void> {
  const loaded = loadDocuments(await readSources([path], readStdin));
  for (const line of loaded.errors) ctx.err(`${line}\n`);
  // All at once (the controller is level-triggered, order does not matter); reported in file order.
  const results = await Promise.all(loaded.documents.map(({ document }) => store.apply(document)));
  loaded.documents.forEach(({ document }, i) => {
    ctx.err(`${document.kind.toLowerCase()}/${document.metadata.name} ${results[i]?.outcome ?? ""}\n`);
  });
}

/** The status tables, and a signature without ages so a table is printed again only when something changed. */
async function statusTables(store: ResourceStore, now: number): Promise<{ text: string; signature: string }> {
  const text: string[] = [];
  const signature: string[] = [];
  for (const kind of KINDS) {
    const records = await store.list(kind);
    if (records.length === 0) continue;
    text.push(`${kind}\n${formatTable(kind, records, true, now)}`);
    signature.push(formatTable(kind, records, true, 0));
  }
  return { text: text.join("\n"), signature: signature.join("\n") };
}

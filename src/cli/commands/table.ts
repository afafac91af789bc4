/** `fargatectl table create`: the one DynamoDB table (on-demand, stream, kind index, TTL). */
import { resolveEndpoints } from "../../config/common.js";
import { createStoreClients } from "../../store/clients.js";
import { createTable } from "../../store/index.js";
import type { CliContext } from "../context.js";
import { ExitCode } from "../errors.js";

/** Runs `table create`; returns the exit code. */
export async function runTableCreate(ctx: CliContext): Promise<number> {
  const endpoints = resolveEndpoints(ctx.settings);
  const clients = createStoreClients(
    {
      region: ctx.settings.region,
      ...(endpoints.dynamodb === undefined ? {} : { endpoint: endpoints.dynamodb }),
    },
    3,
  );
  try {
    const result = await createTable(clients.dynamodb, ctx.settings.table);
    ctx.out(`table ${ctx.settings.table} ${result.outcome === "created" ? "created" : "already exists"}\n`);
    return ExitCode.Ok;
  } finally {
    clients.dynamodb.destroy();
  }
}

/** The status page (DESIGN.md §11): started by the controller on `--ui-address` over its informer caches. */
import type { Clock } from "../clock.js";
import { parseListenAddress } from "../config/controller.js";
import type { Logger } from "../log.js";
import { type StatusPage, startStatusPage } from "./server.js";
import { type InformerLookup, informerSource } from "./source.js";
import type { EventLister } from "./types.js";

export type { StatusPage } from "./server.js";
export { startStatusPage } from "./server.js";
export type { EventLister, EventView, InvolvedObject, RecordSource } from "./types.js";

/**
 * Starts the page on `address` ("" disables it). A page that cannot listen (the port is taken) is logged as an
 * error and left out: the page is for people looking, and must never keep the controller from reconciling.
 */
export async function startControllerStatusPage(input: {
  address: string;
  informers: InformerLookup;
  log: Logger;
  clock?: Clock;
  events?: EventLister;
}): Promise<StatusPage | undefined> {
  if (input.address === "") return undefined;
  const { host, port } = parseListenAddress(input.address);
  try {
    return await startStatusPage({
      host,
      port,
      source: informerSource(input.informers),
      log: input.log,
      ...(input.clock === undefined ? {} : { clock: input.clock }),
      ...(input.events === undefined ? {} : { events: input.events }),
    });
  } catch (error) {
    input.log.error(
      { err: error, address: input.address },
      "status page could not listen; running without it",
    );
    return undefined;
  }
}

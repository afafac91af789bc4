/** Events as kubectl shows them: `describe`'s `Events:` table and `get events` rows (pure). */
import type { EventView } from "../store/events.js";
import { alignColumns, formatAge } from "./output.js";

/** kubectl's age of a series: `5m`, or `2m (x3 over 10m)` when it happened more than once. */
export function eventAge(event: EventView, now: number): string {
  const last = formatAge(event.lastTimestamp, now);
  return event.count > 1 ? `${last} (x${event.count} over ${formatAge(event.firstTimestamp, now)})` : last;
}

/** One line of a message (a multi-line message would break the table). */
function oneLine(message: string): string {
  return message.replace(/\s*\n\s*/g, " ");
}

/** `describe`'s closing section: `Events:` with a TYPE REASON AGE MESSAGE table, or `<none>`. */
export function formatEventsSection(events: readonly EventView[] | undefined, now: number): string {
  if (events === undefined) return "Events:       <unknown> (this store keeps no events)\n";
  if (events.length === 0) return "Events:       <none>\n";
  const table = alignColumns([
    ["TYPE", "REASON", "AGE", "MESSAGE"],
    ...events.map((e) => [e.type, e.reason, eventAge(e, now), oneLine(e.message)]),
  ]);
  return `Events:\n${table
    .trimEnd()
    .split("\n")
    .map((line) => `  ${line}`)
    .join("\n")}\n`;
}

/** The OBJECT column: `fargateservice/web`, as kubectl writes `pod/web-1`. */
export function eventObject(event: EventView): string {
  return `${event.involved.kind.toLowerCase()}/${event.involved.name}`;
}

/** The rows of `get events` (NAMESPACE first with -A); the header row first. */
export function eventRows(events: readonly EventView[], allNamespaces: boolean, now: number): string[][] {
  const header = ["LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"];
  const rows = events.map((e) => [eventAge(e, now), e.type, e.reason, eventObject(e), oneLine(e.message)]);
  return allNamespaces
    ? [["NAMESPACE", ...header], ...rows.map((row, i) => [events[i]?.involved.namespace ?? "", ...row])]
    : [header, ...rows];
}

/** `get events` as a table. */
export function formatEventTable(events: readonly EventView[], allNamespaces: boolean, now: number): string {
  return alignColumns(eventRows(events, allNamespaces, now));
}

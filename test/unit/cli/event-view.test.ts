import { describe, expect, it } from "vitest";
import { formatEventsSection, formatEventTable } from "../../../src/cli/event-view.js";
import type { EventView } from "../../../src/store/events.js";

const NOW = Date.parse("2025-01-01T01:00:00.000Z");

const failed: EventView = {
  type: "Warning",
  reason: "RolloutFailed",
  message: "deployment failed (Essential container in task exited: exit code 1)",
  count: 3,
  firstTimestamp: "2025-01-01T00:50:00.000Z",
  lastTimestamp: "2025-01-01T00:55:00.000Z",
  involved: { kind: "FargateService", namespace: "team-a", name: "web" },
};
const created: EventView = {
  ...failed,
  type: "Normal",
  reason: "ServiceCreated",
  message: "created ECS service web",
  count: 1,
  firstTimestamp: "2025-01-01T00:40:00.000Z",
  lastTimestamp: "2025-01-01T00:40:00.000Z",
};

describe("events as kubectl shows them", () => {
  it("ends describe with an Events: table, repeats as (xN over AGE)", () => {
    expect(formatEventsSection([created, failed], NOW)).toBe(
      [
        "Events:",
        "  TYPE      REASON           AGE                MESSAGE",
        "  Normal    ServiceCreated   20m                created ECS service web",
        "  Warning   RolloutFailed    5m (x3 over 10m)   deployment failed (Essential container in task exited: exit code 1)",
        "",
      ].join("\n"),
    );
  });

  it("says <none> when there are none", () => {
    expect(formatEventsSection([], NOW)).toBe("Events:       <none>\n");
  });

  it("lists get events with the object, and the namespace first under -A", () => {
    const table = formatEventTable([failed], true, NOW);
    expect(table.split("\n")[0]).toMatch(/^NAMESPACE\s+LAST SEEN\s+TYPE\s+REASON\s+OBJECT\s+MESSAGE$/);
    expect(table).toContain("team-a      5m (x3 over 10m)   Warning   RolloutFailed   fargateservice/web");
  });
});

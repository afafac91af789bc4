import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { Kind } from "../../../src/crds/meta.js";
import type { StoredResource } from "../../../src/store/types.js";
import { CONTENT_SECURITY_POLICY, renderPage } from "../../../src/ui/layout.js";
import { renderOverview } from "../../../src/ui/overview.js";
import { renderRecord } from "../../../src/ui/record.js";
import { conditions, readyService, storedRecord } from "../../support/ui-records.js";

const HOSTILE = `<img src=x onerror="window.pwned=1">`;
const NOW = Date.parse("2025-01-01T01:00:00Z");

function byKind(records: StoredResource[]): Map<Kind, StoredResource[]> {
  const out = new Map<Kind, StoredResource[]>();
  for (const r of records) out.set(r.kind, [...(out.get(r.kind) ?? []), r]);
  return out;
}

describe("status page rendering", () => {
  it("lists every record with state, replicas, rollout bar and both DNS names", () => {
    const html = renderOverview(
      byKind([readyService("team-a", "web", 1, 2), readyService("team-b", "api")]),
      NOW,
    );
    expect(html).toContain(`href="/r/FargateService/team-a/web"`);
    expect(html).toContain("web.apps.internal");
    expect(html).toContain("api.service.consul");
    expect(html).toContain(`<progress max="2" value="1"`);
    expect(html).toContain("IN_PROGRESS");
    expect(html).toMatch(/data-total="Ready"><strong>1<\/strong>/);
  });

  it("renders hostile names, labels and messages as text, in content and in attributes", () => {
    const r = storedRecord("FargateService", "team-a", `web${HOSTILE}`, {
      labels: { team: HOSTILE },
      status: { conditions: conditions("Stalled", "PolicyViolation", `"><script>alert(1)</script>`) },
    });
    const overview = renderOverview(byKind([r]), NOW);
    const record = renderRecord(r, { shown: true, events: [] }, NOW);
    for (const html of [overview, record]) {
      expect(html).not.toContain("<img");
      expect(html).not.toContain("<script");
      expect(html).toContain("&lt;img src=x onerror=&quot;window.pwned=1&quot;&gt;");
    }
    // The link's path is percent-encoded: a name cannot leave its attribute or change the route.
    expect(overview).toContain(
      `/r/FargateService/team-a/web%3Cimg%20src%3Dx%20onerror%3D%22window.pwned%3D1%22%3E`,
    );
  });

  it("shows conditions, status, spec without secret values, and events only when they are wired", () => {
    const r = readyService("team-a", "web");
    r.spec.containers = [{ name: "web", image: "nginx", environment: { DB_PASSWORD: "hunter2" } }];
    const events = [
      {
        type: "Warning" as const,
        reason: "RolloutFailed",
        message: "Essential container in task exited (exit code 1)",
        count: 3,
        firstTimestamp: "2025-01-01T00:10:00Z",
        lastTimestamp: "2025-01-01T00:50:00Z",
        involved: { kind: "FargateService" as const, namespace: "team-a", name: "web" },
      },
    ];
    const withEvents = renderRecord(r, { shown: true, events }, NOW);
    expect(withEvents).toContain(`<table id="conditions">`);
    expect(withEvents).toContain("<h2>Status</h2>");
    expect(withEvents).toContain("DB_PASSWORD");
    expect(withEvents).not.toContain("hunter2");
    expect(withEvents).toContain("Essential container in task exited (exit code 1)");
    expect(withEvents).toContain("(x3 over");
    expect(renderRecord(r, { shown: false }, NOW)).not.toContain("Events");
  });

  it("allows exactly its own inline style and script in the Content-Security-Policy", () => {
    const page = renderPage({ title: HOSTILE, body: "", streamUrl: `/stream?v=1"><x` });
    const script = /<script>([\s\S]*?)<\/script>/.exec(page)?.[1] ?? "";
    const style = /<style>([\s\S]*?)<\/style>/.exec(page)?.[1] ?? "";
    const hash = (text: string) => `'sha256-${createHash("sha256").update(text).digest("base64")}'`;
    expect(CONTENT_SECURITY_POLICY).toContain(`script-src ${hash(script)}`);
    expect(CONTENT_SECURITY_POLICY).toContain(`style-src ${hash(style)}`);
    expect(CONTENT_SECURITY_POLICY).toContain("default-src 'none'");
    expect(page).not.toContain("<img");
    expect(page).toContain(`data-stream="/stream?v=1&quot;&gt;&lt;x"`);
  });
});

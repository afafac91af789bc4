import { describe, expect, it } from "vitest";
import { escapeHtml, safeJson } from "../../../src/ui/escape.js";
import { dnsNames, fleetState, HIDDEN, redact, rolloutOf, summarize, syncOf } from "../../../src/ui/model.js";
import { conditions, readyService, storedRecord } from "../../support/ui-records.js";

describe("status page model", () => {
  it("counts the fleet by Ready/Reconciling/Stalled per namespace", () => {
    const records = [
      readyService("team-a", "web"),
      readyService("team-a", "api", 1, 3),
      storedRecord("CatalogSync", "team-b", "sync", {
        status: { conditions: conditions("Stalled", "PolicyViolation") },
      }),
      storedRecord("CloudMapNamespace", "team-b", "ns"), // no status yet
    ];
    expect(summarize(records)).toEqual({
      total: { Ready: 1, Reconciling: 2, Stalled: 1 },
      namespaces: [
        { namespace: "team-a", counts: { Ready: 1, Reconciling: 1, Stalled: 0 } },
        { namespace: "team-b", counts: { Ready: 0, Reconciling: 1, Stalled: 1 } },
      ],
    });
  });

  it("does not call a record Ready for a spec the controller has not acted on, nor while it is deleted", () => {
    const r = readyService("a", "web");
    expect(fleetState(r)).toBe("Ready");
    expect(fleetState({ ...r, status: { ...r.status, observedSpecHash: "older" } })).toBe("Reconciling");
    expect(fleetState({ ...r, metadata: { ...r.metadata, deletionTimestamp: "2025-01-02T00:00:00Z" } })).toBe(
      "Reconciling",
    );
  });

  it("takes both DNS names from status.endpoints, replicas and rollout from status", () => {
    const r = readyService("a", "web", 1, 3);
    expect(dnsNames(r)).toEqual({ cloudMap: "web.apps.internal", consul: "web.service.consul" });
    expect(rolloutOf(r)).toEqual({ running: 1, desired: 3, pending: 2, state: "IN_PROGRESS" });
    expect(
      dnsNames(storedRecord("CloudMapNamespace", "p", "n", { spec: { dnsName: "apps.internal" } })),
    ).toEqual({
      cloudMap: "apps.internal",
    });
  });

  it("reads a CatalogSync's counts, writes, lag and errors", () => {
    const r = storedRecord("CatalogSync", "p", "s", {
      status: {
        sync: {
          toCloudMap: [{}, {}],
          toConsul: [{}],
          writes: { toCloudMap: 4, toConsul: 1 },
          lagMs: { toCloudMap: 20 },
          lastSyncToConsul: "2025-01-01T00:00:00Z",
          errors: { toConsul: "Consul answered 403 token=abc123" },
        },
      },
    });
    expect(syncOf(r)).toMatchObject({
      toCloudMap: 2,
      toConsul: 1,
      writesToCloudMap: 4,
      writesToConsul: 1,
      lagMsToCloudMap: 20,
      lastSyncToConsul: "2025-01-01T00:00:00Z",
    });
    expect(syncOf(r).errors.join()).not.toContain("abc123");
  });

  it("hides values that could be secrets and keeps references and names", () => {
    const spec = {
      containers: [
        {
          name: "web",
          environment: { DB_PASSWORD: "hunter2", MODE: "prod" },
          secrets: { API_KEY: "arn:aws:secretsmanager:eu-west-1:1:secret:api" },
          logConfiguration: {
            logDriver: "splunk",
            options: { "splunk-token": "s3cr3t", "splunk-url": "https://x" },
          },
          firelensConfiguration: { type: "fluentbit", options: { apikey: "dd-key" } },
        },
      ],
      consul: {
        tokenFrom: { secretArn: "arn:aws:secretsmanager:eu-west-1:1:secret:consul/t", env: "CONSUL_TOKEN" },
      },
    };
    const shown = JSON.stringify(redact(spec));
    for (const secret of ["hunter2", "prod", "s3cr3t", "dd-key"]) expect(shown).not.toContain(secret);
    for (const kept of [
      "DB_PASSWORD",
      "MODE",
      "splunk-url",
      "https://x",
      "secret:api",
      "secret:consul/t",
      "CONSUL_TOKEN",
    ])
      expect(shown).toContain(kept);
    expect(shown).toContain(HIDDEN);
    expect(JSON.stringify(redact({ environment: [{ name: "A", value: "v" }] }))).toBe(
      `{"environment":[{"name":"A","value":"${HIDDEN}"}]}`,
    );
  });

  it("escapes for text, attributes and JSON inside a script or an SSE line", () => {
    expect(escapeHtml(`<img src=x onerror="alert('1')">`)).toBe(
      "&lt;img src=x onerror=&quot;alert(&#39;1&#39;)&quot;&gt;",
    );
    const json = safeJson({ html: "</script><b>\n\u2028&" });
    expect(json).not.toMatch(/[<>&\n\u2028]/);
    expect(JSON.parse(json)).toEqual({ html: "</script><b>\n\u2028&" });
  });
});

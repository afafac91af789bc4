/**
 * The status page in a real browser (Debian's chromium-headless-shell): the controller in-process on DynamoDB
 * Local with the AWS simulator behind ECS and Cloud Map, records written with `fargatectl apply`, the page read
 * as a user reads it. Everything listens on 127.0.0.1 and is stopped after.
 */
import { EventEmitter } from "node:events";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AwsSimulator, startAwsSimulator } from "../../src/dev/aws-sim/index.js";
import { runControllerCommand } from "../../src/reconcilers/command.js";
import type { DynamoResourceStore } from "../../src/store/dynamo-store.js";
import type { StatusPage } from "../../src/ui/index.js";
import { launchChromium } from "../support/browser.js";
import { endpointOf, freshStore, TEST_CREDENTIALS, waitFor } from "../support/store-fixtures.js";
import { cli, specDir } from "./cli-support.js";

const HOSTILE = `<img src=x onerror="window.__pwned = 1">`;

function namespaceYaml(name: string, labels: Record<string, string> = {}): string {
  const labelLines = Object.entries(labels)
    .map(([k, v]) => `    ${k}: ${JSON.stringify(v)}`)
    .join("\n");
  return `apiVersion: fargate-operator/v1alpha1
kind: CloudMapNamespace
metadata:
  name: ${name}
${labelLines === "" ? "" : `  labels:\n${labelLines}\n`}spec:
  dnsName: ${name}.internal
  vpcId: vpc-0123456789abcdef0
`;
}

describe("status page in headless Chromium", () => {
  let store: DynamoResourceStore;
  let sim: AwsSimulator;
  let browser: Browser;
  const signals = new EventEmitter();
  let exit: Promise<number>;
  let statusPage: StatusPage | undefined;

  beforeAll(async () => {
    store = await freshStore(endpointOf("dynamodbLocalEndpoint"));
    sim = await startAwsSimulator({ operationSeconds: 0.2 });
    await cli(
      store,
      "apply",
      "-f",
      await specDir({ "a.yaml": namespaceYaml("alpha"), "b.yaml": namespaceYaml("beta") }),
    );
    exit = runControllerCommand(
      {
        "metrics-address": "127.0.0.1:0",
        "ui-address": "127.0.0.1:0",
        "lease-name": "ui",
        "lease-duration": "1.5s",
        "lease-heartbeat": "500ms",
        "watch-poll-interval": "100ms",
        table: store.tableName,
      },
      { AWS_ENDPOINT_URL_ECS: sim.endpoint, AWS_ENDPOINT_URL_SERVICEDISCOVERY: sim.endpoint },
      {
        credentials: TEST_CREDENTIALS,
        store,
        leases: store.leases,
        syncOwners: store.syncOwners,
        signals,
        logDestination: { write: () => undefined },
        onStatusPage: (p) => {
          statusPage = p;
        },
      },
    );
    await waitFor(() => statusPage, "the status page");
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    signals.emit("SIGTERM");
    await exit;
    store?.destroy();
    await sim?.stop();
  });

  async function open(path = "/"): Promise<{ page: Page; violations: string[]; dialogs: string[] }> {
    const page = await browser.newPage();
    const violations: string[] = [];
    const dialogs: string[] = [];
    page.on("dialog", (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    await page.exposeFunction("__cspViolation", (v: string) => violations.push(v));
    await page.addInitScript(
      `document.addEventListener("securitypolicyviolation", (e) => window.__cspViolation(e.violatedDirective + " " + e.blockedURI));`,
    );
    await page.goto(new URL(path, statusPage?.url).href);
    return { page, violations, dialogs };
  }

  it("shows every record with its state, and the live stream connects under the strict policy", async () => {
    const { page, violations } = await open();
    await expect.poll(() => page.locator("#kind-CloudMapNamespace tbody tr").count()).toBe(2);
    await page.getByRole("link", { name: "alpha", exact: true }).waitFor();
    await page.locator("#live-state", { hasText: "live" }).waitFor();
    // The simulator creates both namespaces: the page turns them Ready without a reload.
    await page
      .locator(`#kind-CloudMapNamespace tr[data-key="CloudMapNamespace/default/alpha"] .state.Ready`)
      .waitFor({ timeout: 15_000 });
    expect(await page.locator(`[data-total="Ready"] strong`).textContent()).not.toBe("0");
    expect(violations).toEqual([]);
    await page.close();
  });

  it("shows a change made with fargatectl apply within 2 s, without a reload", async () => {
    const { page } = await open();
    await page.getByRole("link", { name: "beta", exact: true }).waitFor();
    await page.evaluate("window.__sameDocument = true");
    const applied = await cli(
      store,
      "apply",
      "-f",
      await specDir({ "g.yaml": namespaceYaml("gamma", { tier: "fresh-from-apply" }) }),
    );
    expect(applied.code, applied.err).toBe(0);
    await page.getByText("tier=fresh-from-apply").waitFor({ timeout: 2_000 });
    await page.getByRole("link", { name: "gamma", exact: true }).waitFor({ timeout: 2_000 });
    expect(await page.evaluate("window.__sameDocument")).toBe(true);
    await page.close();
  });

  it("renders a hostile label as text: no element is made and no script runs", async () => {
    const applied = await cli(
      store,
      "apply",
      "-f",
      await specDir({ "h.yaml": namespaceYaml("hostile", { note: HOSTILE }) }),
    );
    expect(applied.code, applied.err).toBe(0);
    const { page, dialogs } = await open();
    await page.getByText(`note=${HOSTILE}`).waitFor({ timeout: 5_000 });
    expect(await page.getByText(`note=${HOSTILE}`).isVisible()).toBe(true);
    // And again after a live update replaced the table.
    await cli(
      store,
      "apply",
      "-f",
      await specDir({ "h2.yaml": namespaceYaml("hostile", { note: `${HOSTILE}!` }) }),
    );
    await page.getByText(`note=${HOSTILE}!`).waitFor({ timeout: 5_000 });
    expect(await page.locator("img").count()).toBe(0);
    expect(await page.evaluate("window.__pwned")).toBeUndefined();
    expect(dialogs).toEqual([]);
    const record = await open("/r/CloudMapNamespace/default/hostile");
    await record.page.getByText(`note=${HOSTILE}!`).waitFor();
    expect(await record.page.locator("img").count()).toBe(0);
    expect(await record.page.evaluate("window.__pwned")).toBeUndefined();
    await page.close();
    await record.page.close();
  });

  it("opens a record's page from the table, with its conditions, status and spec", async () => {
    const { page, violations } = await open();
    await page.getByRole("link", { name: "alpha", exact: true }).click();
    await page.waitForURL(/\/r\/CloudMapNamespace\/default\/alpha$/);
    const ready = page.locator("#conditions tr", { hasText: "Ready" }).first();
    await ready.waitFor();
    await page.locator("#conditions tr", { hasText: "NamespaceReady" }).first().waitFor({ timeout: 15_000 });
    expect(await page.getByRole("heading", { name: "Spec" }).isVisible()).toBe(true);
    expect(await page.locator("pre").first().textContent()).toContain("namespaceId");
    expect(await page.getByText("alpha.internal").first().isVisible()).toBe(true);
    // The controller's own events for the record, read from the store's event items (refreshed while open).
    await page.locator("#events tr", { hasText: "NamespaceReady" }).first().waitFor({ timeout: 15_000 });
    expect(violations).toEqual([]);
    await page.close();
  });
});

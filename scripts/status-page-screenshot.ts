/**
 * Takes docs/images/status-page.png: starts `fargatectl dev` (the examples applied) with the status page on a
 * free loopback port, waits until the examples have settled, and screenshots the fleet page in Debian's
 * chromium-headless-shell. `node --import tsx scripts/status-page-screenshot.ts [out.png]`. Stops everything after.
 */
import { spawn } from "node:child_process";
import { chromium } from "playwright-core";

const out = process.argv[2] ?? "docs/images/status-page.png";
const child = spawn(
  process.execPath,
  ["--import", "tsx", "src/cli/run.ts", "dev", "--ui-address", "127.0.0.1:0", "--status-interval", "1h"],
  { stdio: ["ignore", "pipe", "inherit"] },
);
try {
  const url = await new Promise<string>((resolve, reject) => {
    let text = "";
    child.stdout?.on("data", (d: Buffer) => {
      text += d.toString();
      const m = /^export FARGATE_OPERATOR_UI_URL=(.+)$/m.exec(text);
      if (m?.[1] !== undefined) resolve(m[1]);
    });
    child.once("exit", (code) => reject(new Error(`fargatectl dev exited (${code})`)));
  });
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium-headless-shell",
    headless: true,
    args: ["--no-sandbox"],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1440, height: 2400 }, deviceScaleFactor: 1 });
    await page.goto(url);
    // Until nothing is Reconciling any more, or 60 s: the page updates itself.
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      const reconciling = await page.locator(`[data-total="Reconciling"] strong`).textContent();
      if (reconciling === "0") break;
      await page.waitForTimeout(1_000);
    }
    await page.waitForTimeout(1_500);
    // A viewport taller than the page (rows off screen are not painted: content-visibility: auto), cut to the content.
    const height = await page.evaluate("Math.ceil(document.body.getBoundingClientRect().bottom) + 16");
    await page.screenshot({
      path: out,
      clip: { x: 0, y: 0, width: 1440, height: Math.min(Number(height), 2400) },
    });
    process.stdout.write(`wrote ${out}\n`);
  } finally {
    await browser.close();
  }
} finally {
  child.kill("SIGTERM");
  await new Promise((r) => child.once("exit", r));
}

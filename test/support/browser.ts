/**
 * Headless Chromium for the status page's browser tests: Debian's `chromium-headless-shell`, driven by
 * playwright-core. A missing browser fails the test loudly (`.ci/run` installs it); it is never skipped.
 */
import { existsSync } from "node:fs";
import { type Browser, chromium } from "playwright-core";

/** Where Debian installs the headless shell; `CHROMIUM_PATH` overrides it. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium-headless-shell";

/** Launches the headless shell; throws, saying how to install it, when it is missing. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `${CHROMIUM_PATH} is missing: the status page's browser tests need it (apt-get install -y chromium-headless-shell; .ci/run does this)`,
    );
  }
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: ["--no-sandbox"] });
}

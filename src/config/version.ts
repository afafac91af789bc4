/** The package's own version, read once from the nearest package.json (for default image tags). */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { findPackageRoot } from "../crds/schemas.js";

function readVersion(): string {
  const root = findPackageRoot(dirname(fileURLToPath(import.meta.url)));
  const parsed = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version?: unknown };
  return typeof parsed.version === "string" ? parsed.version : "0.0.0";
}

/** The `version` of this package (`0.1.0`). */
export const PACKAGE_VERSION: string = readVersion();

/** This project's container image, tagged with the package version (the `catalog-sync` task runs it). */
export const DEFAULT_SYNC_IMAGE = `ghcr.io/fargate-operator/fargate-operator:${PACKAGE_VERSION}`;

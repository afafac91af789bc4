/**
 * `npm run soak`: the reliability scenarios of test/integration/reliability with long loads, one file at a time
 * (they start processes and measure), on the integration test bed (DynamoDB Local and moto).
 */
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  root: fileURLToPath(new URL("../../", import.meta.url)),
  test: {
    name: "soak",
    include: ["test/soak/**/*.test.ts"],
    environment: "node",
    globalSetup: ["test/support/global-setup.ts"],
    fileParallelism: false,
    testTimeout: 30 * 60_000,
    hookTimeout: 120_000,
    reporters: ["default"],
  },
});

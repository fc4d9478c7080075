import os from "node:os";
import path from "node:path";
import { defineConfig } from "@playwright/test";
import { E2E_ADMIN, STORAGE_STATE } from "./auth-state";
import { CHROMIUM_ARGS, findChromium } from "./chromium";

const PORT = Number(process.env.E2E_PORT ?? 3311);
/** E2E_BACKEND=postgres: the same suite against PostgreSQL + S3 (the test services), see serve-backend.mjs. */
const ON_POSTGRES = process.env.E2E_BACKEND === "postgres";
// A fresh data directory per run: the suite starts from an empty database like a newcomer would.
const DATA_DIR = path.join(os.tmpdir(), `labelbench-e2e-${process.pid}-${Date.now()}`);

export default defineConfig({
  testDir: "./specs",
  globalSetup: "./global-setup.ts",
  outputDir: "./test-results",
  fullyParallel: false,
  workers: 1,
  retries: process.env.CI ? 1 : 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: [["list"]],
  use: {
    baseURL: `http://localhost:${PORT}`,
    viewport: { width: 1440, height: 900 },
    trace: "retain-on-failure",
    storageState: STORAGE_STATE,
    launchOptions: { executablePath: findChromium(), args: CHROMIUM_ARGS },
  },
  webServer: {
    // LABELBENCH_SERVER_DIST: a bundle built elsewhere (see scripts/build-server.mjs).
    command: ON_POSTGRES
      ? "node e2e/serve-backend.mjs"
      : process.env.LABELBENCH_SERVER_DIST
        ? `node --expose-gc --max-semi-space-size=4 --enable-source-maps ${path.resolve(process.env.LABELBENCH_SERVER_DIST, "main.js")}`
        : "npm run serve",
    cwd: "..",
    url: `http://localhost:${PORT}/api/v1/health`,
    reuseExistingServer: false,
    timeout: 60_000,
    env: {
      PORT: String(PORT),
      LABELBENCH_DATA_DIR: DATA_DIR,
      LOG_LEVEL: "warn",
      LABELBENCH_ADMIN_EMAIL: E2E_ADMIN.email,
      LABELBENCH_ADMIN_PASSWORD: E2E_ADMIN.password,
      // Test-only routes under /api/v1/test (a held tile queue, for gigapixel.spec.ts); see README.
      LABELBENCH_TEST_CONTROLS: "1",
    },
  },
});

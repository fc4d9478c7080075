import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    projects: [
      { test: { name: "packages", include: ["packages/*/src/**/*.test.ts"], environment: "node" } },
      { test: { name: "repo", include: ["scripts/**/*.test.ts"], environment: "node" } },
      {
        test: {
          name: "server",
          include: ["apps/server/src/**/*.test.ts"],
          environment: "node",
          // LABELBENCH_TEST_DATABASE_URL / _STORAGE_URL from `node scripts/test-services.mjs start`.
          setupFiles: [
            "apps/server/src/test-support/services-env.ts",
            "apps/server/src/test-support/postgres-setup.ts",
          ],
          testTimeout: 30_000,
          hookTimeout: 30_000,
        },
      },
      {
        test: {
          name: "web",
          include: ["apps/web/src/**/*.test.{ts,tsx}"],
          environment: "jsdom",
        },
      },
    ],
  },
});

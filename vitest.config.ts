import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const ROOT = fileURLToPath(new URL(".", import.meta.url));
const SERVER_SRC = "apps/server/src";

/**
 * The server test files that run on the suite's database backend: those that build their database
 * through test-support/app.ts or s3.ts (makeTestApp, TEST_BACKEND, makeS3TestApp). The others do the
 * same whatever the backend (or test both dialects themselves) and run once, in `server`.
 */
const backendDependent = (): string[] =>
  (fs.readdirSync(path.join(ROOT, SERVER_SRC), { recursive: true }) as string[])
    .filter((f) => f.endsWith(".test.ts"))
    .map((f) => path.posix.join(SERVER_SRC, f.split(path.sep).join("/")))
    .filter((f) =>
      /from "(?:\.\.?\/)+test-support\/(?:app|s3)\.js"/.test(fs.readFileSync(path.join(ROOT, f), "utf8")),
    )
    .sort();

// With the test services up (`node scripts/test-services.mjs start` writes .test-services/env and
// `stop` removes it; CI exports their URLs), the server suite also runs on PostgreSQL (+ S3 where
// it stores files): the `server-pg` project. Without them it is left out, and says so.
const postgres =
  Boolean(process.env.LABELBENCH_TEST_DATABASE_URL) || fs.existsSync(path.join(ROOT, ".test-services/env"));
const projectsAsked = process.argv.flatMap((a, i, all) =>
  a === "--project" ? [all[i + 1]] : a.startsWith("--project=") ? [a.slice(10)] : [],
);
if (!postgres && (projectsAsked.length === 0 || projectsAsked.includes("server-pg")))
  process.stderr.write(
    "server-pg skipped: no PostgreSQL for the tests (LABELBENCH_TEST_DATABASE_URL unset, no .test-services/env); `node scripts/test-services.mjs start` starts one\n",
  );

const server = {
  environment: "node" as const,
  // LABELBENCH_TEST_DATABASE_URL / _STORAGE_URL from `node scripts/test-services.mjs start`.
  setupFiles: [
    "apps/server/src/test-support/services-env.ts",
    "apps/server/src/test-support/postgres-setup.ts",
  ],
  testTimeout: 30_000,
  hookTimeout: 30_000,
};

export default defineConfig({
  test: {
    // Vitest's default is one worker per core less one: a single worker on a 2-core machine, where
    // most of the server suites wait on SQLite and PostgreSQL I/O rather than on the CPU.
    maxWorkers: 2,
    projects: [
      // The packages' property tests run thousands of seeded cases: correctness, not timing, so a
      // loaded machine (a CI runner beside other jobs) must not fail them at vitest's default 5 s.
      {
        test: {
          name: "packages",
          include: ["packages/*/src/**/*.test.ts"],
          environment: "node",
          testTimeout: 30_000,
        },
      },
      { test: { name: "repo", include: ["scripts/**/*.test.ts"], environment: "node" } },
      // On SQLite, unless LABELBENCH_TEST_BACKEND=postgres is set (npm run test:pg).
      { test: { name: "server", include: [`${SERVER_SRC}/**/*.test.ts`], ...server } },
      ...(postgres
        ? [
            {
              test: {
                name: "server-pg",
                include: backendDependent(),
                env: { LABELBENCH_TEST_BACKEND: "postgres" },
                ...server,
              },
            },
          ]
        : []),
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

import fs from "node:fs";
import path from "node:path";

/**
 * Vitest setup file (vitest.config.ts, server project): when LABELBENCH_TEST_DATABASE_URL and
 * LABELBENCH_TEST_STORAGE_URL are not set, takes them (and the AWS_* variables) from the env file
 * `node scripts/test-services.mjs start` writes. Variables already set win, so CI's exports and a
 * developer's own servers are never overridden.
 */
export const SERVICES_ENV_FILE = path.resolve(import.meta.dirname, "../../../../.test-services/env");

/** `KEY='value'` lines, as test-services.mjs writes them (and a shell sources them). */
export const parseEnvFile = (text: string): Record<string, string> => {
  const out: Record<string, string> = {};
  for (const line of text.split("\n")) {
    const m = /^([A-Z_][A-Z0-9_]*)=(?:'([^']*)'|(.*))$/.exec(line.trim());
    if (m?.[1]) out[m[1]] = m[2] ?? m[3] ?? "";
  }
  return out;
};

export const loadServicesEnv = (env: NodeJS.ProcessEnv = process.env, file = SERVICES_ENV_FILE): void => {
  if (env.LABELBENCH_TEST_DATABASE_URL && env.LABELBENCH_TEST_STORAGE_URL) return;
  if (!fs.existsSync(file)) return;
  for (const [k, v] of Object.entries(parseEnvFile(fs.readFileSync(file, "utf8")))) {
    if (env[k] === undefined || env[k] === "") env[k] = v;
  }
};

loadServicesEnv();

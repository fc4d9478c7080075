import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The shared fixtures seen from the repo (`<repo>/../shared/fixtures`, or LABELBENCH_FIXTURES as
 * the formats tests read it, for a checkout elsewhere); never copied into the repo.
 */
export const SHARED_FIXTURES =
  process.env.LABELBENCH_FIXTURES ??
  path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../../../shared/fixtures");

/** The fixture folder when it exists; otherwise null, and callers skip with a message naming it. */
export const sharedFixtureDir = (name: string): string | null => {
  const dir = path.join(SHARED_FIXTURES, name);
  return fs.existsSync(dir) ? dir : null;
};

import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { parseStorageUrl } from "../config.js";
import { LocalStorage } from "../storage/local-storage.js";
import { S3Storage, s3CredentialsFromEnv } from "../storage/s3-storage.js";
import type { Storage } from "../storage/storage.js";
import { MoveError, moveInstallation } from "./move.js";

/**
 * npm run move -- --from <sqlite file | postgres URL> --from-storage <folder | s3://…>
 *                 --to <…> --to-storage <…> [--force]
 * Copies an installation and proves the copy (move.ts); exits 1 with the reason on any failure.
 */
const USAGE =
  "usage: npm run move -- --from <sqlite file | postgres://…> --from-storage <folder | s3://BUCKET?endpoint=URL> --to <sqlite file | postgres://…> --to-storage <folder | s3://…> [--force]";

const fail = (message: string): never => {
  process.stderr.write(`move failed: ${message}\n`);
  process.exit(1);
};

/** A folder (which must exist for the source) or an S3 bucket, checked before anything is copied. */
const openStore = async (where: string, role: "source" | "target"): Promise<Storage> => {
  if (where.startsWith("s3:")) {
    const loc = parseStorageUrl(where, process.env);
    if (loc.kind !== "s3") return fail(`${where} is not an s3:// URL`);
    const s = new S3Storage({
      bucket: loc.bucket,
      endpoint: loc.endpoint,
      region: loc.region,
      credentials: s3CredentialsFromEnv(process.env),
      tempDir: fs.mkdtempSync(path.join(os.tmpdir(), "labelbench-move-")),
    });
    await s.checkBucket();
    return s;
  }
  if (role === "source" && !fs.existsSync(where))
    return fail(`the source storage folder ${where} does not exist`);
  return new LocalStorage(path.resolve(where));
};

const main = async () => {
  const parse = () =>
    parseArgs({
      options: {
        from: { type: "string" },
        "from-storage": { type: "string" },
        to: { type: "string" },
        "to-storage": { type: "string" },
        force: { type: "boolean", default: false },
      },
      strict: true,
    });
  let values: ReturnType<typeof parse>["values"];
  try {
    values = parse().values;
  } catch (err) {
    return fail(`${(err as Error).message}\n${USAGE}`);
  }
  const missing = (["from", "from-storage", "to", "to-storage"] as const).filter((k) => !values[k]);
  if (missing.length > 0) return fail(`missing ${missing.map((m) => `--${m}`).join(", ")}\n${USAGE}`);
  const [from, fromStorage, to, toStorage] = [
    values.from,
    values["from-storage"],
    values.to,
    values["to-storage"],
  ] as [string, string, string, string];
  if (from === to) return fail("--from and --to name the same database");
  const source = await openStore(fromStorage, "source").catch((err: unknown) =>
    fail(`the source storage ${fromStorage}: ${(err as Error).message}`),
  );
  const target = await openStore(toStorage, "target").catch((err: unknown) =>
    fail(`the target storage ${toStorage}: ${(err as Error).message}`),
  );
  const started = Date.now();
  await moveInstallation({
    from: { database: from, storage: source },
    to: { database: to, storage: target },
    force: values.force === true,
    log: (line) => process.stdout.write(`${line}\n`),
  });
  process.stdout.write(`moved and verified in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  for (const s of [source, target]) if (s instanceof S3Storage) s.destroy();
};

main().catch((err: unknown) =>
  fail(
    err instanceof MoveError ? err.message : err instanceof Error ? (err.stack ?? err.message) : String(err),
  ),
);

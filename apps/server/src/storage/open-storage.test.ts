import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { testConfig } from "../config.js";
import { freePort, refusedPort } from "../test-support/ports.js";
import { makeTestBucket, S3_HINT, testS3 } from "../test-support/s3.js";
import { LocalStorage } from "./local-storage.js";
import { openStorage } from "./open-storage.js";
import { S3Storage } from "./s3-storage.js";

/**
 * A bad storage configuration stops the start with what to fix; the server never listens. Checked
 * on openStorage and on the real entry point (main.ts in a child process).
 */
const ROOT = path.resolve(import.meta.dirname, "../../../..");
const dirs: string[] = [];
const tempDir = () => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), "labelbench-open-storage-"));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

const s3Config = (dir: string, bucket: string, endpoint: string) =>
  testConfig(dir, { storage: { kind: "s3", bucket, endpoint, region: "us-east-1" } });
const creds = { AWS_ACCESS_KEY_ID: "S3RVER", AWS_SECRET_ACCESS_KEY: "S3RVER" };

/** Runs main.ts until it exits or says it listens (then stops it); its log lines and exit code. */
const runMain = (env: Record<string, string>) =>
  new Promise<{ code: number | null; listened: boolean; log: string }>((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", "apps/server/src/main.ts"], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? "", LOG_LEVEL: "info", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let log = "";
    let listened = false;
    const onData = (c: Buffer) => {
      log += c.toString();
      if (!listened && log.includes("Labelbench listening")) {
        listened = true;
        child.kill("SIGTERM");
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.on("exit", (code) => resolve({ code, listened, log }));
  });

const mainEnv = async (storageUrl: string, extra: Record<string, string> = {}) => ({
  PORT: String(await freePort()),
  LABELBENCH_DATA_DIR: tempDir(),
  LABELBENCH_STORAGE_URL: storageUrl,
  ...extra,
});

describe("openStorage", () => {
  it("opens the data dir's files/ folder when no storage URL is set", async () => {
    const dir = tempDir();
    const storage = await openStorage(testConfig(dir), {});
    expect(storage).toBeInstanceOf(LocalStorage);
    expect(storage.localPath("originals/ab/x")).toBe(path.join(dir, "files", "originals/ab/x"));
  });

  it("refuses an S3 bucket without AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, naming both", async () => {
    const cfg = s3Config(tempDir(), "photos", "http://127.0.0.1:9");
    await expect(openStorage(cfg, {})).rejects.toThrow(
      /AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set/,
    );
    await expect(openStorage(cfg, { AWS_ACCESS_KEY_ID: "k" })).rejects.toThrow(
      /but AWS_SECRET_ACCESS_KEY is not set/,
    );
  });

  it("says the endpoint cannot be reached when nothing listens there", async () => {
    const port = await refusedPort();
    const cfg = s3Config(tempDir(), "photos", `http://127.0.0.1:${port}`);
    await expect(openStorage(cfg, creds)).rejects.toThrow(
      new RegExp(`cannot reach bucket "photos" at http://127.0.0.1:${port} \\(ECONNREFUSED\\)`),
    );
  });
});

// main.ts runs under tsx in a child process: seconds to start on a loaded machine.
const SPAWN_TIMEOUT = 120_000;

describe("main.ts with a bad storage configuration", { timeout: SPAWN_TIMEOUT }, () => {
  it("exits 1 without listening when the S3 endpoint cannot be reached", async () => {
    const port = await refusedPort();
    const r = await runMain(await mainEnv(`s3://photos?endpoint=http://127.0.0.1:${port}`, creds));
    expect(r.listened, r.log).toBe(false);
    expect(r.code, r.log).toBe(1);
    expect(r.log).toContain(`could not open the storage: cannot reach bucket \\"photos\\"`);
  });

  it("exits with the variable's name when LABELBENCH_STORAGE_URL does not parse", async () => {
    const r = await runMain(await mainEnv("s3://Bad_Bucket?endpoint=http://127.0.0.1:1", creds));
    expect(r.listened, r.log).toBe(false);
    expect(r.code).toBe(1);
    expect(r.log).toContain("LABELBENCH_STORAGE_URL must look like s3://BUCKET?endpoint=URL");
  });
});

const s3 = testS3();
if (!s3) console.info(`storage start checks against S3 skipped: ${S3_HINT}`);

describe.skipIf(!s3)(s3 ? "against an S3 server" : `against an S3 server (skipped: ${S3_HINT})`, () => {
  const endpoint = s3?.endpoint ?? "";

  it("opens an existing bucket, and refuses a missing one or an unknown access key with what to fix", async () => {
    if (!s3) return;
    const bucket = await makeTestBucket(s3);
    try {
      const ok = await openStorage(s3Config(tempDir(), bucket.name, endpoint), creds);
      expect(ok).toBeInstanceOf(S3Storage);
      (ok as S3Storage).destroy();
      await expect(openStorage(s3Config(tempDir(), "no-such-bucket", endpoint), creds)).rejects.toThrow(
        `bucket "no-such-bucket" at ${endpoint} does not exist: create it, or correct the bucket in LABELBENCH_STORAGE_URL`,
      );
      // s3rver checks that the access key exists (it does not verify SigV4 signatures).
      await expect(
        openStorage(s3Config(tempDir(), bucket.name, endpoint), {
          AWS_ACCESS_KEY_ID: "nobody",
          AWS_SECRET_ACCESS_KEY: "wrong",
        }),
      ).rejects.toThrow(
        /refused the access key \(HTTP 403\): check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY/,
      );
    } finally {
      await bucket.remove();
    }
  });

  it("main.ts exits 1 without listening for a missing bucket, and starts on an existing one", {
    timeout: SPAWN_TIMEOUT,
  }, async () => {
    if (!s3) return;
    const missing = await runMain(await mainEnv(`s3://no-such-bucket?endpoint=${endpoint}`, creds));
    expect(missing.listened, missing.log).toBe(false);
    expect(missing.code, missing.log).toBe(1);
    expect(missing.log).toContain(`bucket \\"no-such-bucket\\" at ${endpoint} does not exist`);

    const bucket = await makeTestBucket(s3);
    try {
      const started = await runMain(await mainEnv(`s3://${bucket.name}?endpoint=${endpoint}`, creds));
      expect(started.listened, started.log).toBe(true);
      expect(started.code, started.log).toBe(0);
    } finally {
      await bucket.remove();
    }
  });
});

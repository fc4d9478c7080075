import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  ListObjectsV2Command,
  S3Client,
} from "@aws-sdk/client-s3";
import { type Config, parseStorageUrl } from "../config.js";
import type { StoredFilesHooks } from "../modules/images/stored-files.js";
import { S3Storage, s3CredentialsFromEnv } from "../storage/s3-storage.js";
import { makeTestApp, type TestApp } from "./app.js";

/** Said by every test that skips for want of an S3 server. */
export const S3_HINT =
  "needs an S3 server: run `node scripts/test-services.mjs start` (vitest then reads .test-services/env), or set LABELBENCH_TEST_STORAGE_URL=s3://BUCKET?endpoint=URL and AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY";

type S3Location = Extract<Config["storage"], { kind: "s3" }>;

/** The S3 server the tests may use (LABELBENCH_TEST_STORAGE_URL), or null: those tests skip. */
export const testS3 = (env: NodeJS.ProcessEnv = process.env): S3Location | null => {
  const s = parseStorageUrl(env.LABELBENCH_TEST_STORAGE_URL, env);
  return s.kind === "s3" ? s : null;
};

const adminClient = (loc: S3Location) =>
  new S3Client({
    region: loc.region,
    ...(loc.endpoint ? { endpoint: loc.endpoint } : {}),
    forcePathStyle: true,
    credentials: s3CredentialsFromEnv(process.env),
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
  });

export interface TestBucket {
  name: string;
  /** A fresh S3Storage on this bucket (its temp dir is under the test's temp dir). */
  storage(tempDir: string): S3Storage;
  /** Every key in the bucket, sorted. */
  keys(): Promise<string[]>;
  /** Empties and deletes the bucket, closes the clients. */
  remove(): Promise<void>;
}

/**
 * A bucket of its own for one test (files run in parallel and keys are content-addressed, so a
 * shared bucket would let one test's deletions reach another's objects).
 */
export const makeTestBucket = async (loc: S3Location): Promise<TestBucket> => {
  const client = adminClient(loc);
  const name = `lbt-${randomBytes(6).toString("hex")}`;
  await client.send(new CreateBucketCommand({ Bucket: name }));
  const made: S3Storage[] = [];
  const keys = async () => {
    const out: string[] = [];
    let token: string | undefined;
    do {
      const r = await client.send(new ListObjectsV2Command({ Bucket: name, ContinuationToken: token }));
      for (const o of r.Contents ?? []) if (o.Key) out.push(o.Key);
      token = r.IsTruncated ? r.NextContinuationToken : undefined;
    } while (token);
    return out.sort();
  };
  return {
    name,
    storage: (tempDir) => {
      const s = new S3Storage({
        bucket: name,
        endpoint: loc.endpoint,
        region: loc.region,
        credentials: s3CredentialsFromEnv(process.env),
        tempDir,
      });
      made.push(s);
      return s;
    },
    keys,
    remove: async () => {
      for (const key of await keys()) await client.send(new DeleteObjectCommand({ Bucket: name, Key: key }));
      await client.send(new DeleteBucketCommand({ Bucket: name }));
      for (const s of made) s.destroy();
      client.destroy();
    },
  };
};

/**
 * makeTestApp over a bucket of its own instead of the local folder (on the suite's database backend).
 * `bucket.keys()` tells what storage holds; cleanup also removes the bucket.
 */
export const makeS3TestApp = async (
  loc: S3Location,
  overrides: Partial<Config> = {},
  options: { storedFilesHooks?: StoredFilesHooks } = {},
): Promise<TestApp<S3Storage> & { bucket: TestBucket }> => {
  const bucket = await makeTestBucket(loc);
  const tempDir = fs.mkdtempSync(path.join(os.tmpdir(), "labelbench-s3tmp-"));
  const t = await makeTestApp(overrides, { ...options, storage: bucket.storage(tempDir) });
  const closeApp = t.cleanup;
  // Not a spread: that would read `t.db`, which throws on PostgreSQL.
  return Object.assign(t, {
    bucket,
    cleanup: async () => {
      await closeApp();
      await bucket.remove();
      fs.rmSync(tempDir, { recursive: true, force: true });
    },
  });
};

// Starts the e2e server on PostgreSQL + S3 (E2E_BACKEND=postgres): a fresh database on the test
// PostgreSQL server and a fresh bucket on the test S3 server, so the suite starts from nothing as it
// does on SQLite; then runs the built server with LABELBENCH_DATABASE_URL and LABELBENCH_STORAGE_URL.
// The database and bucket are left for the throw-away test services to remove with themselves.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";
import pg from "pg";

// Outside CI the variables may only be in the file `node scripts/test-services.mjs start` wrote.
const envFile = path.resolve(import.meta.dirname, "../.test-services/env");
if (!process.env.LABELBENCH_TEST_DATABASE_URL && fs.existsSync(envFile)) {
  for (const line of fs.readFileSync(envFile, "utf8").split("\n")) {
    const m = /^([A-Z_][A-Z0-9_]*)='?([^']*)'?$/.exec(line.trim());
    if (m?.[1] && !process.env[m[1]]) process.env[m[1]] = m[2];
  }
}
const base = process.env.LABELBENCH_TEST_DATABASE_URL;
const storage = process.env.LABELBENCH_TEST_STORAGE_URL;
if (!base || !storage) {
  console.error(
    "E2E_BACKEND=postgres needs LABELBENCH_TEST_DATABASE_URL and LABELBENCH_TEST_STORAGE_URL (node scripts/test-services.mjs start)",
  );
  process.exit(1);
}
const suffix = randomBytes(5).toString("hex");
const dbName = `lbe2e_${suffix}`;
const client = new pg.Client({ connectionString: base });
await client.connect();
await client.query(`CREATE DATABASE ${dbName}`);
await client.end();
const dbUrl = new URL(base);
dbUrl.pathname = `/${dbName}`;

const s3 = new URL(storage.replace(/^s3:\/\//, "http://placeholder/"));
const endpoint = s3.searchParams.get("endpoint");
const bucket = `lbe2e-${suffix}`;
await new S3Client({
  endpoint: endpoint ?? undefined,
  forcePathStyle: true,
  region: process.env.AWS_REGION ?? "us-east-1",
}).send(new CreateBucketCommand({ Bucket: bucket }));
const storageUrl = `s3://${bucket}${endpoint ? `?endpoint=${encodeURIComponent(endpoint)}` : ""}`;

const dist = process.env.LABELBENCH_SERVER_DIST ?? path.resolve(import.meta.dirname, "../apps/server/dist");
const child = spawn(
  process.execPath,
  ["--expose-gc", "--max-semi-space-size=4", "--enable-source-maps", path.join(dist, "main.js")],
  {
    stdio: "inherit",
    env: { ...process.env, LABELBENCH_DATABASE_URL: dbUrl.toString(), LABELBENCH_STORAGE_URL: storageUrl },
  },
);
for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => child.kill(sig));
child.on("exit", (code) => process.exit(code ?? 1));

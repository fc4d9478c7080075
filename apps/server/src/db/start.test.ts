import { spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type ScratchDatabase, scratchDatabase, TEST_DATABASE_URL } from "../test-support/postgres.js";
import { openDb } from "./connect.js";

/**
 * main.ts as an operator starts it, with a database that cannot work: one clear line, exit 1, and
 * nothing half-started (no port listened on, no SQLite file made in the data folder).
 */
const MAIN = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "main.ts");
let dataDir: string;
beforeEach(() => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "labelbench-start-"));
});
afterEach(() => fs.rmSync(dataDir, { recursive: true, force: true }));

const freePort = async (): Promise<number> => {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
};

const start = async (
  env: Record<string, string>,
): Promise<{ code: number | null; output: string; port: number }> => {
  const port = await freePort();
  const child = spawn(process.execPath, ["--import", "tsx", MAIN], {
    env: {
      ...process.env,
      ...env,
      PORT: String(port),
      LABELBENCH_DATA_DIR: dataDir,
      LOG_LEVEL: "info",
      NODE_ENV: "production",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (d) => {
    output += d;
  });
  child.stderr.on("data", (d) => {
    output += d;
  });
  const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
  // pino writes JSON lines: keep their messages, and any other line as it is.
  const messages = output
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => {
      try {
        return String((JSON.parse(line) as { msg?: unknown }).msg);
      } catch {
        return line;
      }
    });
  return { code, output: messages.join("\n"), port };
};

const expectNothingStarted = (result: { output: string }) => {
  expect(result.output).not.toMatch(/Labelbench listening/);
  expect(fs.readdirSync(dataDir)).toEqual([]);
};

describe("server start with a database that cannot work", () => {
  it("unreachable PostgreSQL: one message naming the URL without its password, exit 1", async () => {
    const url = `postgres://lb:hunter2@127.0.0.1:${await freePort()}/labelbench`;
    const result = await start({ LABELBENCH_DATABASE_URL: url });
    expect(result.code).toBe(1);
    expect(result.output).toMatch(
      /Labelbench cannot start: cannot connect to PostgreSQL at postgres:\/\/lb:\*\*\*@127\.0\.0\.1:\d+\/labelbench: nothing is listening/,
    );
    expect(result.output).not.toContain("hunter2");
    expectNothingStarted(result);
  }, 60_000);

  it("a URL that is not PostgreSQL's: refused before anything opens", async () => {
    const result = await start({ LABELBENCH_DATABASE_URL: "mysql://root:pw@localhost/lb" });
    expect(result.code).toBe(1);
    expect(result.output).toMatch(/LABELBENCH_DATABASE_URL must be a postgres:\/\/ .*URL/);
    expectNothingStarted(result);
  }, 60_000);

  it("a SQLite file a newer Labelbench migrated: refused, the file left as it was", async () => {
    const file = path.join(dataDir, "labelbench.sqlite");
    const conn = await openDb(file);
    if (conn.dialect !== "sqlite") throw new Error("expected SQLite");
    conn.sqlite.exec(
      "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL); INSERT INTO schema_migrations VALUES (42, '0042-later.sql', 'x')",
    );
    await conn.close();
    const result = await start({});
    expect(result.code).toBe(1);
    expect(result.output).toMatch(
      /Labelbench cannot start: cannot migrate the database .*labelbench\.sqlite: .*schema version 42 \(0042-later\.sql\), newer than this Labelbench knows/,
    );
    expect(result.output).not.toMatch(/Labelbench listening/);
    const after = await openDb(file);
    expect(after.sqlite?.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all()).toEqual([
      { name: "schema_migrations" },
    ]);
    await after.close();
  }, 60_000);
});

describe.skipIf(!TEST_DATABASE_URL)("server start with a PostgreSQL database that cannot work", () => {
  let scratch: ScratchDatabase | undefined;
  afterEach(async () => {
    await scratch?.drop();
  });

  it("wrong password and missing database: one message each, exit 1", async () => {
    scratch = await scratchDatabase();
    const wrong = new URL(scratch.url);
    wrong.password = "wrong-secret";
    const refused = await start({ LABELBENCH_DATABASE_URL: wrong.toString() });
    expect(refused.code).toBe(1);
    expect(refused.output).toMatch(
      /Labelbench cannot start: PostgreSQL at .* refused the credentials of user/,
    );
    expect(refused.output).not.toContain("wrong-secret");
    expectNothingStarted(refused);

    const missing = new URL(scratch.url);
    missing.pathname = "/labelbench_missing";
    const absent = await start({ LABELBENCH_DATABASE_URL: missing.toString() });
    expect(absent.code).toBe(1);
    expect(absent.output).toMatch(
      /Labelbench cannot start: PostgreSQL at .* has no database "labelbench_missing"/,
    );
    expectNothingStarted(absent);
  }, 60_000);
});

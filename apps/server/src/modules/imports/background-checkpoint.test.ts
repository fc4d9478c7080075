import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { type Db, migrate, openDatabase } from "../../db/database.js";
import { checkpointInBackground } from "./background-checkpoint.js";

let dir = "";
let db: Db | null = null;
afterEach(() => {
  db?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("checkpointInBackground", () => {
  it("copies a commit left in the WAL into the database file from a worker", async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "labelbench-checkpoint-"));
    const file = path.join(dir, "db.sqlite");
    db = openDatabase(file);
    migrate(db);
    db.pragma("wal_checkpoint(TRUNCATE)");
    db.pragma("wal_autocheckpoint = 0"); // as the import does around its transaction
    const before = fs.statSync(file).size;
    db.exec("CREATE TABLE filler (x TEXT)");
    const insert = db.prepare("INSERT INTO filler VALUES (?)");
    db.transaction(() => {
      for (let i = 0; i < 2000; i++) insert.run("x".repeat(500));
    })();
    expect(fs.statSync(file).size, "the commit is still only in the WAL").toBe(before);
    expect(fs.statSync(`${file}-wal`).size).toBeGreaterThan(1_000_000);

    const worker = checkpointInBackground({ db, log: pino({ level: "silent" }) });
    expect(worker).not.toBeNull();
    const code = await new Promise<number>((resolve) => worker?.once("exit", resolve));
    expect(code).toBe(0);
    expect(fs.statSync(file).size).toBeGreaterThan(before + 1_000_000);
    expect((db.prepare("SELECT COUNT(*) AS n FROM filler").get() as { n: number }).n).toBe(2000);
  });

  it("does nothing for an in-memory database", () => {
    db = openDatabase(":memory:");
    expect(checkpointInBackground({ db, log: pino({ level: "silent" }) })).toBeNull();
  });
});

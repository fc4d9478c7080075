import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Db, loadMigrations, migrate, openDatabase } from "./database.js";

let dir: string;
const open: Db[] = [];
const openDb = (name = "db.sqlite") => {
  const db = openDatabase(path.join(dir, name));
  open.push(db);
  return db;
};
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "labelbench-db-"));
});
afterEach(() => {
  for (const db of open.splice(0)) if (db.open) db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const tables = (db: Db) =>
  (
    db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as {
      name: string;
    }[]
  ).map((r) => r.name);
const schemaSql = (db: Db) =>
  (db.prepare("SELECT sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY name").all() as { sql: string }[])
    .map((r) => r.sql)
    .join("\n");

describe("openDatabase", () => {
  it("creates the folder and sets WAL, foreign keys and a busy timeout", () => {
    const db = openDatabase(path.join(dir, "nested", "deeper", "x.sqlite"));
    open.push(db);
    expect(fs.existsSync(path.join(dir, "nested", "deeper", "x.sqlite"))).toBe(true);
    expect(db.pragma("journal_mode", { simple: true })).toBe("wal");
    expect(db.pragma("foreign_keys", { simple: true })).toBe(1);
    expect(db.pragma("busy_timeout", { simple: true })).toBe(5000);
  });
});

describe("migrate", () => {
  it("builds the whole schema from an empty database", () => {
    const db = openDb();
    const all = loadMigrations();
    expect(all[0]).toMatchObject({ version: 1, name: "0001-initial.sql" });
    expect(migrate(db)).toEqual(all.map((m) => m.version));
    expect(tables(db)).toEqual(
      expect.arrayContaining([
        "annotations",
        "image_tags",
        "images",
        "labels",
        "projects",
        "schema_migrations",
      ]),
    );
    const recorded = db.prepare("SELECT version, name FROM schema_migrations ORDER BY version").all();
    expect(recorded).toEqual(all.map((m) => ({ version: m.version, name: m.name })));
  });

  it("is idempotent: a second run (and a restart) applies nothing and changes nothing", () => {
    const db = openDb();
    migrate(db);
    const before = schemaSql(db);
    expect(migrate(db)).toEqual([]);
    db.close();
    const again = openDb();
    expect(migrate(again)).toEqual([]);
    expect(schemaSql(again)).toBe(before);
  });

  it("applies only what is pending on a database migrated by an older version", () => {
    const all = loadMigrations();
    const db = openDb();
    expect(migrate(db, all.slice(0, 1))).toEqual([1]);
    expect(migrate(db, all)).toEqual(all.slice(1).map((m) => m.version));
    expect(migrate(db, all)).toEqual([]);
  });

  it("applies all pending migrations or none", () => {
    const db = openDb();
    const broken = [
      { version: 1, name: "0001-a.sql", sql: "CREATE TABLE a (x INTEGER);" },
      { version: 2, name: "0002-b.sql", sql: "CREATE TABLE b (x INTEGER); INSERT INTO nowhere VALUES (1);" },
    ];
    expect(() => migrate(db, broken)).toThrow(/nowhere/);
    expect(tables(db)).toEqual(["schema_migrations"]);
    expect(db.prepare("SELECT COUNT(*) AS n FROM schema_migrations").get()).toEqual({ n: 0 });
  });

  it("enforces foreign keys and cascades project deletion", () => {
    const db = openDb();
    migrate(db);
    expect(() =>
      db
        .prepare(
          "INSERT INTO labels (project_id, name, name_key, color, position, shape_types) VALUES (42, 'x', 'x', '#000000', 0, 'box')",
        )
        .run(),
    ).toThrow(/FOREIGN KEY/);
    const now = new Date().toISOString();
    const pid = db
      .prepare("INSERT INTO projects (name, created_at, updated_at) VALUES ('p', ?, ?)")
      .run(now, now).lastInsertRowid;
    db.prepare(
      "INSERT INTO labels (project_id, name, name_key, color, position, shape_types) VALUES (?, 'x', 'x', '#000000', 0, 'box')",
    ).run(pid);
    db.prepare("DELETE FROM projects WHERE id = ?").run(pid);
    expect(db.prepare("SELECT COUNT(*) AS n FROM labels").get()).toEqual({ n: 0 });
  });
});

describe("loadMigrations", () => {
  it("reads numbered .sql files in order and ignores anything else", () => {
    fs.writeFileSync(path.join(dir, "0002-second.sql"), "SELECT 2;");
    fs.writeFileSync(path.join(dir, "0001-first.sql"), "SELECT 1;");
    fs.writeFileSync(path.join(dir, "README.md"), "notes");
    fs.writeFileSync(path.join(dir, "3-unpadded.sql"), "SELECT 3;");
    expect(loadMigrations(dir).map((m) => [m.version, m.name])).toEqual([
      [1, "0001-first.sql"],
      [2, "0002-second.sql"],
    ]);
  });

  it("refuses two migrations with the same number", () => {
    fs.writeFileSync(path.join(dir, "0002-auth.sql"), "SELECT 1;");
    fs.writeFileSync(path.join(dir, "0002-datasets.sql"), "SELECT 2;");
    expect(() => loadMigrations(dir)).toThrow(/0002-auth.sql and 0002-datasets.sql share version 2/);
  });

  it("the shipped migrations have unique, increasing numbers", () => {
    const versions = loadMigrations().map((m) => m.version);
    expect(versions).toEqual([...new Set(versions)].sort((a, b) => a - b));
  });
});

import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Express } from "express";
import express from "express";
import { sql } from "kysely";
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../app.js";
import { testConfig } from "../config.js";
import { openDb, sqliteKysely } from "../db/connect.js";
import { openDatabase } from "../db/database.js";
import { migrateDb } from "../db/migrate.js";
import { digest, newSecret } from "../modules/auth/secrets.js";
import { LocalStorage } from "../storage/local-storage.js";
import { createLabel, createProject, uploadImage } from "../test-support/api.js";
import { makeTestApp, TEST_ADMIN_EMAIL, TEST_BACKEND, type TestApp } from "../test-support/app.js";
import { jpeg, noise, tiff } from "../test-support/images.js";
import { SKIP_POSTGRES_REASON, scratchDatabase, TEST_DATABASE_URL } from "../test-support/postgres.js";
import { makeTestBucket, S3_HINT, testS3 } from "../test-support/s3.js";
import { getExport, unzip } from "../test-support/zips.js";
import { MoveError, type MoveReport, moveInstallation } from "./move.js";

/**
 * A populated installation, built through the API on SQLite: two projects, labels, plain images, a
 * TIFF (which gets a rendition), a tiled image (a tile pyramid), annotations, a second user, a
 * token, a session. The move must carry all of it, rows and objects.
 */
const MOVE_MAIN = path.join(path.dirname(fileURLToPath(import.meta.url)), "main.ts");
let t: TestApp;
let sourceFile: string;
let scratch: string;

beforeAll(async () => {
  // The source is built through the API, whose modules run on SQLite until they are all ported.
  if (TEST_BACKEND !== "sqlite") return;
  t = await makeTestApp({ tileThresholdPixels: 1_000_000 });
  sourceFile = path.join(t.dir, "labelbench.sqlite");
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), "labelbench-move-test-"));
  const a = await createProject(t.app, "Cells");
  const b = await createProject(t.app, "Streets");
  const cell = await createLabel(t.app, a.id, { name: "cell", shapeTypes: ["box", "polygon"] });
  const car = await createLabel(t.app, b.id, { name: "car", hotkey: "c" });
  const images = [
    await uploadImage(t.app, a.id, { name: "one.jpg", data: await jpeg({ width: 64, height: 48 }) }),
    await uploadImage(t.app, a.id, { name: "two.tif", data: await tiff({ width: 40, height: 30 }) }),
    await uploadImage(t.app, b.id, {
      name: "big.png",
      data: await noise(1500, 1000).png({ compressionLevel: 1 }).toBuffer(),
    }),
  ];
  await t.app.tiles.idle();
  // The TIFF's browser-drawable rendition is made on first view.
  expect((await request(t.app).get(`/api/v1/images/${images[1]?.id}/display`)).status).toBe(200);
  for (const [i, img] of images.entries()) {
    const labelId = img.projectId === a.id ? cell.id : car.id;
    const res = await request(t.app)
      .put(`/api/v1/images/${img.id}/annotations`)
      .send({
        baseRevision: 0,
        tags: i === 0 ? [labelId] : [],
        annotations: [
          { labelId, geometry: { type: "box", x: 1 + i, y: 2, width: 10, height: 5 } },
          { labelId, geometry: { type: "box", x: 3, y: 4 + i, width: 6.5, height: 7.25 } },
        ],
      });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
  }
  const user = await request(t.app)
    .post("/api/v1/users")
    .send({ email: "ann@example.com", name: "Ann", role: "annotator", password: "annotator-pass-1" });
  expect(user.status, JSON.stringify(user.body)).toBe(201);
  const wrong = await request(t.app)
    .post("/api/v1/auth/login")
    .set("authorization", "")
    .send({ email: "ann@example.com", password: "not-her-password" });
  expect(wrong.status).toBe(401);
  const login = await request(t.app)
    .post("/api/v1/auth/login")
    .set("authorization", "")
    .send({ email: "ann@example.com", password: "annotator-pass-1" });
  expect(login.status, JSON.stringify(login.body)).toBe(200);
  const cookie = (login.headers["set-cookie"] as unknown as string[]).map((c) => c.split(";")[0]).join("; ");
  const token = await request(t.app)
    .post("/api/v1/tokens")
    .set("cookie", cookie)
    .send({ name: "ci", scope: "read" });
  expect(token.status, JSON.stringify(token.body)).toBe(201);
  // A stopped installation from here on: the stored-files heartbeat would otherwise change
  // server_instances between a move and its rerun (a live source is moved in the --force test).
  await t.app.tiles.stop();
  t.app.files.stop();
});

afterAll(async () => {
  await t?.cleanup();
  if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
});

const local = (name: string) => {
  const dir = path.join(scratch, name);
  return {
    database: path.join(dir, "labelbench.sqlite"),
    storage: new LocalStorage(path.join(dir, "files")),
  };
};
const sourceSide = () => ({ database: sourceFile, storage: t.storage });
const hashes = (r: MoveReport) => Object.fromEntries(r.tables.map((x) => [x.table, `${x.rows}:${x.hash}`]));

/**
 * The COCO export's manifest (every file's sha256, every image's) of each project, as the server
 * over a moved SQLite copy answers it: the proof issue 14 asks of a move. The copy gets a token of
 * its own for the test admin (after the move's own verification; the copy's token secrets are hashes).
 */
const cocoManifests = async (app: Express, projectIds: number[]) => {
  const out: unknown[] = [];
  for (const id of projectIds) {
    const res = await getExport(app, id, "format=coco&images=include");
    expect(res.status).toBe(200);
    out.push(JSON.parse((await unzip(res.body)).get("manifest.json")?.toString("utf8") ?? "null"));
  }
  return out;
};
const serveCopy = async (side: { database: string; storage: LocalStorage }, dir: string) => {
  const db = openDatabase(side.database);
  const k = sqliteKysely(db);
  const app = createApp({
    db,
    connection: { kysely: k, dialect: "sqlite" },
    storage: side.storage,
    config: testConfig(dir),
    webDist: null,
  });
  const admin = await k
    .selectFrom("users")
    .select("id")
    .where("email", "=", TEST_ADMIN_EMAIL)
    .executeTakeFirstOrThrow();
  const token = newSecret("lbt_");
  await k
    .insertInto("api_tokens")
    .values({
      user_id: admin.id,
      name: "copy check",
      token_hash: digest(token),
      prefix: token.slice(0, 10),
      scope: "write",
      created_at: new Date().toISOString(),
    })
    .execute();
  const outer = express();
  outer.use((req, _res, next) => {
    req.headers.authorization = `Bearer ${token}`;
    next();
  });
  outer.use(app);
  return {
    app: outer,
    close: async () => {
      await app.tiles.stop();
      app.files.stop();
      await k.destroy();
    },
  };
};

const onSqlite = TEST_BACKEND === "sqlite";
const s3 = testS3();

describe.skipIf(!onSqlite)("the verified move between SQLite installations", () => {
  it("copies every row and object of a populated installation and proves it; a rerun writes nothing", async () => {
    const lines: string[] = [];
    const to = local("copy");
    const first = await moveInstallation({ from: sourceSide(), to, log: (l) => lines.push(l) });
    const rows = Object.fromEntries(first.tables.map((x) => [x.table, x.rows]));
    expect(rows).toMatchObject({
      projects: 2,
      labels: 2,
      images: 3,
      annotations: 6,
      users: 2,
      api_tokens: 2,
    });
    expect(rows.sessions).toBeGreaterThanOrEqual(1);
    const keys = first.objects.map((o) => o.key);
    // The tiled image's pyramid and the TIFF's rendition came along with originals and thumbnails.
    expect(keys.filter((k) => k.startsWith("originals/"))).toHaveLength(3);
    expect(keys.filter((k) => k.startsWith("thumbnails/"))).toHaveLength(3);
    expect(keys.filter((k) => k.startsWith("renditions/"))).toHaveLength(1);
    expect(keys.filter((k) => k.endsWith("pyramid.json"))).toHaveLength(1);
    expect(keys.filter((k) => /\/\d+\/\d+_\d+\.jpg$/.test(k)).length).toBeGreaterThan(3);
    expect(first.copied.copied).toBe(first.objects.length);
    expect(lines.some((l) => l.startsWith("5/5 verifying"))).toBe(true);

    const again = await moveInstallation({ from: sourceSide(), to });
    expect(again.rowsAlreadyThere).toBe(true);
    expect(again.copied).toMatchObject({ copied: 0, skipped: first.objects.length });
    expect(hashes(again)).toEqual(hashes(first));
  });

  it("refuses a target that holds other data, naming its tables, and replaces it with --force", async () => {
    const to = local("occupied");
    const other = await makeTestApp();
    try {
      await createProject(other.app, "Somebody else's");
      // Moved while its server runs: the source is read in a snapshot.
      await moveInstallation({
        from: { database: path.join(other.dir, "labelbench.sqlite"), storage: other.storage },
        to,
      });
    } finally {
      await other.cleanup().catch(() => undefined);
    }
    const refused = moveInstallation({ from: sourceSide(), to });
    await expect(refused).rejects.toThrow(MoveError);
    await expect(refused).rejects.toThrow(
      /is not empty \(.*projects: 1 rows.*\) and differs from the source: pass --force/,
    );
    const forced = await moveInstallation({ from: sourceSide(), to, force: true });
    expect(forced.rowsAlreadyThere).toBe(false);
    const again = await moveInstallation({ from: sourceSide(), to });
    expect(again.rowsAlreadyThere).toBe(true);
    // Same row counts, one value changed: the content hash tells them apart.
    const conn = await openDb(to.database);
    await conn.kysely.updateTable("labels").set({ color: "#000001" }).where("name", "=", "car").execute();
    await conn.close();
    await expect(moveInstallation({ from: sourceSide(), to })).rejects.toThrow(
      /is not empty \(.*labels: 2 rows.*\) and differs from the source/,
    );
  });

  it("refuses a target whose schema differs from the source's, naming the difference", async () => {
    const to = local("drifted");
    fs.mkdirSync(path.dirname(to.database), { recursive: true });
    const conn = await openDb(to.database);
    await migrateDb(conn);
    await sql`CREATE TRIGGER annotations_rewrite AFTER INSERT ON annotations BEGIN
      UPDATE annotations SET position = position + 1 WHERE id = NEW.id; END`.execute(conn.kysely);
    await conn.close();
    await expect(moveInstallation({ from: sourceSide(), to })).rejects.toThrow(
      /the source and target schemas differ:\n {2}trigger on annotations: annotations_rewrite: only in target/,
    );
  });

  it("resumes an interrupted copy: the rerun copies only the objects still missing", async () => {
    const to = local("interrupted");
    const stopAfter = 3;
    await expect(
      moveInstallation({
        from: sourceSide(),
        to,
        afterObjectCopied: (p) => {
          if (p.copied >= stopAfter) throw new Error("simulated interruption");
        },
      }),
    ).rejects.toThrow("simulated interruption");
    const resumed = await moveInstallation({ from: sourceSide(), to });
    expect(resumed.rowsAlreadyThere).toBe(false);
    expect(resumed.copied.skipped).toBeGreaterThanOrEqual(stopAfter);
    expect(resumed.copied.copied + resumed.copied.skipped).toBe(resumed.objects.length);
    expect(resumed.copied.copied).toBeLessThan(resumed.objects.length);
  });

  it("copies again an object whose size in the target differs (a truncated copy)", async () => {
    const to = local("tampered");
    const first = await moveInstallation({ from: sourceSide(), to });
    const victim = first.objects.find((o) => o.key.startsWith("originals/"));
    if (!victim) throw new Error("no original");
    // Same size is taken as the same bytes (keys are content-addressed); a different size is not.
    fs.truncateSync(to.storage.localPath(victim.key), 5);
    const rerun = await moveInstallation({ from: sourceSide(), to });
    expect(rerun.copied.copied).toBe(1);
  });

  it("runs as a command: one line per step and exit 0, or exit 1 with the reason", async () => {
    const to = local("command");
    const run = (...args: string[]) =>
      spawnSync(process.execPath, ["--import", "tsx", MOVE_MAIN, ...args], {
        encoding: "utf8",
        timeout: 120_000,
      });
    const args = ["--from", sourceFile, "--from-storage", t.filesDir, "--to", to.database];
    const ok = run(...args, "--to-storage", path.join(scratch, "command", "files"));
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(
      /^1\/5 source .*\n(.|\n)*5\/5 verifying(.|\n)*equal: \d+ tables(.|\n)*moved and verified in/,
    );
    const missing = run(...args);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain("move failed: missing --to-storage");
    const other = await makeTestApp();
    try {
      await createProject(other.app, "Somebody else's");
      const refused = run(
        "--from",
        path.join(other.dir, "labelbench.sqlite"),
        "--from-storage",
        other.filesDir,
        "--to",
        to.database,
        "--to-storage",
        path.join(scratch, "command", "files"),
      );
      expect(refused.status).toBe(1);
      expect(refused.stderr).toMatch(
        /^move failed: the target database .* is not empty \(.*\) and differs from the source: pass --force/,
      );
    } finally {
      await other.cleanup();
    }
  }, 120_000);

  it("refuses a source that is not there, rather than create an empty one", async () => {
    await expect(
      moveInstallation({
        from: { database: path.join(scratch, "nope.sqlite"), storage: t.storage },
        to: local("x"),
      }),
    ).rejects.toThrow(/the source database .*nope\.sqlite does not exist/);
  });
});

describe.skipIf(!onSqlite || !TEST_DATABASE_URL || !s3)("the verified move through PostgreSQL and S3", () => {
  it("SQLite + folder -> PostgreSQL + S3 -> SQLite + folder keeps every table's rows and hash and every object", async () => {
    if (!TEST_DATABASE_URL || !s3) throw new Error(`${SKIP_POSTGRES_REASON}; ${S3_HINT}`);
    const db = await scratchDatabase();
    const bucket = await makeTestBucket(s3);
    try {
      const pg = { database: db.url, storage: bucket.storage(fs.mkdtempSync(path.join(scratch, "s3tmp-"))) };
      const there = await moveInstallation({ from: sourceSide(), to: pg });
      expect(there.tables.find((x) => x.table === "annotations")?.rows).toBe(6);
      expect(await bucket.keys()).toEqual(there.objects.map((o) => o.key));
      const rerun = await moveInstallation({ from: sourceSide(), to: pg });
      expect(rerun.rowsAlreadyThere).toBe(true);
      expect(rerun.copied.copied).toBe(0);

      const home = local("back");
      const back = await moveInstallation({ from: pg, to: home });
      expect(hashes(back)).toEqual(hashes(there));
      expect(back.objects).toEqual(there.objects);
      // The COCO export's manifest, before and after the round trip.
      const projects = (await t.sql.selectFrom("projects").select("id").orderBy("id").execute()).map(
        (p) => p.id,
      );
      const before = await cocoManifests(t.app, projects);
      expect(before.map((m) => (m as { images: unknown[] }).images.length)).toEqual([2, 1]);
      const copy = await serveCopy(home, path.join(scratch, "back"));
      try {
        expect(await cocoManifests(copy.app, projects)).toEqual(before);
      } finally {
        await copy.close();
      }
      // The sequences moved past the copied ids: a new row on PostgreSQL gets a fresh id.
      const conn = await openDb(db.url);
      try {
        const row = await conn.kysely
          .insertInto("projects")
          .values({
            name: "new",
            created_at: "2026-01-01T00:00:00.000Z",
            updated_at: "2026-01-01T00:00:00.000Z",
          })
          .returning("id")
          .executeTakeFirstOrThrow();
        expect(row.id).toBe(3);
      } finally {
        await conn.close();
      }
    } finally {
      await bucket.remove();
      await db.drop();
    }
  });
});

if (!onSqlite)
  describe("the verified move", () => {
    it.skip("runs in the SQLite run: its round trip itself goes SQLite+folder -> PostgreSQL+S3 -> SQLite+folder", () => {});
  });
if (onSqlite && (!TEST_DATABASE_URL || !s3))
  describe("the verified move through PostgreSQL and S3", () => {
    it.skip(`${SKIP_POSTGRES_REASON}; ${S3_HINT}`, () => {});
  });

import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { naturalSortKey } from "@labelbench/schema";
import { type Kysely, sql } from "kysely";
import type pg from "pg";
import pino from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Config, testConfig } from "../../config.js";
import { openDb, sqliteKysely } from "../../db/connect.js";
import { type Db, migrate, openDatabase } from "../../db/database.js";
import type { Database } from "../../db/schema.js";
import { TEST_BACKEND } from "../../test-support/app.js";
import { migratedTemplate } from "../../test-support/postgres.js";
import { commitImport, publishImport, resumeImports } from "./import-publish.js";
import { publishOnPostgres } from "./pg-publish-repo.js";
import { createStage } from "./stage-repo.js";

/**
 * Committing and publishing a staging file, below the HTTP layer, on the suite's backend
 * (LABELBENCH_TEST_BACKEND): the same expectations hold for SQLite's attached publish and
 * PostgreSQL's COPY publish.
 */

interface Backend {
  dialect: "sqlite" | "postgres";
  sql: Kysely<Database>;
  db: Db;
  pgPool?: pg.Pool;
  close: () => Promise<void>;
}

const openBackend = async (dir: string): Promise<Backend> => {
  if (TEST_BACKEND === "sqlite") {
    const db = openDatabase(path.join(dir, "labelbench.sqlite"));
    migrate(db);
    const sql = sqliteKysely(db);
    return { dialect: "sqlite", sql, db, close: () => sql.destroy() };
  }
  const scratch = await (await migratedTemplate()).clone();
  const conn = await openDb(scratch.url, { poolSize: 4 });
  if (conn.dialect !== "postgres") throw new Error("expected PostgreSQL");
  return {
    dialect: "postgres",
    sql: conn.kysely,
    // Never read on PostgreSQL: the publish takes the dialect's own path.
    db: undefined as unknown as Db,
    pgPool: conn.pool,
    close: async () => {
      await conn.close();
      await scratch.drop();
    },
  };
};

const NOW = "2026-03-04T05:06:07.000Z";
let dir: string;
let config: Config;
let b: Backend;
let projectId: number;
let car: number;
let bus: number;
let existing: number;

const deps = () => ({
  db: b.db,
  sql: b.sql,
  dialect: b.dialect,
  ...(b.pgPool ? { pgPool: b.pgPool } : {}),
  config,
  log: pino({ level: "silent" }),
});

beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "labelbench-publish-"));
  config = testConfig(dir);
  b = await openBackend(dir);
  projectId = (
    await b.sql
      .insertInto("projects")
      .values({ name: "p", created_at: NOW, updated_at: NOW })
      .returning("id")
      .executeTakeFirstOrThrow()
  ).id;
  const label = async (name: string, position: number) =>
    (
      await b.sql
        .insertInto("labels")
        .values({
          project_id: projectId,
          name,
          name_key: name,
          color: "#ff0000",
          hotkey: null,
          position,
          shape_types: "box,polygon",
        })
        .returning("id")
        .executeTakeFirstOrThrow()
    ).id;
  car = await label("car", 0);
  bus = await label("bus", 1);
  existing = (
    await b.sql
      .insertInto("images")
      .values({
        project_id: projectId,
        sha256: "a".repeat(64),
        file_name: "old.png",
        width: 100,
        height: 100,
        format: "png",
        byte_size: 10,
        created_at: NOW,
        updated_at: NOW,
      })
      .returning("id")
      .executeTakeFirstOrThrow()
  ).id;
  await b.sql
    .insertInto("annotations")
    .values({
      image_id: existing,
      uid: "kept-or-replaced",
      label_id: car,
      geometry: '{"type":"box","x":0,"y":0,"width":1,"height":1}',
      position: 0,
      created_at: NOW,
      updated_at: NOW,
    })
    .execute();
});

afterEach(async () => {
  await b.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const box = (x: number) => `{"type":"box","x":${x},"y":1,"width":2,"height":2}`;

/**
 * A staging file: seq 1 is the existing image (3 rows: car, created "truck", car), seq 2 a new
 * image (2 rows: bus, truck; tags car and truck), then `more` new images with one car each.
 */
const stage = (more = 0, moreIds: readonly number[] = []) => {
  const file = path.join(dir, `stage-${Math.random()}.sqlite`);
  const s = createStage(file);
  s.label(-1, "truck");
  s.image({ seq: 1, imageId: existing, image: null, rows: 3, tags: null });
  s.row(1, 0, "u1", car, box(1));
  s.row(1, 1, "u2", -1, box(2));
  s.row(1, 2, "u3", car, box(3));
  const fresh = (seq: number, rows: number, tags: number[] | null) =>
    s.image({
      seq,
      imageId: null,
      image: {
        sha256: String(seq).padStart(64, "0"),
        fileName: `new-${seq}.png`,
        width: 50,
        height: 40,
        channels: 3,
        format: "png",
        byteSize: 99,
        tileState: "none",
      },
      rows,
      tags,
    });
  fresh(2, 2, [car, -1]);
  s.row(2, 0, "u4", bus, box(4));
  s.row(2, 1, "u5\ttab\\slash", -1, box(5));
  for (let i = 0; i < more; i++) {
    // Project images when given (moreIds), else new ones from the upload.
    const id = moreIds[i];
    if (id === undefined) fresh(3 + i, 1, null);
    else s.image({ seq: 3 + i, imageId: id, image: null, rows: 1, tags: null });
    s.row(3 + i, 0, `m${i}`, car, box(i));
  }
  s.close(true);
  return { file, images: 2 + more };
};

const commit = (file: string, images: number, existingMode: "append" | "replace" = "replace") =>
  commitImport(deps(), {
    projectId,
    stageFile: file,
    existing: existingMode,
    actor: "importer@example.com",
    now: NOW,
    images,
    usedLabelIds: [car, bus],
    createdLabels: [{ ref: -1, name: "truck", scope: "shapes", attributes: [] }],
    extendedLabels: [],
  });

const shapesOf = (imageId: number) =>
  b.sql
    .selectFrom("annotations")
    .select(["uid", "label_id", "geometry", "position", "created_by"])
    .where("image_id", "=", imageId)
    .orderBy("position")
    .execute();
const imageByName = (name: string) =>
  b.sql.selectFrom("images").selectAll().where("file_name", "=", name).executeTakeFirstOrThrow();
const importsLeft = async () =>
  Number(
    (
      await b.sql
        .selectFrom("dataset_imports")
        .select((e) => e.fn.countAll().as("n"))
        .executeTakeFirstOrThrow()
    ).n,
  );

describe(`publishing an import (${TEST_BACKEND})`, () => {
  it("replaces an image's shapes, creates new images and labels, tags them, and counts", async () => {
    const { file, images } = stage();
    const { importId, labelIds } = await commit(file, images);
    const truck = labelIds.get(-1) as number;
    expect(truck).toBeGreaterThan(0);
    await publishImport(deps(), importId);

    expect(await shapesOf(existing)).toEqual([
      { uid: "u1", label_id: car, geometry: box(1), position: 0, created_by: "importer@example.com" },
      { uid: "u2", label_id: truck, geometry: box(2), position: 1, created_by: "importer@example.com" },
      { uid: "u3", label_id: car, geometry: box(3), position: 2, created_by: "importer@example.com" },
    ]);
    const old = await imageByName("old.png");
    expect(old).toMatchObject({ annotation_count: 3, revision: 1, status: "in_progress", updated_at: NOW });
    const fresh = await imageByName("new-2.png");
    expect(fresh).toMatchObject({
      project_id: projectId,
      sha256: "2".padStart(64, "0"),
      width: 50,
      height: 40,
      // The library sorts by it: an imported image takes its place among the others by name.
      name_key: naturalSortKey("new-2.png"),
      annotation_count: 2,
      status: "in_progress",
    });
    expect((await shapesOf(fresh.id)).map((s) => [s.uid, s.label_id])).toEqual([
      ["u4", bus],
      ["u5\ttab\\slash", truck],
    ]);
    const tags = await b.sql
      .selectFrom("image_tags")
      .select("label_id")
      .where("image_id", "=", fresh.id)
      .orderBy("label_id")
      .execute();
    expect(tags.map((t) => t.label_id)).toEqual([car, truck].sort((x, y) => x - y));
    expect(await importsLeft()).toBe(0);
    expect(fs.existsSync(path.join(dir, "import-stages", `${importId}.sqlite`))).toBe(false);
    const project = await b.sql.selectFrom("projects").select("updated_at").executeTakeFirstOrThrow();
    expect(project.updated_at).toBe(NOW);
  });

  it("appends after the shapes an image holds", async () => {
    const { file, images } = stage();
    const { importId } = await commit(file, images, "append");
    await publishImport(deps(), importId);
    expect((await shapesOf(existing)).map((s) => [s.uid, s.position])).toEqual([
      ["kept-or-replaced", 0],
      ["u1", 1],
      ["u2", 2],
      ["u3", 3],
    ]);
    expect(await imageByName("old.png")).toMatchObject({ annotation_count: 4 });
  });

  it("leaves out the shapes of a label deleted between the commit and the publish", async () => {
    const { file, images } = stage();
    const { importId } = await commit(file, images);
    await b.sql.deleteFrom("labels").where("id", "=", bus).execute();
    await publishImport(deps(), importId);
    const fresh = await imageByName("new-2.png");
    expect((await shapesOf(fresh.id)).map((s) => s.uid)).toEqual(["u5\ttab\\slash"]);
    expect(fresh.annotation_count).toBe(1);
  });

  it("refuses the commit, changing nothing, when a label it uses was deleted meanwhile", async () => {
    const { file, images } = stage();
    await b.sql.deleteFrom("labels").where("id", "=", bus).execute();
    await expect(commit(file, images)).rejects.toMatchObject({ code: "CONFLICT" });
    expect(await importsLeft()).toBe(0);
    const names = await b.sql.selectFrom("labels").select("name").execute();
    expect(names.map((n) => n.name)).toEqual(["car"]);
  });

  it("refuses the commit when a label of a name it creates appeared meanwhile", async () => {
    const { file, images } = stage();
    await b.sql
      .insertInto("labels")
      .values({
        project_id: projectId,
        name: "truck",
        name_key: "truck",
        color: "#00ff00",
        hotkey: null,
        position: 2,
        shape_types: "box",
      })
      .execute();
    await expect(commit(file, images)).rejects.toMatchObject({
      code: "CONFLICT",
      message: expect.stringContaining('a label "truck" was created while the import ran'),
    });
    expect(await importsLeft()).toBe(0);
  });

  it("after a crash, a restart publishes what is left from the recorded progress on", async () => {
    const { file, images } = stage(3);
    const { importId } = await commit(file, images);
    // As if the process died after publishing seq 1..2: those steps are not repeated.
    await b.sql
      .updateTable("dataset_imports")
      .set({ published_through: 2 })
      .where("id", "=", importId)
      .execute();
    await resumeImports(deps());
    expect((await shapesOf(existing)).map((s) => s.uid)).toEqual(["kept-or-replaced"]);
    for (const seq of [3, 4, 5])
      expect(await imageByName(`new-${seq}.png`)).toMatchObject({ annotation_count: 1 });
    expect(await importsLeft()).toBe(0);
  });

  it("two processes resuming at once publish every staged shape exactly once", async () => {
    const { file, images } = stage(200);
    const { importId } = await commit(file, images);
    // Two start-ups over the same database (on PostgreSQL each takes its own pooled client).
    await Promise.all([resumeImports(deps()), resumeImports(deps())]);
    expect(await importsLeft()).toBe(0);
    const total = await b.sql
      .selectFrom("annotations")
      .select((e) => e.fn.countAll().as("n"))
      .executeTakeFirstOrThrow();
    expect(Number(total.n)).toBe(3 + 2 + 200);
    const sums = await b.sql
      .selectFrom("images")
      .select((e) => e.fn.sum<number>("annotation_count").as("n"))
      .executeTakeFirstOrThrow();
    expect(Number(sums.n)).toBe(205);
    expect(fs.existsSync(path.join(dir, "import-stages", `${importId}.sqlite`))).toBe(false);
  });

  describe.runIf(TEST_BACKEND === "postgres").each([
    ["new images", false],
    ["images the project has, not yet started (steps that overlap)", true],
  ])("steps on two connections, into %s", (_what, existingImages) => {
    it("commit in their order: one that fails keeps every later step out, and the progress ends before it", async () => {
      const ids: number[] = [];
      if (existingImages)
        for (let seq = 3; seq <= 62; seq++)
          ids.push(
            (
              await b.sql
                .insertInto("images")
                .values({
                  project_id: projectId,
                  sha256: String(seq).padStart(64, "0"),
                  file_name: `new-${seq}.png`,
                  width: 50,
                  height: 40,
                  format: "png",
                  byte_size: 99,
                  created_at: NOW,
                  updated_at: NOW,
                })
                .returning("id")
                .executeTakeFirstOrThrow()
            ).id,
          );
      const { file, images } = stage(60, ids);
      const { importId } = await commit(file, images);
      // The step holding seq 40 (uid m37) fails each time it is tried.
      await sql`CREATE FUNCTION refuse_m37() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN IF NEW.uid = 'm37' THEN RAISE EXCEPTION 'refused m37'; END IF; RETURN NEW; END $$`.execute(
        b.sql,
      );
      await sql`CREATE TRIGGER refuse_m37 BEFORE INSERT ON annotations FOR EACH ROW EXECUTE FUNCTION refuse_m37()`.execute(
        b.sql,
      );
      let steps = 0;
      await expect(
        publishOnPostgres(b.pgPool as pg.Pool, importId, {
          targetMs: 60_000,
          firstRows: 3,
          pause: async () => {
            steps++;
          },
        }),
      ).rejects.toThrow(/refused m37/);
      const through = (
        await b.sql
          .selectFrom("dataset_imports")
          .select("published_through")
          .where("id", "=", importId)
          .executeTakeFirstOrThrow()
      ).published_through;
      // Steps grow from 3 rows as they go fast: seq 40 is in the fifth step or later.
      expect(through).toBeLessThan(40);
      expect(through).toBeGreaterThan(4);
      expect(steps).toBeGreaterThanOrEqual(4);
      // Exactly the images 1..through are published; nothing of a later step, whichever lane ran it.
      for (let seq = 3; seq <= 62; seq++) {
        const published = await b.sql
          .selectFrom("images")
          .select("annotation_count")
          .where("file_name", "=", `new-${seq}.png`)
          .executeTakeFirst();
        const untouched = existingImages ? 0 : null;
        // (An image the project has keeps status "new" until its step is published.)
        expect([seq, published?.annotation_count ?? null]).toEqual([seq, seq <= through ? 1 : untouched]);
      }
      // Once the cause is gone, a restart publishes the rest, each image once.
      await sql`DROP TRIGGER refuse_m37 ON annotations`.execute(b.sql);
      await resumeImports(deps());
      expect(await importsLeft()).toBe(0);
      const total = await b.sql
        .selectFrom("annotations")
        .select((e) => e.fn.countAll().as("n"))
        .executeTakeFirstOrThrow();
      expect(Number(total.n)).toBe(3 + 2 + 60);
      const counts = await b.sql
        .selectFrom("image_status_counts")
        .select(["status", "n"])
        .where("project_id", "=", projectId)
        .where("n", ">", 0)
        .orderBy("status")
        .execute();
      // old.png, new-2.png and the 60: all in progress now, as the counter says.
      expect(counts.map((c) => [c.status, Number(c.n)])).toEqual([["in_progress", 62]]);
    });
  });

  it.runIf(TEST_BACKEND === "postgres")(
    "a second process starting while one publishes leaves that import to it, even without its staging file",
    async () => {
      const { file, images } = stage(20);
      const { importId } = await commit(file, images);
      const stageFile = path.join(dir, "import-stages", `${importId}.sqlite`);
      let other: Promise<void> | null = null;
      const { outcome } = await publishOnPostgres(b.pgPool as pg.Pool, importId, {
        targetMs: 1_000,
        firstRows: 2,
        pause: async () => {
          if (other) return;
          // The other process runs on another machine: the staging file is not there.
          fs.renameSync(stageFile, `${stageFile}.away`);
          other = resumeImports(deps());
          await other;
          fs.renameSync(`${stageFile}.away`, stageFile);
        },
      });
      expect(other).not.toBeNull();
      expect(outcome).toBe("published");
      expect(await importsLeft()).toBe(0);
      for (let seq = 3; seq < 23; seq++)
        expect(await imageByName(`new-${seq}.png`)).toMatchObject({ annotation_count: 1 });
    },
  );
});

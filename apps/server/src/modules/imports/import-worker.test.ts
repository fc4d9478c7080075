import fs from "node:fs";
import path from "node:path";
import { ImportQuery } from "@labelbench/schema";
import Database from "better-sqlite3";
import { sql } from "kysely";
import request from "supertest";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createLabel, createProject, uploadImage } from "../../test-support/api.js";
import { makeTestApp, type TestApp } from "../../test-support/app.js";
import { png } from "../../test-support/images.js";
import { makeZip } from "../../test-support/zips.js";
import { runImportJob } from "./import-job.js";
import { commitImport } from "./import-publish.js";
import { projectSnapshot } from "./import-repo.js";

let t: TestApp;
let projectId: number;
beforeEach(async () => {
  t = await makeTestApp();
  projectId = (await createProject(t.app)).id;
});
afterEach(() => t.cleanup());

/** A COCO file with `n` boxes on a.png (100 x 100), half "car", half a label the import creates. */
const coco = (n: number) =>
  JSON.stringify({
    images: [{ id: 1, file_name: "a.png", width: 100, height: 100 }],
    categories: [
      { id: 1, name: "car" },
      { id: 2, name: "bus" },
    ],
    annotations: Array.from({ length: n }, (_, i) => ({
      id: i + 1,
      image_id: 1,
      category_id: (i % 2) + 1,
      bbox: [i % 90, (i * 7) % 90, 5, 5],
      area: 25,
      iscrowd: 0,
    })),
  });

const shapes = async (imageId: number) =>
  (await t.sql.selectFrom("annotations").select("id").where("image_id", "=", imageId).execute()).length;
const rowsOf = async (table: "annotations" | "labels" | "dataset_imports") =>
  (await t.sql.selectFrom(table).select("id").execute()).length;
const labelIdOf = async (name: string) =>
  (await t.sql.selectFrom("labels").select("id").where("name", "=", name).executeTakeFirstOrThrow()).id;

/**
 * Another connection writes at once, without waiting for a lock. SQLite: it takes the database's
 * write lock with busy_timeout 0. PostgreSQL (no database-wide write lock): another pooled
 * connection locks the project's row and its images' and labels' rows NOWAIT, what any writer of
 * the project needs and what an import holding them would make wait.
 */
const writeLockFree = async () => {
  if (t.dialect === "sqlite") {
    const other = new Database(t.db.name, { timeout: 0 });
    try {
      other.exec("BEGIN IMMEDIATE; COMMIT");
    } finally {
      other.close();
    }
    return;
  }
  await t.sql.transaction().execute(async (trx) => {
    await sql`SELECT id FROM projects WHERE id = ${projectId} FOR UPDATE NOWAIT`.execute(trx);
    await sql`SELECT id FROM images WHERE project_id = ${projectId} FOR UPDATE NOWAIT`.execute(trx);
    await sql`SELECT id FROM labels WHERE project_id = ${projectId} FOR UPDATE NOWAIT`.execute(trx);
  });
};

/** Files under a folder, recursively (empty when it does not exist). */
const filesUnder = (dir: string): string[] =>
  fs.existsSync(dir)
    ? (fs.readdirSync(dir, { recursive: true, withFileTypes: true }) as fs.Dirent[])
        .filter((d) => d.isFile())
        .map((d) => path.join(d.parentPath, d.name))
    : [];

const stages = () => filesUnder(t.storage.tempDir).filter((f) => f.endsWith("stage.sqlite"));

describe("imports off the main thread", () => {
  it("while an import decodes, the database takes other writers at once and saves are answered", async () => {
    await createLabel(t.app, projectId, { name: "car" });
    const a = await uploadImage(t.app, projectId, {
      name: "a.png",
      data: await png({ width: 100, height: 100 }),
    });
    const b = await uploadImage(t.app, projectId, {
      name: "b.png",
      data: await png({ width: 100, height: 100, seed: 2 }),
    });
    const order: string[] = [];
    let finished = false;
    const importing = request(t.app)
      .post(`/api/v1/projects/${projectId}/import?existing=replace`)
      .set("Content-Type", "application/zip")
      .send(await makeZip([["instances.json", coco(20_000)]]))
      .then((res) => {
        finished = true;
        order.push("import");
        return res;
      });
    // The moment the import is decoding: its staging file exists.
    while (!finished && stages().length === 0) await new Promise((r) => setTimeout(r, 5));
    expect(finished, "the import never had a moment where it was decoding while others could write").toBe(
      false,
    );
    // Another connection gets the write lock without waiting...
    await writeLockFree();
    // ...and an editor's save is answered before the import is.
    const save = await request(t.app)
      .put(`/api/v1/images/${b.id}/annotations`)
      .send({
        baseRevision: 0,
        annotations: [{ labelId: 1, geometry: { type: "box", x: 1, y: 1, width: 5, height: 5 } }],
      });
    order.push("save");
    expect(save.status).toBe(200);
    const res = await importing;
    expect(res.status, JSON.stringify(res.body).slice(0, 500)).toBe(200);
    expect(order).toEqual(["save", "import"]);
    expect(res.body.annotations.total).toBe(20_000);
    expect(await shapes(a.id)).toBe(20_000);
    expect(await shapes(b.id)).toBe(1);
    // Published in full: nothing staged is left, and the created label has its real id.
    expect(await rowsOf("dataset_imports")).toBe(0);
    expect(stages()).toEqual([]);
    const bus = res.body.annotations.perLabel.find((l: { name: string }) => l.name === "bus");
    expect(bus.labelId).toBe(await labelIdOf("bus"));
  }, 60_000);

  it("a refused import or a dry run leaves no staging file and writes nothing", async () => {
    await uploadImage(t.app, projectId, { name: "a.png", data: await png({ width: 100, height: 100 }) });
    const bad = JSON.parse(coco(100)) as { annotations: { bbox: number[] }[] };
    const last = bad.annotations[99];
    if (last) last.bbox = [500, 500, 5, 5];
    const refused = await request(t.app)
      .post(`/api/v1/projects/${projectId}/import`)
      .set("Content-Type", "application/zip")
      .send(await makeZip([["instances.json", JSON.stringify(bad)]]));
    expect(refused.status).toBe(400);
    const dry = await request(t.app)
      .post(`/api/v1/projects/${projectId}/import?dryRun=true`)
      .set("Content-Type", "application/zip")
      .send(await makeZip([["instances.json", coco(100)]]));
    expect(dry.status).toBe(200);
    expect(await rowsOf("annotations")).toBe(0);
    expect(await rowsOf("labels")).toBe(0);
    expect(filesUnder(t.storage.tempDir)).toEqual([]);
    expect(filesUnder(path.join(t.dir, "import-stages"))).toEqual([]);
  });

  it("an import stopped after its point of no return is published when the server starts again", async () => {
    const car = await createLabel(t.app, projectId, { name: "car" });
    const a = await uploadImage(t.app, projectId, {
      name: "a.png",
      data: await png({ width: 100, height: 100 }),
    });
    await request(t.app)
      .put(`/api/v1/images/${a.id}/annotations`)
      .send({
        baseRevision: 0,
        annotations: [{ labelId: car.id, geometry: { type: "box", x: 1, y: 1, width: 5, height: 5 } }],
      })
      .expect(200);
    // What the import route does up to its commit; the process then dies before publishing.
    const stageFile = path.join(t.storage.tempDir, "stage.sqlite");
    const result = runImportJob({
      projectId,
      project: await projectSnapshot(t.sql, projectId),
      opts: ImportQuery.parse({ format: "coco", existing: "replace" }),
      format: "coco",
      tileThresholdPixels: t.config.tileThresholdPixels,
      texts: new Map([["instances.json", coco(10)]]),
      lazy: new Map(),
      imagePaths: [],
      probed: [],
      stageFile,
    });
    expect(result.errors).toBe(0);
    await commitImport(
      { sql: t.sql, dialect: t.dialect, config: t.config },
      {
        projectId,
        stageFile,
        existing: "replace",
        actor: "importer@example.com",
        now: "2026-02-03T04:05:06.000Z",
        images: result.stagedImages,
        usedLabelIds: result.usedLabelIds,
        createdLabels: result.createdLabels,
        extendedLabels: result.extendedLabels,
      },
    );
    // Committed, not yet published: the project still shows what it had.
    expect(await shapes(a.id)).toBe(1);
    expect(await rowsOf("dataset_imports")).toBe(1);

    // A second app over the same database and store, as after a restart; it publishes first.
    const restarted = await t.sibling();
    await restarted.files.ready;
    expect(await rowsOf("dataset_imports")).toBe(0);
    expect(filesUnder(path.join(t.dir, "import-stages"))).toEqual([]);
    const rows = await t.sql
      .selectFrom("annotations")
      .select(["label_id", "created_by", "position"])
      .where("image_id", "=", a.id)
      .orderBy("position")
      .execute();
    expect(rows).toHaveLength(10);
    expect(rows.map((r) => r.position)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(new Set(rows.map((r) => r.created_by))).toEqual(new Set(["importer@example.com"]));
    const image = await t.sql
      .selectFrom("images")
      .select(["revision", "annotation_count", "status"])
      .where("id", "=", a.id)
      .executeTakeFirst();
    expect(image).toEqual({ revision: 2, annotation_count: 10, status: "in_progress" });
    const labels = await t.sql.selectFrom("labels").select("name").orderBy("position").execute();
    expect(labels.map((l) => l.name)).toEqual(["car", "bus"]);
  });
});

import type { Kysely } from "kysely";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Dialect } from "../../db/connect.js";
import type { Database } from "../../db/schema.js";
import { AppError } from "../../http/errors.js";
import { openProcessesDatabase, TEST_BACKEND } from "../../test-support/app.js";
import { labelService } from "./service.js";

/**
 * The label service straight on the suite's backend: on PostgreSQL through two pools on one
 * database, as two server processes would write one project's labels (on SQLite one connection,
 * as one process; see openProcessesDatabase).
 */
interface Pair {
  dialect: Dialect;
  a: Kysely<Database>;
  b: Kysely<Database>;
  close: () => Promise<void>;
}

const openPair = async (): Promise<Pair> => {
  const db = await openProcessesDatabase({ poolSize: 6 });
  return { dialect: db.dialect, a: db.sql, b: await db.connection(), close: db.close };
};

let pair: Pair;
let projectId: number;
const NOW = "2026-01-01T00:00:00.000Z";

beforeEach(async () => {
  pair = await openPair();
  ({ id: projectId } = await pair.a
    .insertInto("projects")
    .values({ name: "labels", created_at: NOW, updated_at: NOW })
    .returning("id")
    .executeTakeFirstOrThrow());
});
afterEach(() => pair.close());

const services = () => [pair.a, pair.b].map((sql) => labelService({ sql, dialect: pair.dialect }));

const addImage = async (sha: string) =>
  (
    await pair.a
      .insertInto("images")
      .values({
        project_id: projectId,
        sha256: sha.repeat(64),
        file_name: `${sha}.png`,
        width: 100,
        height: 100,
        format: "png",
        byte_size: 1,
        created_at: NOW,
        updated_at: NOW,
      })
      .returning("id")
      .executeTakeFirstOrThrow()
  ).id;

const addShape = (imageId: number, labelId: number, uid: string, geometry: string) =>
  pair.a
    .insertInto("annotations")
    .values({
      image_id: imageId,
      uid,
      label_id: labelId,
      geometry,
      position: 0,
      created_at: NOW,
      updated_at: NOW,
    })
    .execute();

const imageRow = (id: number) =>
  pair.a
    .selectFrom("images")
    .select(["revision", "annotation_count"])
    .where("id", "=", id)
    .executeTakeFirstOrThrow();

const BOX = '{"type":"box","x":1,"y":1,"width":5,"height":5}';
const POLYGON = '{"type":"polygon","points":[[1,1],[9,1],[9,9]]}';

describe(`label writes (${TEST_BACKEND})`, () => {
  it("creates one of N labels of the same name written at once; the others answer CONFLICT", async () => {
    const [s1, s2] = services();
    const results = await Promise.allSettled(
      Array.from({ length: 8 }, (_, i) =>
        (i % 2 ? s2 : s1)?.create(projectId, {
          name: i % 3 ? "Car" : "car",
          hotkey: null,
          shapeTypes: ["box"],
        }),
      ),
    );
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    for (const r of results)
      if (r.status === "rejected") {
        expect(r.reason).toBeInstanceOf(AppError);
        expect((r.reason as AppError).code).toBe("CONFLICT");
      }
    expect((await s1?.list(projectId))?.map((l) => l.position)).toEqual([0]);
  });

  it("numbers labels created at once without gaps or repeats", async () => {
    const [s1, s2] = services();
    await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        (i % 2 ? s2 : s1)?.create(projectId, { name: `l${i}`, hotkey: null, shapeTypes: ["box"] }),
      ),
    );
    expect((await s1?.list(projectId))?.map((l) => l.position)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it("reassigns shapes and tags, bumping the revisions of the images that used the label", async () => {
    const [s] = services();
    const from = await s?.create(projectId, { name: "from", hotkey: null, shapeTypes: ["box", "polygon"] });
    const to = await s?.create(projectId, { name: "to", hotkey: null, shapeTypes: ["box"] });
    if (!s || !from || !to) throw new Error("setup");
    const [used, tagged, other] = [await addImage("a"), await addImage("b"), await addImage("c")];
    await addShape(used, from.id, "s1", BOX);
    await pair.a.insertInto("image_tags").values({ image_id: tagged, label_id: from.id }).execute();
    await pair.a.insertInto("image_tags").values({ image_id: tagged, label_id: to.id }).execute();
    expect((await s.get(projectId, from.id)).annotationCount).toBe(1);
    await s.delete(projectId, from.id, { reassignTo: to.id, deleteAnnotations: false });
    expect((await imageRow(used)).revision).toBe(1);
    expect((await imageRow(tagged)).revision).toBe(1);
    expect((await imageRow(other)).revision).toBe(0);
    expect((await s.get(projectId, to.id)).annotationCount).toBe(1);
    const tags = await pair.a.selectFrom("image_tags").select(["image_id", "label_id"]).execute();
    expect(tags).toEqual([{ image_id: tagged, label_id: to.id }]);
    expect((await s.list(projectId)).map((l) => [l.name, l.position])).toEqual([["to", 0]]);
  });

  it("refuses to reassign polygons to a box-only label, and to disallow shape types in use", async () => {
    const [s] = services();
    const from = await s?.create(projectId, { name: "from", hotkey: null, shapeTypes: ["box", "polygon"] });
    const to = await s?.create(projectId, { name: "to", hotkey: null, shapeTypes: ["box"] });
    if (!s || !from || !to) throw new Error("setup");
    const image = await addImage("a");
    await addShape(image, from.id, "p1", POLYGON);
    await expect(
      s.delete(projectId, from.id, { reassignTo: to.id, deleteAnnotations: false }),
    ).rejects.toMatchObject({ code: "CONFLICT", details: { field: "reassignTo", missing: ["polygon"] } });
    await expect(s.update(projectId, from.id, { shapeTypes: ["box"] })).rejects.toMatchObject({
      code: "CONFLICT",
      details: { field: "shapeTypes", inUse: ["polygon"] },
    });
    expect((await imageRow(image)).revision).toBe(0);
  });

  it("deletes a label's shapes with it, dropping the counts and bumping the revisions", async () => {
    const [s] = services();
    const gone = await s?.create(projectId, { name: "gone", hotkey: null, shapeTypes: ["box"] });
    const kept = await s?.create(projectId, { name: "kept", hotkey: "k", shapeTypes: ["box"] });
    if (!s || !gone || !kept) throw new Error("setup");
    const image = await addImage("a");
    await addShape(image, gone.id, "g1", BOX);
    await addShape(image, kept.id, "k1", BOX);
    await pair.a.updateTable("images").set({ annotation_count: 2 }).where("id", "=", image).execute();
    await expect(s.delete(projectId, gone.id, { deleteAnnotations: false })).rejects.toMatchObject({
      code: "LABEL_IN_USE",
      details: { annotations: 1, tags: 0 },
    });
    await s.delete(projectId, gone.id, { deleteAnnotations: true });
    expect(await imageRow(image)).toEqual({ revision: 1, annotation_count: 1 });
    expect((await s.list(projectId)).map((l) => [l.name, l.position, l.hotkey])).toEqual([["kept", 0, "k"]]);
  });
});

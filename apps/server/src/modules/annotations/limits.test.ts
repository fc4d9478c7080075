import {
  type AnnotationSet,
  type Label,
  MAX_POLYGON_VERTICES,
  MAX_SHAPES_PER_IMAGE,
  MAX_TAGS_PER_IMAGE,
} from "@labelbench/schema";
import { sql } from "kysely";
import request from "supertest";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createLabel, createProject, expectError, issuePaths, uploadImage } from "../../test-support/api.js";
import { makeTestApp, type TestApp } from "../../test-support/app.js";
import { png } from "../../test-support/images.js";

/** The documented limits (packages/schema/src/limits.ts) on one 1000x1000 image. */
let t: TestApp;
let imageId: number;
let label: Label;

beforeEach(async () => {
  t = await makeTestApp();
  const p = await createProject(t.app);
  label = await createLabel(t.app, p.id, { name: "any" });
  imageId = (
    await uploadImage(t.app, p.id, { name: "img.png", data: await png({ width: 1000, height: 1000 }) })
  ).id;
});
afterEach(() => t.cleanup());

const url = () => `/api/v1/images/${imageId}/annotations`;
/** A simple polygon of `n` vertices: a circle of radius 400 around the image's centre. */
const circle = (n: number): [number, number][] =>
  Array.from({ length: n }, (_, i) => [
    500 + 400 * Math.cos((2 * Math.PI * i) / n),
    500 + 400 * Math.sin((2 * Math.PI * i) / n),
  ]);
const polygon = (n: number) => ({ type: "polygon", points: circle(n) });
const revision = async () => (await request(t.app).get(url())).body.revision;

/** Rows written straight into the database, as a server before the limits could have stored them. */
const storeRows = async (geometryJson: string, count: number) => {
  // CASTs: PostgreSQL types the parameters of a SELECT list as text.
  await sql`WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < ${count})
    INSERT INTO annotations (image_id, uid, label_id, geometry, position, created_by, updated_by, created_at, updated_at)
    SELECT CAST(${imageId} AS bigint), 's' || i, CAST(${label.id} AS bigint), ${geometryJson}, i, NULL, NULL,
      '2025-01-01T00:00:00.000Z', '2025-01-01T00:00:00.000Z' FROM n`.execute(t.sql);
  await t.sql.updateTable("images").set({ annotation_count: count }).where("id", "=", imageId).execute();
};

describe("vertices per polygon", () => {
  it("refuses a polygon over the limit with 400 naming its size, in PUT and PATCH, writing nothing", async () => {
    const over = polygon(MAX_POLYGON_VERTICES + 1);
    const message = `polygon has ${(MAX_POLYGON_VERTICES + 1).toLocaleString("en-US")} vertices; at most ${MAX_POLYGON_VERTICES.toLocaleString("en-US")} vertices are allowed`;
    const put = expectError(
      await request(t.app)
        .put(url())
        .send({ baseRevision: 0, annotations: [{ labelId: label.id, geometry: over }] }),
      400,
      "VALIDATION_ERROR",
    );
    expect(put.details).toEqual([{ path: "body.annotations.0.geometry.points", message }]);
    const patch = expectError(
      await request(t.app)
        .patch(url())
        .send({ baseRevision: 0, upsert: [{ id: "p", labelId: label.id, geometry: over }] }),
      400,
      "VALIDATION_ERROR",
    );
    expect(patch.details).toEqual([{ path: "body.upsert.0.geometry.points", message }]);
    expect(await revision()).toBe(0);
  });

  it("accepts a polygon of exactly the limit", async () => {
    const res = await request(t.app)
      .put(url())
      .send({
        baseRevision: 0,
        annotations: [{ labelId: label.id, geometry: polygon(MAX_POLYGON_VERTICES) }],
      });
    expect(res.status, JSON.stringify(res.body).slice(0, 300)).toBe(200);
    expect(res.body.annotations[0].geometry.points).toHaveLength(MAX_POLYGON_VERTICES);
  });

  it("still reads (and saves around) a stored polygon far over the limit", async () => {
    // 300,000 vertices with long decimals: the GET's canonical-form check was one regex whose
    // backtracking overflowed the stack, so every GET of the image answered 500.
    const points = circle(300_000);
    await storeRows(JSON.stringify({ type: "polygon", points }), 1);
    const got = await request(t.app).get(url());
    expect(got.status).toBe(200);
    const read = (got.body as AnnotationSet).annotations[0]?.geometry;
    expect(read?.type === "polygon" && read.points.length).toBe(points.length);
    expect(JSON.stringify(read)).toBe(JSON.stringify({ type: "polygon", points }));
    // Saving another shape does not check the stored one again.
    const patched = await request(t.app)
      .patch(url())
      .send({
        baseRevision: 0,
        upsert: [{ id: "b", labelId: label.id, geometry: { type: "box", x: 1, y: 1, width: 5, height: 5 } }],
      });
    expect(patched.status).toBe(200);
    expect(patched.body.annotationCount).toBe(2);
  });
});

describe("tags per image", () => {
  it("refuses more than the limit in PUT and PATCH", async () => {
    const tags = Array.from({ length: MAX_TAGS_PER_IMAGE + 1 }, () => label.id);
    const put = expectError(
      await request(t.app).put(url()).send({ baseRevision: 0, annotations: [], tags }),
      400,
      "VALIDATION_ERROR",
    );
    expect(put.details).toEqual([{ path: "body.tags", message: "1,001 tags; at most 1,000 tags per image" }]);
    const patch = expectError(
      await request(t.app).patch(url()).send({ baseRevision: 0, tags }),
      400,
      "VALIDATION_ERROR",
    );
    expect(issuePaths(patch.details)).toEqual(["body.tags"]);
    expect(await revision()).toBe(0);
  });
});

describe("shapes per image", () => {
  it("refuses a PUT of more shapes than the limit", async () => {
    const box = { type: "box", x: 1, y: 1, width: 1, height: 1 };
    const annotations = Array.from({ length: MAX_SHAPES_PER_IMAGE + 1 }, () => ({
      labelId: label.id,
      geometry: box,
    }));
    const err = expectError(
      await request(t.app).put(url()).send({ baseRevision: 0, annotations }),
      400,
      "VALIDATION_ERROR",
    );
    expect(err.details).toEqual([
      { path: "body.annotations", message: "100,001 shapes; at most 100,000 shapes per image" },
    ]);
  });

  it("refuses a PATCH that would take the image past the limit, and rolls it back whole", async () => {
    await storeRows('{"type":"box","x":1,"y":1,"width":1,"height":1}', MAX_SHAPES_PER_IMAGE - 1);
    const box = (id: string) => ({
      id,
      labelId: label.id,
      geometry: { type: "box", x: 2, y: 2, width: 3, height: 3 },
    });
    const err = expectError(
      await request(t.app)
        .patch(url())
        .send({ baseRevision: 0, upsert: [box("s0"), box("new-1"), box("new-2")] }),
      400,
      "VALIDATION_ERROR",
    );
    expect(err.details).toEqual([
      {
        path: "body.upsert",
        message: `image ${imageId} would hold 100,001 shapes; at most 100,000 shapes per image`,
      },
    ]);
    const stored = await t.sql
      .selectFrom("annotations")
      .select("geometry")
      .where("image_id", "=", imageId)
      .where("uid", "=", "s0")
      .executeTakeFirst();
    expect(stored?.geometry).toBe('{"type":"box","x":1,"y":1,"width":1,"height":1}');
    // Up to the limit is fine; a patch that deletes as much as it adds is too.
    const ok = await request(t.app)
      .patch(url())
      .send({ baseRevision: 0, upsert: [box("new-1")] });
    expect(ok.body.annotationCount).toBe(MAX_SHAPES_PER_IMAGE);
    const swap = await request(t.app)
      .patch(url())
      .send({ baseRevision: 1, upsert: [box("new-2")], delete: ["s1"] });
    expect(swap.body.annotationCount).toBe(MAX_SHAPES_PER_IMAGE);
  });
});

import { sql } from "kysely";
import request from "supertest";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { LabelbenchApp } from "../../app.js";
import { createLabel, createProject, expectError, issuePaths, uploadImage } from "../../test-support/api.js";
import { makeTestApp, type QuerySeen, TEST_BACKEND, type TestApp } from "../../test-support/app.js";
import { png } from "../../test-support/images.js";

/**
 * A save checks its labels before its transaction; a label deleted in between (by another
 * request, or another server process) must give a precise refusal, never a foreign-key 500, and
 * a deletion running beside a save must neither fail nor leave shapes of a label that is gone.
 * The app's `afterQuery` hook stops the save between two of its queries; the deletion goes
 * through a sibling app (another connection, as another process).
 */
let t: TestApp;
let other: LabelbenchApp;
let projectId: number;
let car: number;
let bus: number;
let imageId: number;
/** What the save's next query on `labels` does before the save sees its result (once). */
let onLabels: { nth: number; run: () => Promise<void> } | null = null;

beforeEach(async () => {
  t = await makeTestApp(
    {},
    {
      afterQuery: async (q: QuerySeen) => {
        if (!onLabels || q.kind !== "SelectQueryNode" || q.table !== "labels") return;
        if (--onLabels.nth > 0) return;
        const { run } = onLabels;
        onLabels = null;
        await run();
      },
    },
  );
  other = await t.sibling();
  projectId = (await createProject(t.app)).id;
  car = (await createLabel(t.app, projectId, { name: "car" })).id;
  bus = (await createLabel(t.app, projectId, { name: "bus" })).id;
  imageId = (
    await uploadImage(t.app, projectId, { name: "a.png", data: await png({ width: 100, height: 100 }) })
  ).id;
});
afterEach(async () => {
  onLabels = null;
  await t.cleanup();
});

const boxOf = (labelId: number, x = 1) => ({
  labelId,
  geometry: { type: "box", x, y: 1, width: 5, height: 5 },
});
const deleteBus = () =>
  request(other).delete(`/api/v1/projects/${projectId}/labels/${bus}?deleteAnnotations=true`);
const stored = async () => ({
  revision: (await t.sql.selectFrom("images").select("revision").where("id", "=", imageId).executeTakeFirst())
    ?.revision,
  labels: (await t.sql.selectFrom("annotations").select("label_id").orderBy("position").execute()).map(
    (r) => r.label_id,
  ),
  tags: (await t.sql.selectFrom("image_tags").select("label_id").execute()).map((r) => r.label_id),
});

describe(`a label deleted while a save is checked (${TEST_BACKEND})`, () => {
  it("a PUT refuses with 400 naming the shape, and saves nothing", async () => {
    // The first read of the labels is the save's check: the label goes right after it.
    onLabels = { nth: 1, run: async () => void (await deleteBus().expect(204)) };
    const res = await request(t.app)
      .put(`/api/v1/images/${imageId}/annotations`)
      .send({ baseRevision: 0, annotations: [boxOf(car), boxOf(bus, 20)] });
    const err = expectError(res, 400, "VALIDATION_ERROR");
    expect(issuePaths(err.details)).toEqual(["body.annotations.1.labelId"]);
    expect(err.message).toContain(`label ${bus} is not in this project's label set`);
    expect(await stored()).toEqual({ revision: 0, labels: [], tags: [] });
    // Saved again without the deleted label, on the same revision: nothing was half-done.
    await request(t.app)
      .put(`/api/v1/images/${imageId}/annotations`)
      .send({ baseRevision: 0, annotations: [boxOf(car)] })
      .expect(200);
  });

  it("a PATCH refuses an upsert and a tag of the deleted label with 400, and saves nothing", async () => {
    onLabels = { nth: 1, run: async () => void (await deleteBus().expect(204)) };
    const res = await request(t.app)
      .patch(`/api/v1/images/${imageId}/annotations`)
      .send({ baseRevision: 0, upsert: [{ id: "s1", ...boxOf(bus) }], delete: [], tags: [car, bus] });
    const err = expectError(res, 400, "VALIDATION_ERROR");
    expect(issuePaths(err.details)).toEqual(["body.upsert.0.labelId", "body.tags.1"]);
    expect(await stored()).toEqual({ revision: 0, labels: [], tags: [] });
  });
});

describe.skipIf(TEST_BACKEND === "sqlite")("a label deleted while a save writes (PostgreSQL)", () => {
  // SQLite runs one write transaction at a time: a deletion cannot start while a save's is open.
  it("the deletion waits for the save, then takes the saved shapes with the label", async () => {
    let deletion: Promise<request.Response> | null = null;
    // The second read of the labels is the save's, inside its transaction, holding them.
    onLabels = {
      nth: 2,
      run: async () => {
        deletion = deleteBus().then((r) => r);
        // The deletion is under way once it waits on a lock the save holds.
        const deadline = Date.now() + 10_000;
        for (;;) {
          const r = await sql<{ n: number }>`SELECT count(*) AS n FROM pg_stat_activity
            WHERE datname = current_database() AND wait_event_type = 'Lock'`.execute(t.sql);
          if (Number(r.rows[0]?.n) > 0) break;
          if (Date.now() > deadline) throw new Error("the deletion never waited for the save");
          await new Promise((r) => setTimeout(r, 10));
        }
      },
    };
    await request(t.app)
      .put(`/api/v1/images/${imageId}/annotations`)
      .send({ baseRevision: 0, annotations: [boxOf(car), boxOf(bus, 20)], tags: [bus] })
      .expect(200);
    expect(deletion).not.toBeNull();
    const deleted = await (deletion as unknown as Promise<request.Response>);
    expect(deleted.status, JSON.stringify(deleted.body)).toBe(204);
    // The save (revision 1), then the deletion, which saw its shape and moved the revision on.
    expect(await stored()).toEqual({ revision: 2, labels: [car], tags: [] });
  });
});

import { AnnotationSet, ImageCopy, ImageWork } from "@labelbench/schema";
import request from "supertest";
import { afterEach, describe, expect, it } from "vitest";
import { expectError, issuePaths } from "../../test-support/api.js";
import { TEST_BACKEND } from "../../test-support/app.js";
import {
  agent,
  makeReviewWorld,
  type Person,
  type ReviewWorld,
  setReview,
} from "../../test-support/review.js";

/**
 * Private copies (issue 16): an annotator's work on a gold image goes to their own copy, blind,
 * through the same endpoints; the reference (the image's own annotations) never moves.
 */
let w: ReviewWorld;
afterEach(() => w?.t.cleanup());

const box = (id: string, x: number, labelId = w.labelId) => ({
  id,
  labelId,
  geometry: { type: "box", x, y: 5, width: 20, height: 20 },
});
const setOf = async (who: Person | "admin", imageId: number) => {
  const r = await w.as(who).get(`/images/${imageId}/annotations`);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return AnnotationSet.parse(r.body);
};
const patch = (who: Person | "admin", imageId: number, baseRevision: number, body: object) =>
  w.as(who).patch(`/images/${imageId}/annotations`, { baseRevision, ...body });
const markGold = async (imageId: number, gold: "honeypot" | "qualification" = "honeypot") => {
  await w.t.sql.updateTable("images").set({ gold }).where("id", "=", imageId).execute();
};
/** A gold image whose reference the manager drew: one box at x = 100. */
const goldWithReference = async () => {
  const id = w.imageIds[0] as number;
  const r = await patch("mgr", id, 0, { upsert: [box("ref-1", 100)] });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  await markGold(id);
  return id;
};
const imageRow = (id: number) =>
  w.t.sql
    .selectFrom("images")
    .select(["revision", "annotation_count", "review_state", "attempt", "status"])
    .where("id", "=", id)
    .executeTakeFirstOrThrow();
const copyRow = (imageId: number, userId: number) =>
  w.t.sql
    .selectFrom("image_copies")
    .selectAll()
    .where("image_id", "=", imageId)
    .where("user_id", "=", userId)
    .executeTakeFirst();

describe(`copies: an annotator's work on a gold image (${TEST_BACKEND})`, () => {
  it("lands in their copy only: the reference, its revision and its count stay as the manager left them", async () => {
    w = await makeReviewWorld(1);
    const id = await goldWithReference();
    const reference = await setOf("mgr", id);
    expect(reference.revision).toBe(1);

    // The annotator starts from an empty set at revision 0: the reference is out of sight.
    expect(await setOf("ann1", id)).toEqual({ imageId: id, revision: 0, annotations: [], tags: [] });
    expect(await copyRow(id, w.users.ann1.id)).toBeUndefined();

    const saved = await patch("ann1", id, 0, { upsert: [box("mine-1", 10)] });
    expect(saved.status, JSON.stringify(saved.body)).toBe(200);
    expect(saved.body).toMatchObject({ imageId: id, revision: 1, annotationCount: 1 });
    const put = await w.as("ann1").put(`/images/${id}/annotations`, {
      baseRevision: 1,
      annotations: [box("mine-1", 10), box("mine-2", 200)],
      tags: [w.labelId],
    });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    expect(put.body.revision).toBe(2);

    const mine = await setOf("ann1", id);
    expect(mine.revision).toBe(2);
    expect(mine.annotations.map((a) => [a.id, a.createdBy])).toEqual([
      ["mine-1", w.users.ann1.email],
      ["mine-2", w.users.ann1.email],
    ]);
    expect(mine.tags).toEqual([w.labelId]);
    // The unchanged shape kept its first save's time.
    expect(mine.annotations[0]?.createdAt).toBe(saved.body.upserted[0].createdAt);

    expect(await setOf("mgr", id)).toEqual(reference);
    expect(await imageRow(id)).toMatchObject({ revision: 1, annotation_count: 1, review_state: "none" });
    expect(await copyRow(id, w.users.ann1.id)).toMatchObject({ purpose: "gold", state: "open", revision: 2 });

    // Another annotator has a copy of their own.
    expect(await setOf("ann2", id)).toMatchObject({ revision: 0, annotations: [] });
  });

  it("refuses a shape naming a prediction (issue 17): a copy is measured blind, and nothing is saved", async () => {
    w = await makeReviewWorld(1);
    const id = await goldWithReference();
    const res = await patch("ann1", id, 0, { upsert: [{ ...box("c1", 10), predictionId: 5 }] });
    const err = expectError(res, 400, "VALIDATION_ERROR");
    expect(issuePaths(err.details)).toEqual(["body.upsert.0.predictionId"]);
    expect((err.details as { message: string }[])[0]?.message).toBe(
      `image ${id} is worked in your private copy, where predictions cannot be accepted`,
    );
    expect(await copyRow(id, w.users.ann1.id)).toBeUndefined();
  });

  it("validates like the image's set, conflicts on the copy's own revision, and places shapes like a patch", async () => {
    w = await makeReviewWorld(1);
    const id = await goldWithReference();
    const bad = expectError(
      await patch("ann1", id, 0, {
        upsert: [
          { id: "far", labelId: w.labelId, geometry: { type: "box", x: 900, y: 5, width: 20, height: 20 } },
        ],
      }),
      400,
      "VALIDATION_ERROR",
    );
    expect(issuePaths(bad.details)).toEqual(["body.upsert.0.geometry"]);
    expect(await copyRow(id, w.users.ann1.id)).toBeUndefined();

    expect((await patch("ann1", id, 0, { upsert: [box("a", 10), box("b", 40)] })).status).toBe(200);
    // A reference save moves the image's revision, not the copy's.
    expect((await patch("mgr", id, 1, { upsert: [box("ref-2", 150)] })).status).toBe(200);
    const conflict = expectError(
      await patch("ann1", id, 0, { upsert: [box("c", 70)] }),
      409,
      "REVISION_CONFLICT",
    );
    expect(AnnotationSet.parse(conflict.details)).toMatchObject({ imageId: id, revision: 1 });
    expect(AnnotationSet.parse(conflict.details).annotations.map((a) => a.id)).toEqual(["a", "b"]);

    const placed = await patch("ann1", id, 1, { upsert: [{ ...box("c", 70), before: "b" }], delete: ["a"] });
    expect(placed.status, JSON.stringify(placed.body)).toBe(200);
    expect(placed.body).toMatchObject({
      revision: 2,
      annotationCount: 2,
      placed: [{ id: "c", before: "b" }],
    });
    expect((await setOf("ann1", id)).annotations.map((a) => a.id)).toEqual(["c", "b"]);
    const missing = expectError(await patch("ann1", id, 2, { delete: ["nope"] }), 400, "VALIDATION_ERROR");
    expect(issuePaths(missing.details)).toEqual(["body.delete.0"]);
    expect((await setOf("ann1", id)).revision).toBe(2);
  });

  it("submits the copy, not the image; a submitted copy is read-only for its author", async () => {
    w = await makeReviewWorld(1);
    await setReview(w, { mode: "all" });
    const id = await goldWithReference();
    expect((await patch("ann1", id, 0, { upsert: [box("a", 10)] })).status).toBe(200);
    const stale = expectError(
      await w.as("ann1").post(`/images/${id}/submit`, { revision: 0 }),
      409,
      "STALE_REVISION",
    );
    expect(ImageWork.parse(stale.details).revision).toBe(1);

    const r = await w.as("ann1").post(`/images/${id}/submit`, { revision: 1 });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    // Like any submission the policy selects: pending review, attempt 1, the author's.
    expect(ImageWork.parse(r.body)).toMatchObject({
      imageId: id,
      reviewState: "pending",
      attempt: 1,
      submittedBy: w.users.ann1.id,
      submittedRevision: 1,
      revision: 1,
    });
    expect(await copyRow(id, w.users.ann1.id)).toMatchObject({ state: "submitted", revision: 1 });
    expect((await copyRow(id, w.users.ann1.id))?.submitted_at).toBe(new Date(w.clock.ms).toISOString());
    // The image's own workflow did not move.
    expect(await imageRow(id)).toMatchObject({ review_state: "none", attempt: 0, revision: 1 });

    expectError(await patch("ann1", id, 1, { upsert: [box("b", 40)] }), 409, "WORKFLOW_CONFLICT");
    expectError(
      await w.as("ann1").put(`/images/${id}/annotations`, { baseRevision: 1, annotations: [] }),
      409,
      "WORKFLOW_CONFLICT",
    );
    expectError(await w.as("ann1").post(`/images/${id}/submit`, { revision: 1 }), 409, "WORKFLOW_CONFLICT");
    expect((await setOf("ann1", id)).annotations.map((a) => a.id)).toEqual(["a"]);
    expect(ImageWork.parse((await w.as("ann1").get(`/images/${id}/work`)).body)).toMatchObject({
      reviewState: "pending",
      submittedBy: w.users.ann1.id,
    });
  });

  it("tells the annotator nothing of gold: image, library, work, history, issues and diff read like their own image", async () => {
    w = await makeReviewWorld(2);
    const id = await goldWithReference();
    // A reviewer's issue on the reference, and a manager's status: the annotator sees neither.
    const issue = await w.as("rev").post(`/images/${id}/issues`, {
      anchor: { kind: "point", x: 3, y: 3 },
      category: "missing",
      severity: "major",
      comment: "reference check",
    });
    expect(issue.status, JSON.stringify(issue.body)).toBe(201);
    expect((await w.as("mgr").patch(`/images/${id}`, { status: "done" })).status).toBe(200);

    const reads = async () => [
      (await w.as("ann1").get(`/images/${id}`)).body,
      (await w.as("ann1").get(`/projects/${w.projectId}/images`)).body,
      (await w.as("ann1").get(`/images/${id}/work`)).body,
      (await w.as("ann1").get(`/images/${id}/history`)).body,
      (await w.as("ann1").get(`/images/${id}/issues`)).body,
      (await w.as("ann1").get(`/images/${id}/review-diff`)).body,
      (await w.as("ann1").get(`/images/${id}/annotations`)).body,
    ];
    const untouched = await reads();
    expect(untouched[0]).toMatchObject({ id, status: "new", annotationCount: 0, assigneeId: null });
    expect(untouched[0]).not.toHaveProperty("gold");
    expect(untouched[4]).toEqual({ items: [] });
    expect(untouched[3]).toMatchObject({ events: [] });

    expect((await patch("ann1", id, 0, { upsert: [box("a", 10), box("b", 40)] })).status).toBe(200);
    const opened = await reads();
    expect(opened[0]).toMatchObject({
      id,
      status: "in_progress",
      annotationCount: 2,
      assigneeId: w.users.ann1.id,
      reviewState: "none",
    });
    const listed = (opened[1] as { items: { id: number; tags?: number[] }[] }).items.find((i) => i.id === id);
    // The library's row adds the image's tags (issue 18): the annotator's copy's, none here, never the reference's.
    const { tags, ...row } = listed ?? { id: 0 };
    expect(row).toEqual(opened[0]);
    expect(tags).toEqual([]);
    expect(opened[2]).toMatchObject({ assigneeId: w.users.ann1.id, assignedVia: "queue", revision: 1 });
    for (const body of [...untouched, ...opened]) {
      const text = JSON.stringify(body);
      for (const word of [
        "gold",
        "honeypot",
        "qualification",
        "overlap",
        "copy",
        "copies",
        "reference check",
      ])
        expect(text, `${word} in ${text}`).not.toContain(word);
    }

    // The annotator's status change leaves the reference's alone.
    expect((await w.as("ann1").patch(`/images/${id}`, { status: "skipped" })).status).toBe(200);
    expect(await imageRow(id)).toMatchObject({ status: "done" });

    // Managers and reviewers see the marker and the reference.
    expect((await w.as("mgr").get(`/images/${id}`)).body).toMatchObject({
      gold: "honeypot",
      annotationCount: 1,
    });
    const other = (await w.as("rev").get(`/projects/${w.projectId}/images`)).body.items as { id: number }[];
    expect(other.find((i) => i.id === id)).toMatchObject({ gold: "honeypot" });
    expect(other.find((i) => i.id !== id)).toMatchObject({ gold: null });
  });
});

describe(`copies: racing saves (${TEST_BACKEND})`, () => {
  it("one of several first saves on the same base wins, from two processes; the others get the copy's conflict", async () => {
    w = await makeReviewWorld(1);
    const id = await goldWithReference();
    const other = agent(await w.t.sibling(), w.users.ann1.token);
    const saves = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        (i % 2 === 0 ? w.as("ann1") : other).patch(`/images/${id}/annotations`, {
          baseRevision: 0,
          upsert: [box(`race-${i}`, 10 + i)],
        }),
      ),
    );
    const won = saves.filter((r) => r.status === 200);
    expect(won).toHaveLength(1);
    for (const r of saves.filter((x) => x.status !== 200)) {
      const conflict = expectError(r, 409, "REVISION_CONFLICT");
      expect(AnnotationSet.parse(conflict.details).revision).toBe(1);
    }
    const mine = await setOf("ann1", id);
    expect(mine.revision).toBe(1);
    expect(mine.annotations.map((a) => a.id)).toEqual([won[0]?.body.upserted[0].id]);
    expect(await imageRow(id)).toMatchObject({ revision: 1, annotation_count: 1 });
  });
});

describe(`copies: reads for managers and reviewers (${TEST_BACKEND})`, () => {
  it("lists who holds a copy and shows each one as an annotation set; annotators may not", async () => {
    w = await makeReviewWorld(1);
    const id = await goldWithReference();
    expect((await patch("ann1", id, 0, { upsert: [box("a", 10)], tags: [w.labelId] })).status).toBe(200);
    expect((await w.as("ann1").post(`/images/${id}/submit`, { revision: 1 })).status).toBe(200);
    w.clock.ms += 60_000;
    expect((await patch("ann2", id, 0, { upsert: [box("x", 30), box("y", 60)] })).status).toBe(200);

    const list = await w.as("rev").get(`/images/${id}/copies`);
    expect(list.status, JSON.stringify(list.body)).toBe(200);
    const items = (list.body.items as unknown[]).map((c) => ImageCopy.parse(c));
    expect(items).toEqual([
      expect.objectContaining({
        userId: w.users.ann1.id,
        userName: "ANN1",
        purpose: "gold",
        state: "submitted",
        revision: 1,
        shapeCount: 1,
        tagCount: 1,
      }),
      expect.objectContaining({ userId: w.users.ann2.id, state: "open", shapeCount: 2, submittedAt: null }),
    ]);
    const one = await w.as("mgr").get(`/images/${id}/copies/${w.users.ann2.id}`);
    expect(one.status, JSON.stringify(one.body)).toBe(200);
    expect(AnnotationSet.parse(one.body)).toEqual(await setOf("ann2", id));

    expectError(await w.as("mgr").get(`/images/${id}/copies/${w.users.rev.id}`), 404, "NOT_FOUND");
    expectError(await w.as("mgr").get("/images/999999/copies"), 404, "NOT_FOUND");
    expectError(await w.as("ann1").get(`/images/${id}/copies`), 403, "FORBIDDEN");
    expectError(await w.as("ann1").get(`/images/${id}/copies/${w.users.ann1.id}`), 403, "FORBIDDEN");
  });

  it("routes anyone holding a copy to it (a reviewer in blind overlap), and leaves out shapes of deleted labels", async () => {
    w = await makeReviewWorld(1);
    const id = w.imageIds[0] as number;
    const now = new Date(w.clock.ms).toISOString();
    await w.t.sql
      .insertInto("image_copies")
      .values({
        image_id: id,
        user_id: w.users.rev.id,
        purpose: "overlap",
        shapes: "[]",
        tags: "[]",
        created_at: now,
        updated_at: now,
      })
      .execute();
    const temp = await w.as("admin").post(`/projects/${w.projectId}/labels`, { name: "temp" });
    expect((await patch("rev", id, 0, { upsert: [box("r1", 10), box("r2", 50, temp.body.id)] })).status).toBe(
      200,
    );
    expect(await imageRow(id)).toMatchObject({ revision: 0, annotation_count: 0 });
    expect((await setOf("ann1", id)).annotations).toEqual([]);
    const gone = await request(w.t.app).delete(
      `/api/v1/projects/${w.projectId}/labels/${temp.body.id}?deleteAnnotations=true`,
    );
    expect(gone.status, JSON.stringify(gone.body)).toBe(204);
    expect((await setOf("rev", id)).annotations.map((a) => a.id)).toEqual(["r1"]);
  });
});

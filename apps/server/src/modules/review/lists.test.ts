import { AnnotatorStats, ReviewDiff, ReviewQueuePage } from "@labelbench/schema";
import { afterEach, describe, expect, it } from "vitest";
import { createLabel, expectError } from "../../test-support/api.js";
import { TEST_BACKEND } from "../../test-support/app.js";
import {
  addBox,
  annotateAndSubmit,
  makeReviewWorld,
  type ReviewWorld,
  revisionOf,
  setReview,
} from "../../test-support/review.js";
import { getExport, unzip } from "../../test-support/zips.js";

/** The review queue, the diff, history, activity, annotator numbers and the export filter (issue 15). */
let w: ReviewWorld;
afterEach(() => w?.t.cleanup());

const queue = async (query = "") => {
  const r = await w.as("rev").get(`/projects/${w.projectId}/review-queue${query}`);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return ReviewQueuePage.parse(r.body);
};
const ids = (p: ReviewQueuePage) => p.items.map((i) => i.imageId);
const decide = async (id: number, decision: string, extra: object = {}) => {
  const r = await w
    .as("rev")
    .post(`/images/${id}/decision`, { decision, revision: await revisionOf(w, id), ...extra });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
};

describe(`review queue (${TEST_BACKEND})`, () => {
  it("lists pending images oldest submission first, pages by cursor, and filters", async () => {
    w = await makeReviewWorld(6);
    await setReview(w, { mode: "all" });
    const { id: truck } = await createLabel(w.t.app, w.projectId, { name: "truck" });
    const order: number[] = [];
    // Submitted in reverse order, a minute apart, by two annotators.
    for (const [i, id] of [...w.imageIds].reverse().entries()) {
      await annotateAndSubmit(w, i % 2 === 0 ? "ann1" : "ann2", id);
      order.push(id);
      w.clock.ms += 60_000;
    }
    const first = await queue("?limit=4");
    expect(ids(first)).toEqual(order.slice(0, 4));
    expect(first.total).toBe(6);
    expect(first.nextCursor).not.toBeNull();
    const second = await queue(`?limit=4&cursor=${first.nextCursor}`);
    expect(ids(second)).toEqual(order.slice(4));
    expect(second.nextCursor).toBeNull();
    expect(ids(await queue(`?annotatorId=${w.users.ann2.id}`))).toEqual(order.filter((_, i) => i % 2 === 1));
    const since = new Date(Date.parse("2026-03-02T09:00:00.000Z") + 3 * 60_000).toISOString();
    expect(ids(await queue(`?submittedSince=${since}`))).toEqual(order.slice(3));
    // A label filter: only the image holding a truck.
    const [target] = order as [number];
    await w
      .as("rev")
      .patch(`/images/${target}/annotations`, {
        baseRevision: await revisionOf(w, target),
        upsert: [{ id: "t1", labelId: truck, geometry: { type: "box", x: 1, y: 1, width: 4, height: 4 } }],
      })
      .expect(200);
    expect(ids(await queue(`?labelId=${truck}`))).toEqual([target]);
    // Rework and a second attempt; open issues.
    await decide(order[1] as number, "rejected", { reasons: ["other"] });
    await annotateAndSubmit(w, "ann2", order[1] as number, 9);
    expect(ids(await queue("?attempt=2"))).toEqual([order[1]]);
    expect(ids(await queue("?state=rejected"))).toEqual([]);
    expectError(
      await w.as("rev").get(`/projects/${w.projectId}/review-queue?cursor=abc`),
      400,
      "VALIDATION_ERROR",
    );
    expectError(
      await w.as("rev").get(`/projects/${w.projectId}/review-queue?state=done`),
      400,
      "VALIDATION_ERROR",
    );
  });

  it("filters by open issues", async () => {
    w = await makeReviewWorld(2);
    await setReview(w, { mode: "all" });
    const [a, b] = w.imageIds as [number, number];
    await annotateAndSubmit(w, "ann1", a);
    await annotateAndSubmit(w, "ann1", b);
    const now = new Date(w.clock.ms).toISOString();
    await w.t.sql
      .insertInto("review_issues")
      .values({
        project_id: w.projectId,
        image_id: b,
        anchor: JSON.stringify({ kind: "point", x: 1, y: 1 }),
        category: "other",
        severity: "minor",
        attempt: 1,
        created_at: now,
        updated_at: now,
      })
      .execute();
    expect(ids(await queue("?openIssues=true"))).toEqual([b]);
    expect(ids(await queue("?openIssues=false"))).toEqual([a]);
  });
});

describe(`review diff (${TEST_BACKEND})`, () => {
  it("shows what changed since the last decision: added, removed, moved", async () => {
    w = await makeReviewWorld(1);
    await setReview(w, { mode: "all" });
    const [id] = w.imageIds as [number];
    expect(
      ReviewDiff.parse((await w.as("rev").get(`/images/${id}/review-diff`)).body).baseRevision,
    ).toBeNull();
    await addBox(w, "ann1", id, 1, "keep");
    await addBox(w, "ann1", id, 2, "move");
    await addBox(w, "ann1", id, 3, "drop");
    const sub = await w.as("ann1").post(`/images/${id}/submit`, { revision: await revisionOf(w, id) });
    await decide(id, "rejected", { reasons: ["imprecise_shapes"] });
    await w
      .as("ann1")
      .patch(`/images/${id}/annotations`, {
        baseRevision: await revisionOf(w, id),
        upsert: [
          { id: "move", labelId: w.labelId, geometry: { type: "box", x: 12, y: 1, width: 10, height: 10 } },
          { id: "new", labelId: w.labelId, geometry: { type: "box", x: 30, y: 1, width: 5, height: 5 } },
        ],
        delete: ["drop"],
      })
      .expect(200);
    const d = ReviewDiff.parse((await w.as("rev").get(`/images/${id}/review-diff`)).body);
    expect(d.baseRevision).toBe(sub.body.revision);
    expect(d.added).toEqual(["new"]);
    expect(d.removed.map((r) => r.id)).toEqual(["drop"]);
    expect(d.changed).toEqual([
      {
        id: "move",
        labelChanged: false,
        geometryChanged: true,
        before: { labelId: w.labelId, geometry: { type: "box", x: 2, y: 1, width: 10, height: 10 } },
      },
    ]);
  });
});

describe(`history, activity and annotator numbers (${TEST_BACKEND})`, () => {
  it("counts submissions, first-pass acceptances, rejections, objects and active time per member", async () => {
    w = await makeReviewWorld(3);
    await setReview(w, { mode: "all" });
    const [a, b, c] = w.imageIds as [number, number, number];
    await annotateAndSubmit(w, "ann1", a);
    await decide(a, "accepted");
    await annotateAndSubmit(w, "ann1", b);
    await decide(b, "rejected", { reasons: ["other"] });
    await annotateAndSubmit(w, "ann1", b, 5);
    await decide(b, "accepted");
    await annotateAndSubmit(w, "ann2", c);
    await w.as("ann1").post(`/images/${a}/activity`, { seconds: 30 }).expect(204);
    await w.as("ann1").post(`/images/${b}/activity`, { seconds: 45 }).expect(204);
    await w.as("ann1").post(`/images/${b}/activity`, { seconds: 15 }).expect(204);
    expectError(await w.as("ann1").post(`/images/${a}/activity`, { seconds: 301 }), 400, "VALIDATION_ERROR");
    const stats = (await w.as("rev").get(`/projects/${w.projectId}/annotator-stats`)).body.items.map(
      (s: unknown) => AnnotatorStats.parse(s),
    );
    const ann1 = stats.find((s: AnnotatorStats) => s.userId === w.users.ann1.id);
    expect(ann1).toMatchObject({
      submitted: 2,
      acceptedFirstPass: 1,
      accepted: 2,
      rejected: 1,
      reworkRate: 1 / 3,
      objects: 3,
      activeSeconds: 90,
      openIssues: 0,
    });
    const ann2 = stats.find((s: AnnotatorStats) => s.userId === w.users.ann2.id);
    expect(ann2).toMatchObject({ submitted: 1, accepted: 0, rejected: 0, reworkRate: null, objects: 1 });
    // An annotator sees their own row only.
    const own = await w.as("ann2").get(`/projects/${w.projectId}/annotator-stats`);
    expect(own.body.items.map((s: { userId: number }) => s.userId)).toEqual([w.users.ann2.id]);
    const history = await w.as("ann1").get(`/images/${b}/history`);
    expect(
      history.body.events.map((e: { kind: string; actorName: string }) => `${e.kind}:${e.actorName}`),
    ).toEqual([
      "saved:ANN1",
      "submitted:ANN1",
      "rejected:REV",
      "saved:ANN1",
      "submitted:ANN1",
      "accepted:REV",
    ]);
    expect(history.body.work).toMatchObject({ imageId: b, reviewState: "accepted", attempt: 2 });
  });

  it("shows who annotated: a run of saves by one person in one attempt is one line with its revisions", async () => {
    w = await makeReviewWorld(1);
    const [a] = w.imageIds as [number];
    for (const x of [1, 2, 3]) expect((await addBox(w, "ann1", a, x)).status).toBe(200);
    expect((await addBox(w, "rev", a, 4)).status).toBe(200);
    expect((await addBox(w, "ann1", a, 5)).status).toBe(200);
    const events = (await w.as("ann1").get(`/images/${a}/history`)).body.events as {
      kind: string;
      actorName: string;
      revision: number;
      detail: { fromRevision: number; saves: number };
    }[];
    expect(
      events.map((e) => [e.kind, e.actorName, e.detail.fromRevision, e.revision, e.detail.saves]),
    ).toEqual([
      ["saved", "ANN1", 1, 3, 3],
      ["saved", "REV", 4, 4, 1],
      ["saved", "ANN1", 5, 5, 1],
    ]);
  });
});

describe(`export by review state (${TEST_BACKEND})`, () => {
  it("review=accepted holds exactly the accepted images' shapes; the manifest records the filter", async () => {
    w = await makeReviewWorld(4);
    await setReview(w, { mode: "all" });
    const [a, b, c, d] = w.imageIds as [number, number, number, number];
    await annotateAndSubmit(w, "ann1", a, 1);
    await decide(a, "accepted");
    await annotateAndSubmit(w, "ann1", b, 2);
    await decide(b, "rejected", { reasons: ["other"] });
    await annotateAndSubmit(w, "ann1", c, 3);
    await setReview(w, { mode: "off" });
    await annotateAndSubmit(w, "ann1", d, 4);
    const shapesOf = async (review: string) => {
      const res = await getExport(
        w.t.app,
        w.projectId,
        `format=coco&images=exclude&split=100,0,0&review=${review}`,
      );
      expect(res.status, res.body.toString()).toBe(200);
      const files = await unzip(res.body);
      const manifest = JSON.parse(files.get("manifest.json")?.toString() ?? "{}");
      expect(manifest.options.review).toBe(review);
      const coco = JSON.parse(files.get("annotations/instances_train.json")?.toString() ?? "{}");
      const names = new Map<number, string>(
        coco.images.map((i: { id: number; file_name: string }) => [i.id, i.file_name]),
      );
      return coco.annotations
        .map((s: { image_id: number; bbox: number[] }) => `${names.get(s.image_id)}@${s.bbox[0]}`)
        .sort();
    };
    expect(await shapesOf("accepted")).toEqual(["img001.png@1"]);
    expect(await shapesOf("done")).toEqual(["img001.png@1", "img004.png@4"]);
    expect(await shapesOf("any")).toEqual(["img001.png@1", "img002.png@2", "img003.png@3", "img004.png@4"]);
    // An edit after the acceptance (returnOnEdit) takes the image out of the accepted export.
    await addBox(w, "ann1", a, 40);
    expect(await shapesOf("accepted")).toEqual([]);
    // Five exports, each in a worker of its own (and on PostgreSQL a reader thread too).
  }, 180_000);
});

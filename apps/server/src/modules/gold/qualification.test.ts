import { MyWork, NextWork, QualificationStatus } from "@labelbench/schema";
import { afterEach, describe, expect, it } from "vitest";
import { expectError } from "../../test-support/api.js";
import { TEST_BACKEND } from "../../test-support/app.js";
import { makeReviewWorld, type ReviewWorld, setReview } from "../../test-support/review.js";
import { accuracyOf, qualificationStatus } from "./qualification.js";

/**
 * The qualification queue and the scoring of copies (issue 16): an annotator's submitted copy is
 * scored at once against the reference, and real work opens when their accuracy reaches the mark.
 */
let w: ReviewWorld;
afterEach(() => w?.t.cleanup());

type Who = "ann1" | "ann2" | "mgr";
const box = (id: string, x: number) => ({
  id,
  labelId: w.labelId,
  geometry: { type: "box", x, y: 20, width: 60, height: 40 },
});
const revisionOf = async (who: Who, imageId: number) =>
  (await w.as(who).get(`/images/${imageId}/annotations`)).body.revision as number;
const draw = async (who: Who, imageId: number, x: number) => {
  const r = await w.as(who).put(`/images/${imageId}/annotations`, {
    baseRevision: await revisionOf(who, imageId),
    annotations: [box(`${who}-${imageId}`, x)],
  });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
};
const submit = async (who: Who, imageId: number) => {
  const r = await w.as(who).post(`/images/${imageId}/submit`, { revision: await revisionOf(who, imageId) });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
};
const next = async (who: "ann1" | "ann2") => {
  const r = await w.as(who).post(`/projects/${w.projectId}/work/next`);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return NextWork.parse(r.body).image?.imageId;
};
const qualificationOf = async (who: "ann1" | "ann2") =>
  MyWork.parse((await w.as(who).get(`/projects/${w.projectId}/work/mine`)).body).qualification;
const results = (userId: number) =>
  w.t.sql
    .selectFrom("quality_results")
    .select(["image_id", "tp", "fp", "fn", "mismatched"])
    .where("checked_user_id", "=", userId)
    .where("kind", "=", "gold")
    .orderBy("image_id")
    .execute();

/** Two qualification images with a reference box at x = 100 each, one real image, the queue on. */
const qualifyingWorld = async () => {
  w = await makeReviewWorld(3);
  const [q1, q2, real] = w.imageIds as [number, number, number];
  for (const id of [q1, q2]) await draw("mgr", id, 100);
  const marked = await w.as("mgr").post(`/projects/${w.projectId}/images/gold`, {
    imageIds: [q1, q2],
    gold: "qualification",
  });
  expect(marked.status, JSON.stringify(marked.body)).toBe(200);
  await setReview(w, { queue: true });
  const s = await w
    .as("mgr")
    .put(`/projects/${w.projectId}/quality/settings`, { qualificationImages: 2, qualificationPass: 0.8 });
  expect(s.status, JSON.stringify(s.body)).toBe(200);
  return { q1, q2, real };
};

describe(`qualification (${TEST_BACKEND})`, () => {
  it("hands out the qualification images first, refuses real work meanwhile, and opens it at the pass mark", async () => {
    const { q1, q2, real } = await qualifyingWorld();
    expect(await next("ann1")).toBe(q1);
    const refused = expectError(
      await w.as("ann1").patch(`/images/${real}/annotations`, { baseRevision: 0, upsert: [box("r", 10)] }),
      403,
      "QUALIFICATION_REQUIRED",
    );
    expect(QualificationStatus.parse(refused.details)).toEqual({
      state: "in_progress",
      required: 2,
      submitted: 0,
      accuracy: null,
      pass: 0.8,
    });
    expectError(
      await w.as("ann1").post(`/images/${real}/submit`, { revision: 0 }),
      403,
      "QUALIFICATION_REQUIRED",
    );
    expect(await revisionOf("mgr", real)).toBe(0);
    // Reviewers and managers are not asked to qualify.
    await draw("mgr", real, 10);

    await draw("ann1", q1, 100);
    await submit("ann1", q1);
    // Scored with the submission: one exact match.
    expect(await results(w.users.ann1.id)).toEqual([{ image_id: q1, tp: 1, fp: 0, fn: 0, mismatched: 0 }]);
    expect(await qualificationOf("ann1")).toEqual({
      state: "in_progress",
      required: 2,
      submitted: 1,
      accuracy: 1,
      pass: 0.8,
    });
    expect(await next("ann1")).toBe(q2);
    await draw("ann1", q2, 102);
    await submit("ann1", q2);
    expect(await qualificationOf("ann1")).toMatchObject({ state: "passed", submitted: 2, accuracy: 1 });

    expect(await next("ann1")).toBe(real);
    const saved = await w.as("ann1").patch(`/images/${real}/annotations`, {
      baseRevision: await revisionOf("ann1", real),
      upsert: [box("r", 200)],
    });
    expect(saved.status, JSON.stringify(saved.body)).toBe(200);
    // The references were never touched by the annotator's work.
    for (const id of [q1, q2])
      expect((await w.as("mgr").get(`/images/${id}/annotations`)).body.annotations).toHaveLength(1);
  });

  it("a failed attempt says so and refuses the queue; a manager's reset lets them try again", async () => {
    const { q1, q2 } = await qualifyingWorld();
    for (const id of [q1, q2]) {
      expect(await next("ann2")).toBe(id);
      await draw("ann2", id, 300);
      await submit("ann2", id);
    }
    expect(await results(w.users.ann2.id)).toEqual([
      { image_id: q1, tp: 0, fp: 1, fn: 1, mismatched: 0 },
      { image_id: q2, tp: 0, fp: 1, fn: 1, mismatched: 0 },
    ]);
    expect(await qualificationOf("ann2")).toEqual({
      state: "failed",
      required: 2,
      submitted: 2,
      accuracy: 0,
      pass: 0.8,
    });
    const refused = expectError(
      await w.as("ann2").post(`/projects/${w.projectId}/work/next`),
      403,
      "QUALIFICATION_REQUIRED",
    );
    expect(refused.message).toContain("a manager can let you try again");

    const list = await w.as("rev").get(`/projects/${w.projectId}/qualification`);
    expect(list.status, JSON.stringify(list.body)).toBe(200);
    expect(list.body.items).toEqual([
      {
        userId: w.users.ann1.id,
        name: "ANN1",
        state: "in_progress",
        required: 2,
        submitted: 0,
        accuracy: null,
        pass: 0.8,
      },
      {
        userId: w.users.ann2.id,
        name: "ANN2",
        state: "failed",
        required: 2,
        submitted: 2,
        accuracy: 0,
        pass: 0.8,
      },
    ]);

    expectError(
      await w.as("rev").post(`/projects/${w.projectId}/qualification/${w.users.ann2.id}/reset`),
      403,
      "FORBIDDEN",
    );
    const reset = await w.as("mgr").post(`/projects/${w.projectId}/qualification/${w.users.ann2.id}/reset`);
    expect(reset.status, JSON.stringify(reset.body)).toBe(200);
    expect(QualificationStatus.parse(reset.body)).toMatchObject({ state: "in_progress", submitted: 0 });
    expect(await results(w.users.ann2.id)).toEqual([]);
    expect(await next("ann2")).toBe(q1);
    expect((await w.as("ann2").get(`/images/${q1}/annotations`)).body).toMatchObject({
      revision: 0,
      annotations: [],
    });
    expectError(
      await w.as("mgr").post(`/projects/${w.projectId}/qualification/999999/reset`),
      404,
      "NOT_FOUND",
    );
  });
});

describe(`scoring gold copies (${TEST_BACKEND})`, () => {
  it("scores a submitted honeypot at once, again when the reference is saved, and drops it when the image stops being gold", async () => {
    w = await makeReviewWorld(1);
    const [id] = w.imageIds as [number];
    await draw("mgr", id, 100);
    await w.as("mgr").post(`/projects/${w.projectId}/images/gold`, { imageIds: [id], gold: "honeypot" });
    await draw("ann1", id, 100);
    // An open copy is not scored.
    expect(await results(w.users.ann1.id)).toEqual([]);
    await submit("ann1", id);
    expect(await results(w.users.ann1.id)).toEqual([{ image_id: id, tp: 1, fp: 0, fn: 0, mismatched: 0 }]);

    // The manager corrects the reference: the copy is measured against the new one.
    await draw("mgr", id, 250);
    expect(await results(w.users.ann1.id)).toEqual([{ image_id: id, tp: 0, fp: 1, fn: 1, mismatched: 0 }]);

    await w.as("mgr").post(`/projects/${w.projectId}/images/gold`, { imageIds: [id], gold: null });
    expect(await results(w.users.ann1.id)).toEqual([]);
  });
});

describe("qualificationStatus", () => {
  const s = { qualificationImages: 3, qualificationPass: 0.75 };
  const exact = { tp: 2, fp: 0, fn: 0, mismatched: 0 };
  const half = { tp: 1, fp: 0, fn: 1, mismatched: 0 };
  it("asks for nothing without qualification images, and for the ones there are when fewer", () => {
    expect(qualificationStatus({ ...s, qualificationImages: 0 }, 5, 0, [])).toMatchObject({ state: "none" });
    expect(qualificationStatus(s, 0, 0, [])).toMatchObject({ state: "none", required: 0 });
    expect(qualificationStatus(s, 2, 2, [exact, exact])).toMatchObject({ state: "passed", required: 2 });
  });
  it("decides only when every required image is in and scored, at accuracy ≥ the mark", () => {
    expect(qualificationStatus(s, 3, 2, [exact, exact])).toMatchObject({ state: "in_progress", accuracy: 1 });
    expect(qualificationStatus(s, 3, 3, [exact, exact])).toMatchObject({ state: "in_progress" });
    // (2 + 2 + 1) / (2 + 2 + 2) = 0.833
    expect(qualificationStatus(s, 3, 3, [exact, exact, half])).toMatchObject({ state: "passed" });
    // (2 + 1 + 1) / (2 + 2 + 2) = 0.667
    expect(qualificationStatus(s, 3, 3, [exact, half, half])).toMatchObject({ state: "failed" });
    expect(qualificationStatus({ ...s, qualificationPass: 2 / 3 }, 3, 3, [exact, half, half]).state).toBe(
      "passed",
    );
  });
  it("counts two empty images as agreement, and mismatches against accuracy", () => {
    expect(accuracyOf([{ tp: 0, fp: 0, fn: 0, mismatched: 0 }])).toBe(1);
    expect(accuracyOf([{ tp: 3, fp: 0, fn: 0, mismatched: 1 }])).toBe(0.75);
  });
});

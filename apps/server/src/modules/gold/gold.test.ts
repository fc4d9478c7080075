import { DEFAULT_QUALITY_SETTINGS, GoldResult, MyWork, NextWork, QualitySettings } from "@labelbench/schema";
import { afterEach, describe, expect, it } from "vitest";
import { expectError, issuePaths } from "../../test-support/api.js";
import { TEST_BACKEND } from "../../test-support/app.js";
import { makeReviewWorld, type ReviewWorld, setReview } from "../../test-support/review.js";
import { isHoneypotTurn } from "./service.js";

/** Quality settings, marking gold, and honeypots in the queue (issue 16), through the API. */
let w: ReviewWorld;
afterEach(() => w?.t.cleanup());

const settingsPath = () => `/projects/${w.projectId}/quality/settings`;
const putSettings = async (body: Partial<QualitySettings>) => {
  const r = await w.as("mgr").put(settingsPath(), body);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return QualitySettings.parse(r.body);
};
const mark = async (imageIds: number[], gold: "honeypot" | "qualification" | null) => {
  const r = await w.as("mgr").post(`/projects/${w.projectId}/images/gold`, { imageIds, gold });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return GoldResult.parse(r.body);
};
const next = async (who: "ann1" | "ann2" = "ann1") => {
  const r = await w.as(who).post(`/projects/${w.projectId}/work/next`);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return NextWork.parse(r.body);
};
const copyOf = (imageId: number, userId: number) =>
  w.t.sql
    .selectFrom("image_copies")
    .selectAll()
    .where("image_id", "=", imageId)
    .where("user_id", "=", userId)
    .executeTakeFirst();
/** Submits what the annotator holds of the image as it is (their copy or the image). */
const submit = async (who: "ann1" | "ann2", imageId: number) => {
  const revision = (await w.as(who).get(`/images/${imageId}/annotations`)).body.revision as number;
  const r = await w.as(who).post(`/images/${imageId}/submit`, { revision });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
};
const GOLD_WORDS = ["gold", "honeypot", "qualification", "copy", "copies"];
const expectBlind = (body: unknown) => {
  const text = JSON.stringify(body);
  for (const word of GOLD_WORDS) expect(text, `${word} in ${text}`).not.toContain(word);
};

describe(`quality settings (${TEST_BACKEND})`, () => {
  it("start at the defaults, change field by field, and refuse values out of range with the field's path", async () => {
    w = await makeReviewWorld(1);
    const first = await w.as("mgr").get(settingsPath());
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(QualitySettings.parse(first.body)).toEqual(DEFAULT_QUALITY_SETTINGS);

    expect(await putSettings({ honeypotPercent: 12.5, matchPreset: "cvat" })).toEqual({
      ...DEFAULT_QUALITY_SETTINGS,
      honeypotPercent: 12.5,
      matchPreset: "cvat",
    });
    // Another manager's change of another field keeps the first.
    const both = await putSettings({ qualificationImages: 3, qualificationPass: 0.9 });
    expect(both).toMatchObject({ honeypotPercent: 12.5, qualificationImages: 3, qualificationPass: 0.9 });
    expect(QualitySettings.parse((await w.as("admin").get(settingsPath())).body)).toEqual(both);

    const bad = expectError(
      await w.as("mgr").put(settingsPath(), {
        honeypotPercent: 101,
        overlap: 0,
        qualificationPass: 1.5,
        matchPreset: "strict",
      }),
      400,
      "VALIDATION_ERROR",
    );
    expect(issuePaths(bad.details).sort()).toEqual([
      "body.honeypotPercent",
      "body.matchPreset",
      "body.overlap",
      "body.qualificationPass",
    ]);
    expect(QualitySettings.parse((await w.as("mgr").get(settingsPath())).body)).toEqual(both);
    expectError(await w.as("ann1").get(settingsPath()), 403, "FORBIDDEN");
    expectError(await w.as("rev").put(settingsPath(), { overlap: 2 }), 403, "FORBIDDEN");
    expectError(await w.as("mgr").get("/projects/999999/quality/settings"), 404, "NOT_FOUND");
  });
});

describe(`marking gold (${TEST_BACKEND})`, () => {
  it("marks and unmarks images, refusing one per reason; gold images leave assignments and the queue's real work", async () => {
    w = await makeReviewWorld(4);
    const [a, b, c, d] = w.imageIds as [number, number, number, number];
    const assigned = await w
      .as("mgr")
      .post(`/projects/${w.projectId}/assignments`, { assigneeId: w.users.ann2.id, imageIds: [c] });
    expect(assigned.status, JSON.stringify(assigned.body)).toBe(200);

    const marked = await mark([a, b, c, 999_999], "honeypot");
    expect(marked.updated).toBe(2);
    expect(marked.results).toEqual([
      { imageId: a, status: "marked" },
      { imageId: b, status: "marked" },
      { imageId: c, status: "refused", reason: "ANN2 is annotating it: unassign it first" },
      { imageId: 999_999, status: "refused", reason: `no image 999999 in project ${w.projectId}` },
    ]);
    expect((await w.as("mgr").get(`/images/${a}`)).body.gold).toBe("honeypot");
    expect((await w.as("rev").get(`/images/${d}`)).body.gold).toBeNull();
    expect((await mark([b], "qualification")).updated).toBe(1);
    expect((await w.as("mgr").get(`/images/${b}`)).body.gold).toBe("qualification");

    // A gold image is nobody's assignment and never the queue's real work.
    const assign = await w
      .as("mgr")
      .post(`/projects/${w.projectId}/assignments`, { assigneeId: w.users.ann1.id, imageIds: [a] });
    expect(assign.body.results[0]).toMatchObject({ imageId: a, status: "refused" });
    await setReview(w, { queue: true });
    const handed = await next();
    expect(handed.image?.imageId).toBe(d);

    const unmarked = await mark([a, b], null);
    expect(unmarked).toEqual({
      results: [
        { imageId: a, status: "unmarked" },
        { imageId: b, status: "unmarked" },
      ],
      updated: 2,
    });
    expect((await w.as("mgr").get(`/images/${a}`)).body.gold).toBeNull();

    const invalid = expectError(
      await w.as("mgr").post(`/projects/${w.projectId}/images/gold`, { imageIds: [], gold: "silver" }),
      400,
      "VALIDATION_ERROR",
    );
    expect(issuePaths(invalid.details).sort()).toEqual(["body.gold", "body.imageIds"]);
    expectError(
      await w.as("ann1").post(`/projects/${w.projectId}/images/gold`, { imageIds: [a], gold: "honeypot" }),
      403,
      "FORBIDDEN",
    );
  });
});

describe(`honeypots in the queue (${TEST_BACKEND})`, () => {
  it("hands a new annotator honeypots during the warm-up, blind, each on a copy made at hand-out", async () => {
    w = await makeReviewWorld(4);
    const [h1, h2, r1] = w.imageIds as [number, number, number, number];
    await mark([h1, h2], "honeypot");
    await setReview(w, { queue: true });
    await putSettings({ warmupImages: 2 });

    const first = await next();
    expect(first).toMatchObject({ source: "queue", image: { imageId: h1, assigneeId: w.users.ann1.id } });
    expectBlind(first);
    expect(await copyOf(h1, w.users.ann1.id)).toMatchObject({ purpose: "gold", state: "open", revision: 0 });
    // Not submitted yet: the same honeypot again, as a leased image would be.
    expect((await next()).image?.imageId).toBe(h1);

    const mine = await w.as("ann1").get(`/projects/${w.projectId}/work/mine`);
    const work = MyWork.parse(mine.body);
    expect(work.counts.assigned).toBe(1);
    expect(work.items.map((i) => [i.imageId, i.reviewState])).toEqual([[h1, "none"]]);
    expect(work.qualification).toMatchObject({ state: "none" });
    expectBlind({ ...mine.body, qualification: undefined });

    await submit("ann1", h1);
    expect((await next()).image?.imageId).toBe(h2);
    await submit("ann1", h2);
    // Warm-up over (and no honeypot left for them): real work, under a lease.
    const real = await next();
    expect(real.image).toMatchObject({ imageId: r1, assignedVia: "queue" });
    expect(
      (await w.t.sql.selectFrom("images").select("assignee_id").where("id", "=", r1).executeTakeFirst())
        ?.assignee_id,
    ).toBe(w.users.ann1.id);
    const submitted = MyWork.parse(
      (await w.as("ann1").get(`/projects/${w.projectId}/work/mine?state=submitted`)).body,
    );
    expect(submitted.items.map((i) => i.imageId)).toEqual([h1, h2]);
    expect(submitted.counts.submitted).toBe(2);
    // The other annotator's warm-up starts on the same honeypots, on copies of their own.
    expect((await next("ann2")).image?.imageId).toBe(h1);
    expect(await copyOf(h1, w.users.ann2.id)).toMatchObject({ state: "open", revision: 0 });
    // The honeypots' own rows were never leased or assigned.
    const rows = await w.t.sql
      .selectFrom("images")
      .select(["id", "assignee_id", "review_state"])
      .where("id", "in", [h1, h2])
      .execute();
    expect(rows.every((r) => r.assignee_id === null && r.review_state === "none")).toBe(true);
  });

  it("mixes honeypots in at the set rate, reproducibly: the n-th hand-out is a honeypot exactly when isHoneypotTurn says", async () => {
    w = await makeReviewWorld(16);
    const gold = w.imageIds.slice(0, 8);
    await mark(gold, "honeypot");
    await setReview(w, { queue: true, sampleSeed: 7 });
    await putSettings({ honeypotPercent: 40 });
    const expected = Array.from({ length: 10 }, (_, n) =>
      isHoneypotTurn({ honeypotPercent: 40, warmupImages: 0 }, 7, w.users.ann1.id, n),
    );
    // Both kinds occur in the first ten, so the sequence says something.
    expect(new Set(expected).size).toBe(2);
    const seen: boolean[] = [];
    for (let n = 0; n < 10; n++) {
      const handed = await next();
      const id = handed.image?.imageId as number;
      seen.push(gold.includes(id));
      await submit("ann1", id);
    }
    expect(seen).toEqual(expected);
  });
});

describe("isHoneypotTurn", () => {
  it("is every hand-out of the warm-up, none at 0 %, all at 100 %, and about the rate in between", () => {
    const s = { honeypotPercent: 0, warmupImages: 3 };
    expect([0, 1, 2, 3, 4].map((n) => isHoneypotTurn(s, 1, 5, n))).toEqual([true, true, true, false, false]);
    expect(isHoneypotTurn({ honeypotPercent: 100, warmupImages: 0 }, 1, 5, 999)).toBe(true);
    const hits = Array.from({ length: 10_000 }, (_, n) =>
      isHoneypotTurn({ honeypotPercent: 10, warmupImages: 0 }, 3, 42, n),
    ).filter(Boolean).length;
    expect(hits).toBeGreaterThan(900);
    expect(hits).toBeLessThan(1100);
  });
});

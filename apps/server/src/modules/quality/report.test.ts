import { QualityImagePage, QualityReport } from "@labelbench/schema";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLabel, expectError } from "../../test-support/api.js";
import {
  annotateAndSubmit,
  makeReviewWorld,
  type ReviewWorld,
  setReview,
} from "../../test-support/review.js";
import { scoreImage } from "./score.js";

/**
 * The report's rules beyond the counts (injected-errors.test.ts has those): who reads what, the
 * overlap agreement matrix, the workflow's numbers per annotator, CSV, refusals.
 */

type Box = {
  uid: string;
  labelId: number;
  geometry: { type: "box"; x: number; y: number; width: number; height: number };
};
let w: ReviewWorld;
let labelB: number;

const box = (uid: string, labelId: number, x: number): Box => ({
  uid,
  labelId,
  geometry: { type: "box", x, y: 10, width: 30, height: 30 },
});

const addCopy = async (
  imageId: number,
  userId: number,
  purpose: "gold" | "overlap",
  shapes: Box[],
  at: string,
  tags: number[] = [],
) =>
  w.t.sql
    .insertInto("image_copies")
    .values({
      image_id: imageId,
      user_id: userId,
      purpose,
      revision: 1,
      shapes: JSON.stringify(shapes),
      tags: JSON.stringify(tags),
      state: "submitted",
      created_at: at,
      updated_at: at,
      submitted_at: at,
    })
    .execute();

const deps = () => ({ sql: w.t.sql, dialect: w.t.dialect, now: () => "2026-03-10T00:00:00.000Z" });

beforeAll(async () => {
  w = await makeReviewWorld(4);
  labelB = (await createLabel(w.t.app, w.projectId, { name: '=HYPERLINK("x"), a "bus"' })).id;
  const [gold, overlap] = w.imageIds as [number, number];
  // A gold image: reference of 4 boxes; ann1 finds all, ann2 misses one and relabels one.
  const ref = [0, 1, 2, 3].map((k) => box(`r${k}`, w.labelId, 10 + 50 * k));
  const put = await w.as("mgr").put(`/images/${gold}/annotations`, {
    baseRevision: 0,
    annotations: ref.map((b) => ({ id: b.uid, labelId: b.labelId, geometry: b.geometry })),
  });
  expect(put.status, JSON.stringify(put.body)).toBe(200);
  await w.t.sql.updateTable("images").set({ gold: "honeypot" }).where("id", "=", gold).execute();
  await addCopy(gold, w.users.ann1.id, "gold", ref, "2026-03-03T08:00:00.000Z");
  await addCopy(
    gold,
    w.users.ann2.id,
    "gold",
    [ref[0]!, { ...ref[1]!, labelId: labelB }, ref[2]!],
    "2026-03-03T09:00:00.000Z",
  );
  // Blind overlap on another image: ann1 and ann2 agree on 2 boxes, ann2 has one more.
  const o = [0, 1].map((k) => box(`o${k}`, w.labelId, 10 + 50 * k));
  await addCopy(overlap, w.users.ann1.id, "overlap", o, "2026-03-04T08:00:00.000Z");
  await addCopy(
    overlap,
    w.users.ann2.id,
    "overlap",
    [...o, box("o2", w.labelId, 200)],
    "2026-03-04T09:00:00.000Z",
  );
  for (const id of [gold, overlap]) await scoreImage(deps(), id);
});

afterAll(() => w?.t.cleanup());

const reportAs = async (who: "ann1" | "ann2" | "rev" | "mgr", query = "") => {
  const r = await w.as(who).get(`/projects/${w.projectId}/quality/report${query}`);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return QualityReport.parse(r.body);
};

describe("quality report: who reads what", () => {
  it("a manager and a reviewer read every annotator; an annotator only their own row", async () => {
    for (const who of ["mgr", "rev"] as const) {
      const rep = await reportAs(who);
      expect(rep.annotators.map((a) => a.userId).sort()).toEqual([w.users.ann1.id, w.users.ann2.id].sort());
      expect(rep.agreement).not.toBeNull();
    }
    const own = await reportAs("ann2");
    expect(own.annotatorId).toBe(w.users.ann2.id);
    expect(own.annotators.map((a) => a.userId)).toEqual([w.users.ann2.id]);
    expect(own.annotators[0]!.counts).toMatchObject({ tp: 2, fn: 1, mismatched: 1, fp: 0 });
    // The project's totals are theirs alone, and the blind overlap's matrix is not shown.
    expect(own.summary.counts.tp).toBe(2);
    expect(own.agreement).toBeNull();
    expect(own.reviewers).toBeNull();
    // Their own id is fine; anyone else's is refused, in the report, the drill-down and the shapes.
    expect((await reportAs("ann2", `?annotatorId=${w.users.ann2.id}`)).annotators).toHaveLength(1);
    const other = await w
      .as("ann2")
      .get(`/projects/${w.projectId}/quality/report?annotatorId=${w.users.ann1.id}`);
    expect(expectError(other, 403, "FORBIDDEN").message).toContain("only their own");
    expectError(
      await w.as("ann2").get(`/projects/${w.projectId}/quality/images?annotatorId=${w.users.ann1.id}`),
      403,
      "FORBIDDEN",
    );
    expectError(
      await w.as("ann2").get(`/projects/${w.projectId}/quality/images?kind=overlap`),
      403,
      "FORBIDDEN",
    );
    expectError(
      await w.as("ann2").get(`/images/${w.imageIds[0]}/quality/comparison?userId=${w.users.ann1.id}`),
      403,
      "FORBIDDEN",
    );
    const mine = await w
      .as("ann2")
      .get(`/images/${w.imageIds[0]}/quality/comparison?userId=${w.users.ann2.id}`);
    expect(mine.status, JSON.stringify(mine.body)).toBe(200);
    // An annotator's drill-down lists their own comparisons only, without asking.
    const page = QualityImagePage.parse(
      (await w.as("ann2").get(`/projects/${w.projectId}/quality/images`)).body,
    );
    expect(page.items.map((r) => r.checkedUserId)).toEqual([w.users.ann2.id]);
  });

  it("the overlap agreement matrix: one cell per pair, F1 from the pair's counts", async () => {
    const rep = await reportAs("mgr");
    const [a, b] = [w.users.ann1.id, w.users.ann2.id].sort((x, y) => x - y) as [number, number];
    expect(rep.agreement!.cells).toHaveLength(1);
    const cell = rep.agreement!.cells[0]!;
    expect([cell.a, cell.b, cell.images]).toEqual([a, b, 1]);
    // 2 shared boxes, one only ann2 drew: F1 = 2·2 / (2·2 + 1) = 0.8.
    expect(cell.counts.tp).toBe(2);
    expect(cell.counts.fp + cell.counts.fn).toBe(1);
    expect(cell.f1.value).toBeCloseTo(0.8, 12);
    expect(rep.agreement!.perAnnotator.map((p) => [p.userId, p.images, p.f1.value])).toEqual([
      [a, 1, cell.f1.value],
      [b, 1, cell.f1.value],
    ]);
  });

  it("throughput per active hour, first-pass yield and rework from the workflow's records", async () => {
    await setReview(w, { mode: "all" });
    // ann1 submits two images; one is accepted at once, the other rejected and then accepted.
    const [, , third, fourth] = w.imageIds as [number, number, number, number];
    for (const id of [third, fourth]) {
      const work = await annotateAndSubmit(w, "ann1", id, 300);
      expect(work.reviewState).toBe("pending");
    }
    const decide = async (id: number, decision: "accepted" | "rejected") => {
      const rev = (await w.as("rev").get(`/images/${id}/work`)).body.submittedRevision as number;
      const r = await w.as("rev").post(`/images/${id}/decision`, {
        decision,
        revision: rev,
        ...(decision === "rejected" ? { reasons: ["missing_objects"] } : {}),
      });
      expect(r.status, JSON.stringify(r.body)).toBe(200);
    };
    await decide(third, "accepted");
    await decide(fourth, "rejected");
    await annotateAndSubmit(w, "ann1", fourth, 350);
    await decide(fourth, "accepted");
    // Half an hour of focused editor time, reported 300 s at a time as the editor does.
    for (let k = 0; k < 6; k++) {
      const seconds = await w.as("ann1").post(`/images/${third}/activity`, { seconds: 300 });
      expect(seconds.status).toBe(204);
    }
    const row = (await reportAs("mgr")).annotators.find((a) => a.userId === w.users.ann1.id)!;
    // 2 images and 2 private copies (gold, overlap) submitted in half an hour: 8 per active hour.
    expect(row.throughput).toEqual({ activeSeconds: 1800, imagesSubmitted: 4, imagesPerActiveHour: 8 });
    // First decisions: one accept, one rejection: 1/2. Rework: 1 rejection in 3 decisions.
    expect([row.firstPassYield.value, row.firstPassYield.n]).toEqual([0.5, 2]);
    expect([row.rework.value, row.rework.n]).toEqual([1 / 3, 3]);
  });

  it("reviewer precision from the audits: upheld / audited, a reviewer sees their own row", async () => {
    const at = "2026-03-05T10:00:00.000Z";
    for (const state of ["upheld", "upheld", "overturned", "open"] as const)
      await w.t.sql
        .insertInto("review_audits")
        .values({
          project_id: w.projectId,
          image_id: w.imageIds[2]!,
          reviewer_id: w.users.rev.id,
          decision: "accepted",
          decided_at: at,
          decided_revision: 1,
          state,
          auditor_id: state === "open" ? null : w.users.mgr.id,
          created_at: at,
          audited_at: state === "open" ? null : at,
        })
        .execute();
    const rows = (await reportAs("mgr")).reviewers!;
    expect(rows.map((r) => [r.userId, r.audited, r.upheld, r.precision.value])).toEqual([
      [w.users.rev.id, 3, 2, 2 / 3],
    ]);
    expect(rows[0]!.precision.low).toBeGreaterThan(0);
    expect((await reportAs("rev")).reviewers!.map((r) => r.userId)).toEqual([w.users.rev.id]);
    expect((await reportAs("ann1")).reviewers).toBeNull();
    const csv = (await w.as("mgr").get(`/projects/${w.projectId}/quality/report?format=csv&by=reviewer`))
      .text;
    expect(csv.split("\r\n")[1]).toMatch(new RegExp(`^${w.users.rev.id},REV,3,2,0\\.666667,3,`));
  });

  it("CSV: every table, quoted as RFC 4180 says, formulas defused", async () => {
    for (const by of ["annotator", "label", "week", "confusion", "agreement", "reviewer"]) {
      const r = await w.as("mgr").get(`/projects/${w.projectId}/quality/report?format=csv&by=${by}`);
      expect(r.status, by).toBe(200);
      expect(r.headers["content-type"]).toContain("text/csv");
      expect(r.headers["content-disposition"]).toContain(`quality-${w.projectId}-${by}.csv`);
      expect(r.text.endsWith("\r\n")).toBe(true);
    }
    const confusion = (
      await w.as("mgr").get(`/projects/${w.projectId}/quality/report?format=csv&by=confusion`)
    ).text;
    const lines = confusion.split("\r\n");
    expect(lines[0]).toBe("reference_label_id,reference_label,checked_label_id,checked_label,count");
    // The label named =HYPERLINK("x"), a "bus": quoted, quotes doubled, and a leading ' so no
    // spreadsheet runs it.
    expect(lines).toContain(`${w.labelId},car,${labelB},"'=HYPERLINK(""x""), a ""bus""",1`);
    const label = (await w.as("mgr").get(`/projects/${w.projectId}/quality/report?format=csv&by=label`)).text;
    expect(label.split("\r\n")[0]).toBe(
      "label_id,name,tp,fp,fn,precision,precision_n,precision_low,precision_high,recall,recall_n,recall_low,recall_high,accuracy,accuracy_n,accuracy_low,accuracy_high",
    );
    const images = await w.as("mgr").get(`/projects/${w.projectId}/quality/images?format=csv`);
    expect(images.status).toBe(200);
    expect(images.text.split("\r\n").filter(Boolean)).toHaveLength(1 + 2);
    // A CSV must say which table.
    const bad = await w.as("mgr").get(`/projects/${w.projectId}/quality/report?format=csv`);
    expect(expectError(bad, 400, "VALIDATION_ERROR").message).toContain("by");
  });

  it("refuses bad filters with the field named, and reads a project without results as empty", async () => {
    const r = await w.as("mgr").get(`/projects/${w.projectId}/quality/report?from=2026-03-10&to=2026-03-01`);
    expect(expectError(r, 400, "VALIDATION_ERROR").message).toContain("from");
    expectError(
      await w.as("mgr").get(`/projects/${w.projectId}/quality/report?kind=nope`),
      400,
      "VALIDATION_ERROR",
    );
    expectError(
      await w.as("mgr").get(`/projects/${w.projectId}/quality/images?cursor=-1`),
      400,
      "VALIDATION_ERROR",
    );
    const empty = await w.as("mgr").get(`/projects/${w.projectId}/quality/report?kind=audit`);
    expect(empty.status).toBe(200);
    expect(empty.body.summary.counts.comparisons).toBe(0);
    expect(empty.body.summary.scores.accuracy).toEqual({ value: null, n: 0, low: 0, high: 1 });
    const none = await w
      .as("mgr")
      .get(`/images/${w.imageIds[2]}/quality/comparison?userId=${w.users.ann1.id}`);
    expectError(none, 404, "NOT_FOUND");
  });
});

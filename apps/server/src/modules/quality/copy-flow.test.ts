import { QualityComparison, QualityReport } from "@labelbench/schema";
import request from "supertest";
import { afterAll, describe, expect, it } from "vitest";
import { TEST_BACKEND } from "../../test-support/app.js";
import { makeReviewWorld, type ReviewWorld } from "../../test-support/review.js";
import { scoreImage } from "./score.js";

/**
 * The scorer reads what the copy store writes: an annotator labels a gold image through the
 * ordinary annotation endpoints (their private copy) and submits it; the comparison scored from
 * that copy is the one the report and the drill-down show.
 */
let w: ReviewWorld;
afterAll(() => w?.t.cleanup());

const box = (id: string, x: number, labelId: number) => ({
  id,
  labelId,
  geometry: { type: "box", x, y: 5, width: 20, height: 20 },
});

describe(`quality report from a copy submitted through the API (${TEST_BACKEND})`, () => {
  it("scores the submitted copy against the reference and shows it shape by shape", async () => {
    w = await makeReviewWorld(1);
    const id = w.imageIds[0] as number;
    const ref = await w.as("mgr").patch(`/images/${id}/annotations`, {
      baseRevision: 0,
      upsert: [box("r1", 10, w.labelId), box("r2", 100, w.labelId), box("r3", 200, w.labelId)],
    });
    expect(ref.status, JSON.stringify(ref.body)).toBe(200);
    await w.t.sql.updateTable("images").set({ gold: "honeypot" }).where("id", "=", id).execute();
    // The annotator finds two of the three boxes and adds one that is not there.
    const saved = await w.as("ann1").patch(`/images/${id}/annotations`, {
      baseRevision: 0,
      upsert: [box("a", 11, w.labelId), box("b", 101, w.labelId), box("c", 300, w.labelId)],
    });
    expect(saved.status, JSON.stringify(saved.body)).toBe(200);
    const submitted = await w.as("ann1").post(`/images/${id}/submit`, { revision: saved.body.revision });
    expect(submitted.status, JSON.stringify(submitted.body)).toBe(200);
    await scoreImage({ sql: w.t.sql, dialect: w.t.dialect, now: () => new Date().toISOString() }, id);

    const rep = QualityReport.parse((await w.as("ann1").get(`/projects/${w.projectId}/quality/report`)).body);
    expect(rep.annotators.map((a) => [a.userId, a.counts.tp, a.counts.fp, a.counts.fn])).toEqual([
      [w.users.ann1.id, 2, 1, 1],
    ]);
    const cmp = QualityComparison.parse(
      (await w.as("mgr").get(`/images/${id}/quality/comparison?userId=${w.users.ann1.id}`)).body,
    );
    expect(cmp.reference.shapes.map((s) => s.uid)).toEqual(["r1", "r2", "r3"]);
    expect(cmp.checked.shapes.map((s) => s.uid)).toEqual(["a", "b", "c"]);
    expect(cmp.missing).toEqual([2]);
    expect(cmp.extra).toEqual([2]);
    expect(cmp.matches.map((m) => [m.reference, m.checked])).toEqual([
      [0, 0],
      [1, 1],
    ]);
  });

  it("a project's deletion takes its comparisons and every kept total with it", async () => {
    const count = async (
      table: "quality_results" | "quality_totals" | "quality_confusion_totals" | "quality_work_totals",
    ) =>
      Number(
        (
          await w.t.sql
            .selectFrom(table)
            .select((eb) => eb.fn.countAll<number>().as("n"))
            .where("project_id", "=", w.projectId)
            .executeTakeFirstOrThrow()
        ).n,
      );
    for (const table of [
      "quality_results",
      "quality_totals",
      "quality_confusion_totals",
      "quality_work_totals",
    ] as const)
      expect(await count(table), table).toBeGreaterThan(0);
    const r = await request(w.t.app).delete(`/api/v1/projects/${w.projectId}`);
    expect(r.status, JSON.stringify(r.body)).toBe(204);
    for (const table of [
      "quality_results",
      "quality_totals",
      "quality_confusion_totals",
      "quality_work_totals",
    ] as const)
      expect(await count(table), table).toBe(0);
  });
});

import {
  type ConfusionCell,
  QualityComparison,
  QualityImagePage,
  QualityReport,
  type QualityReport as Report,
} from "@labelbench/schema";
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLabel } from "../../test-support/api.js";
import { insertUserWithToken } from "../../test-support/app.js";
import { agent, makeReviewWorld, type ReviewWorld } from "../../test-support/review.js";

/**
 * Annotators who make known mistakes on gold images, by known amounts (issue 16): one drops
 * shapes, one adds, one relabels, one loosens boxes (some a little: still matched, flagged low
 * overlap; some past the match threshold: missing and extra), one changes tags, one is perfect. The
 * report must count each kind exactly — per annotator, per label, per week, in the confusion
 * matrix and in the drill-down. Copies are written as the copy store keeps them and scored by the
 * rescore endpoint, so the whole path from the stored sources to the API's numbers is checked.
 */

const IMAGES = 8;
const COLS = 6;
const ROWS = 4;
type Box = {
  uid: string;
  labelId: number;
  geometry: { type: "box"; x: number; y: number; width: number; height: number };
};
type Mistakes = "drop" | "add" | "relabel" | "loosen" | "tags" | "perfect";
const KINDS: Mistakes[] = ["drop", "add", "relabel", "loosen", "tags", "perfect"];

interface Expected {
  tp: number;
  fp: number;
  fn: number;
  mismatched: number;
  lowOverlap: number;
  tagTp: number;
  tagFp: number;
  tagFn: number;
  /** "ref:chk" -> count, null as "none". */
  cells: Map<string, number>;
  /** Per image: errors (fp + fn + mismatched). */
  perImage: Map<number, { fn: number; fp: number; mismatched: number; lowOverlap: number }>;
}

let w: ReviewWorld;
let labels: number[];
let people: Record<Mistakes, { id: number; token: string }>;
const expected = new Map<Mistakes, Expected>();
/** Shapes dropped by the dropper on the first image (reference indexes), for the shape drill-down. */
const droppedOnFirst: number[] = [];

const reference = (i: number): Box[] => {
  const out: Box[] = [];
  for (let r = 0; r < ROWS; r++)
    for (let c = 0; c < COLS; c++) {
      const j = r * COLS + c;
      out.push({
        uid: `ref-${i}-${j}`,
        labelId: labels[(i + j) % labels.length]!,
        geometry: { type: "box", x: 10 + 60 * c, y: 10 + 50 * r, width: 30, height: 30 },
      });
    }
  return out;
};

/** Scales a box about its centre by `f` in both directions: IoU with the original is 1 / f². */
const loosen = (b: Box, f: number): Box => {
  const g = b.geometry;
  const width = g.width * f;
  const height = g.height * f;
  return {
    ...b,
    geometry: {
      type: "box",
      x: g.x - (width - g.width) / 2,
      y: g.y - (height - g.height) / 2,
      width,
      height,
    },
  };
};

const cellKey = (ref: number | null, chk: number | null) => `${ref}:${chk}`;

/** What `kind` hands in for image i, and what the report must count for it. */
const inject = (kind: Mistakes, i: number, ref: Box[], e: Expected) => {
  const out: Box[] = [];
  const img = { fn: 0, fp: 0, mismatched: 0, lowOverlap: 0 };
  const bump = (ref: number | null, chk: number | null) =>
    e.cells.set(cellKey(ref, chk), (e.cells.get(cellKey(ref, chk)) ?? 0) + 1);
  ref.forEach((b, j) => {
    if (kind === "drop" && (i * 7 + j) % 5 === 0) {
      img.fn++;
      bump(b.labelId, null);
      if (i === 0) droppedOnFirst.push(j);
      return;
    }
    if (kind === "relabel" && (i + j) % 6 === 0) {
      const to = labels[(labels.indexOf(b.labelId) + 1) % labels.length]!;
      img.mismatched++;
      bump(b.labelId, to);
      out.push({ ...b, uid: `c-${j}`, labelId: to });
      return;
    }
    if (kind === "loosen" && j % 7 === 3) {
      // 1.6²: IoU 0.39, under the match threshold 0.5: the object is missing and the box extra.
      img.fn++;
      img.fp++;
      bump(b.labelId, null);
      bump(null, b.labelId);
      out.push({ ...loosen(b, 1.6), uid: `c-${j}` });
      return;
    }
    if (kind === "loosen" && j % 4 === 0) {
      // 1.25²: IoU 0.64, matched but under the low-overlap threshold 0.75.
      img.lowOverlap++;
      e.tp++;
      bump(b.labelId, b.labelId);
      out.push({ ...loosen(b, 1.25), uid: `c-${j}` });
      return;
    }
    e.tp++;
    bump(b.labelId, b.labelId);
    // Everyone else draws the object a pixel off: IoU 29·29/(2·900 − 841) ≈ 0.88, a clean match.
    out.push({ ...b, uid: `c-${j}`, geometry: { ...b.geometry, x: b.geometry.x + 1, y: b.geometry.y + 1 } });
  });
  if (kind === "add")
    for (let k = 0; k < (i % 3) + 1; k++) {
      const labelId = labels[k % labels.length]!;
      img.fp++;
      bump(null, labelId);
      out.push({
        uid: `extra-${k}`,
        labelId,
        geometry: { type: "box", x: 10 + 70 * k, y: 230, width: 40, height: 40 },
      });
    }
  e.fn += img.fn;
  e.fp += img.fp;
  e.mismatched += img.mismatched;
  e.lowOverlap += img.lowOverlap;
  e.perImage.set(i, img);
  // Reference tags: the first label. The tagger swaps it for the second on every other image.
  const swap = kind === "tags" && i % 2 === 0;
  if (swap) {
    e.tagFp++;
    e.tagFn++;
  } else e.tagTp++;
  return { shapes: out, tags: swap ? [labels[1]!] : [labels[0]!] };
};

const report = async (query = "", who?: string): Promise<Report> => {
  const r = await agent(w.t.app, who ?? null).get(`/projects/${w.projectId}/quality/report${query}`);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return QualityReport.parse(r.body);
};

beforeAll(async () => {
  w = await makeReviewWorld(IMAGES);
  labels = [
    w.labelId,
    (await createLabel(w.t.app, w.projectId, { name: "person" })).id,
    (await createLabel(w.t.app, w.projectId, { name: 'bus, double-decker "red"' })).id,
  ];
  people = {} as typeof people;
  for (const kind of KINDS) {
    const u = await insertUserWithToken(w.t.sql, {
      email: `${kind}@example.com`,
      name: `${kind} annotator`,
      role: "annotator",
    });
    people[kind] = { id: u.userId, token: u.token };
    const r = await w.as("admin").post(`/projects/${w.projectId}/members`, { userId: u.userId });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expected.set(kind, {
      tp: 0,
      fp: 0,
      fn: 0,
      mismatched: 0,
      lowOverlap: 0,
      tagTp: 0,
      tagFp: 0,
      tagFn: 0,
      cells: new Map(),
      perImage: new Map(),
    });
  }
  for (const [i, imageId] of w.imageIds.entries()) {
    const ref = reference(i);
    // The gold image's reference is its own annotations, saved as any image's are.
    const put = await w.as("mgr").put(`/images/${imageId}/annotations`, {
      baseRevision: 0,
      annotations: ref.map((b) => ({ id: b.uid, labelId: b.labelId, geometry: b.geometry })),
      tags: [labels[0]],
    });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    await w.t.sql.updateTable("images").set({ gold: "honeypot" }).where("id", "=", imageId).execute();
    // Two weeks of work: the first half of the images on Monday 2026-03-02, the rest a week later.
    const at = i < IMAGES / 2 ? "2026-03-04T10:00:00.000Z" : "2026-03-11T10:00:00.000Z";
    for (const kind of KINDS) {
      const copy = inject(kind, i, ref, expected.get(kind)!);
      await w.t.sql
        .insertInto("image_copies")
        .values({
          image_id: imageId,
          user_id: people[kind].id,
          purpose: "gold",
          revision: 1,
          shapes: JSON.stringify(
            copy.shapes.map((s) => ({
              ...s,
              createdBy: null,
              updatedBy: null,
              createdAt: at,
              updatedAt: at,
            })),
          ),
          tags: JSON.stringify(copy.tags),
          state: "submitted",
          created_at: at,
          updated_at: at,
          submitted_at: at,
        })
        .execute();
    }
  }
  const r = await w.as("mgr").post(`/projects/${w.projectId}/quality/rescore`);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  expect(r.body).toEqual({ images: IMAGES, comparisons: IMAGES * KINDS.length });
});

afterAll(() => w?.t.cleanup());

const cellsOf = (cells: readonly ConfusionCell[]) =>
  new Map(cells.map((c) => [cellKey(c.reference, c.checked), c.count]));

describe("injected errors: the report counts each kind exactly", () => {
  it("per annotator: matches, extra, missing, mismatched, low overlap and tags", async () => {
    const rep = await report();
    for (const kind of KINDS) {
      const e = expected.get(kind)!;
      const row = rep.annotators.find((a) => a.userId === people[kind].id);
      expect(row, kind).toBeDefined();
      expect(row!.counts, kind).toEqual({
        comparisons: IMAGES,
        tp: e.tp,
        fp: e.fp,
        fn: e.fn,
        mismatched: e.mismatched,
        lowOverlap: e.lowOverlap,
        tagTp: e.tagTp,
        tagFp: e.tagFp,
        tagFn: e.tagFn,
      });
      expect(cellsOf(row!.topConfusions).size).toBeLessThanOrEqual(3);
      // Accuracy = TP / (TP + FP + FN + M), with n the denominator.
      const n = e.tp + e.fp + e.fn + e.mismatched;
      expect(row!.scores.accuracy.n).toBe(n);
      expect(row!.scores.accuracy.value).toBeCloseTo(e.tp / n, 12);
    }
    // Every kind of mistake happened (the injection is not empty).
    expect(expected.get("drop")!.fn).toBeGreaterThan(0);
    expect(expected.get("add")!.fp).toBeGreaterThan(0);
    expect(expected.get("relabel")!.mismatched).toBeGreaterThan(0);
    expect(expected.get("loosen")!.lowOverlap).toBeGreaterThan(0);
    expect(expected.get("tags")!.tagFp).toBeGreaterThan(0);
    const perfect = rep.annotators.find((a) => a.userId === people.perfect.id)!;
    expect(perfect.scores.accuracy.value).toBe(1);
    expect(perfect.scores.meanIou.value).toBeCloseTo((29 * 29) / (2 * 900 - 29 * 29), 12);
  });

  it("the confusion matrix, the labels and the weeks add up to what was injected", async () => {
    const rep = await report();
    const all = new Map<string, number>();
    for (const e of expected.values()) for (const [k, n] of e.cells) all.set(k, (all.get(k) ?? 0) + n);
    expect(cellsOf(rep.confusion.cells)).toEqual(all);
    expect(rep.confusion.labels.map((l) => l.id)).toEqual(labels);
    // Per label: TP on the diagonal, FP = extra + mismatches drawn as it, FN = missing + mismatches of it.
    for (const l of rep.labels) {
      let tp = 0;
      let fp = 0;
      let fn = 0;
      for (const [k, n] of all) {
        const [ref, chk] = k.split(":");
        if (ref === String(l.labelId) && chk === String(l.labelId)) tp += n;
        else {
          if (ref === String(l.labelId)) fn += n;
          if (chk === String(l.labelId)) fp += n;
        }
      }
      expect([l.tp, l.fp, l.fn], l.name).toEqual([tp, fp, fn]);
    }
    expect(rep.weeks.map((x) => [x.week, x.counts.comparisons])).toEqual([
      ["2026-03-02", (IMAGES / 2) * KINDS.length],
      ["2026-03-09", (IMAGES / 2) * KINDS.length],
    ]);
    const sum = (k: "tp" | "fp" | "fn") => [...expected.values()].reduce((s, e) => s + e[k], 0);
    expect([rep.summary.counts.tp, rep.summary.counts.fp, rep.summary.counts.fn]).toEqual([
      sum("tp"),
      sum("fp"),
      sum("fn"),
    ]);
    // One week alone.
    const first = await report("?from=2026-03-05&to=2026-03-05");
    expect(first.summary.counts.comparisons).toBe((IMAGES / 2) * KINDS.length);
  });

  it("drill-down: the images behind a count and the shapes behind one image", async () => {
    const drop = expected.get("drop")!;
    const page = QualityImagePage.parse(
      (
        await w
          .as("mgr")
          .get(`/projects/${w.projectId}/quality/images?annotatorId=${people.drop.id}&outcome=fn&limit=500`)
      ).body,
    );
    const want = [...drop.perImage.entries()].filter(([, v]) => v.fn > 0);
    expect(page.total).toBe(want.length);
    expect(new Map(page.items.map((r) => [r.imageId, r.count]))).toEqual(
      new Map(want.map(([i, v]) => [w.imageIds[i]!, v.fn])),
    );
    // A confusion cell: the relabeller's (label 0 -> label 1) mismatches, image by image.
    const cell = QualityImagePage.parse(
      (
        await w
          .as("mgr")
          .get(
            `/projects/${w.projectId}/quality/images?reference=${labels[0]}&checked=${labels[1]}&limit=500`,
          )
      ).body,
    );
    expect(cell.items.reduce((s, r) => s + r.count, 0)).toBe(
      expected.get("relabel")!.cells.get(cellKey(labels[0]!, labels[1]!)),
    );
    expect(new Set(cell.items.map((r) => r.checkedUserId))).toEqual(new Set([people.relabel.id]));
    // Extra shapes (reference none).
    const extra = QualityImagePage.parse(
      (
        await w
          .as("mgr")
          .get(
            `/projects/${w.projectId}/quality/images?reference=none&annotatorId=${people.add.id}&limit=500`,
          )
      ).body,
    );
    expect(extra.items.reduce((s, r) => s + r.count, 0)).toBe(expected.get("add")!.fp);
    // Paging: the cursor walks every row once.
    const seen: number[] = [];
    let cursor: string | null = null;
    do {
      const r = QualityImagePage.parse(
        (
          await w
            .as("mgr")
            .get(`/projects/${w.projectId}/quality/images?limit=7${cursor ? `&cursor=${cursor}` : ""}`)
        ).body,
      );
      seen.push(...r.items.map((x) => x.imageId * 1000 + x.checkedUserId));
      cursor = r.nextCursor;
    } while (cursor);
    expect(seen.length).toBe(IMAGES * KINDS.length);
    expect(new Set(seen).size).toBe(IMAGES * KINDS.length);

    const cmp = QualityComparison.parse(
      (await w.as("mgr").get(`/images/${w.imageIds[0]}/quality/comparison?userId=${people.drop.id}`)).body,
    );
    expect(cmp.missing).toEqual(droppedOnFirst);
    expect(cmp.extra).toEqual([]);
    expect(cmp.reference.shapes.length).toBe(COLS * ROWS);
    expect(cmp.counts.fn).toBe(droppedOnFirst.length);
    expect(cmp.matches.every((m) => cmp.reference.shapes[m.reference]!.uid === `ref-0-${m.reference}`)).toBe(
      true,
    );
  });

  it("a rescore changes nothing; an image's deletion takes its counts out of every total", async () => {
    const before = await report();
    const perfectBefore = () => before.annotators.find((a) => a.userId === people.perfect.id)!;
    const imageId = w.imageIds[IMAGES - 1]!;
    // Rescoring again changes nothing.
    const again = await w.as("mgr").post(`/projects/${w.projectId}/quality/rescore`);
    expect(again.status).toBe(200);
    expect((await report()).annotators).toEqual(before.annotators);
    // The image goes: its comparisons leave every total (kept by the database, not by the scorer).
    const del = await request(w.t.app).delete(`/api/v1/images/${imageId}`);
    expect(del.status, JSON.stringify(del.body)).toBe(204);
    const after = await report();
    const row = after.annotators.find((a) => a.userId === people.perfect.id)!;
    expect(row.counts.comparisons).toBe(IMAGES - 1);
    expect(row.counts.tp).toBe(perfectBefore().counts.tp - COLS * ROWS);
    for (const kind of KINDS) {
      const e = expected.get(kind)!.perImage.get(IMAGES - 1)!;
      const b = before.annotators.find((a) => a.userId === people[kind].id)!.counts;
      const a = after.annotators.find((x) => x.userId === people[kind].id)!.counts;
      expect([a.fn, a.fp, a.mismatched, a.lowOverlap], kind).toEqual([
        b.fn - e.fn,
        b.fp - e.fp,
        b.mismatched - e.mismatched,
        b.lowOverlap - e.lowOverlap,
      ]);
    }
  });
});

import { planExport } from "@labelbench/formats";
import request from "supertest";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createLabel, createProject, uploadImage } from "../../test-support/api.js";
import { makeTestApp, type TestApp } from "../../test-support/app.js";
import { png } from "../../test-support/images.js";
import { startPgReaderThread } from "../../test-support/pg-export-reader.js";
import { pgExportReader } from "./export-pg-bridge.js";
import {
  ANNOTATIONS_PER_QUERY,
  type ExportReader,
  openSnapshotAt,
  queryBatches,
  sqliteExportReader,
} from "./repo.js";

let t: TestApp;
afterEach(() => t.cleanup());

const STATUSES = ["new", "in_progress", "done", "skipped"] as const;

describe("exportRepo.items", () => {
  let projectId: number;
  let labelIds: number[];
  beforeEach(async () => {
    t = await makeTestApp();
    projectId = (await createProject(t.app, "p")).id;
    labelIds = [(await createLabel(t.app, projectId, { name: "car" })).id];
    const image = await uploadImage(t.app, projectId, {
      name: "a.png",
      data: await png({ width: 10, height: 10 }),
    });
    const res = await request(t.app)
      .put(`/api/v1/images/${image.id}/annotations`)
      .send({
        baseRevision: 0,
        tags: [],
        annotations: [
          {
            id: "first-shape",
            labelId: labelIds[0],
            geometry: { type: "box", x: 1, y: 2, width: 3, height: 4 },
          },
          {
            id: "second-shape",
            labelId: labelIds[0],
            geometry: { type: "box", x: 0.5, y: 0, width: 1, height: 1 },
          },
        ],
      });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
  });

  /** The export's reader of the suite's dialect, over its own snapshot. */
  const openReader = (): ExportReader =>
    t.dialect === "postgres"
      ? pgExportReader(
          startPgReaderThread(t.pool?.options.connectionString as string, projectId, STATUSES).channel,
        )
      : sqliteExportReader(openSnapshotAt(t.db.name), projectId, STATUSES);
  const items = () => {
    const repo = openReader();
    try {
      const labelIndex = new Map(repo.labels().map((l, i) => [l.id, i]));
      const plan = planExport(repo.images(labelIndex), { train: 100, val: 0, test: 0 }, "s", "coco");
      // Read while the snapshot is open: a shape looks its uid up only when asked.
      return [...repo.items(plan, labelIndex)].map((item) => ({
        image: item.image,
        shapes: item.shapes.map((x) => ({ id: x.id, labelIndex: x.labelIndex, geometry: x.geometry })),
      }));
    } finally {
      repo.close();
    }
  };

  it("plans each image with its stored annotation count, which bounds the read batches", () => {
    const repo = openReader();
    const labelIndex = new Map(repo.labels().map((l, i) => [l.id, i]));
    const plan = planExport(repo.images(labelIndex), { train: 100, val: 0, test: 0 }, "s", "coco");
    repo.close();
    expect(plan.map((p) => p.annotationCount)).toEqual([2]);
  });

  it("gives each shape its uid, label index and stored geometry, in drawing order", () => {
    const [item] = items();
    expect(item?.shapes.map((s) => [s.id, s.labelIndex, s.geometry])).toEqual([
      ["first-shape", 0, { type: "box", x: 1, y: 2, width: 3, height: 4 }],
      ["second-shape", 0, { type: "box", x: 0.5, y: 0, width: 1, height: 1 }],
    ]);
  });

  it("names the shape by its uid when its label belongs to another project", async () => {
    const other = await createProject(t.app, "other");
    const foreign = await createLabel(t.app, other.id, { name: "bus" });
    await t.sql
      .updateTable("annotations")
      .set({ label_id: foreign.id })
      .where("uid", "=", "second-shape")
      .execute();
    expect(items).toThrow(`annotation second-shape has label ${foreign.id} outside the project`);
  });
});

describe("queryBatches", () => {
  const sizes = (counts: number[], limits?: { images: number; annotations: number }) =>
    [
      ...queryBatches(
        counts.map((annotationCount) => ({ annotationCount })),
        limits,
      ),
    ].map(([a, b]) => b - a);

  it("bounds every batch by annotations, not only by images (1,000 dense images)", () => {
    const dense = Array.from({ length: 1000 }, () => 1000);
    const batches = [...queryBatches(dense.map((annotationCount) => ({ annotationCount })))];
    for (const [a, b] of batches) expect((b - a) * 1000).toBeLessThanOrEqual(ANNOTATIONS_PER_QUERY);
    expect(batches.reduce((n, [a, b]) => n + b - a, 0)).toBe(1000);
  });

  it("caps images per query, reads an oversized image alone, and covers every image once in order", () => {
    expect(sizes([1, 1, 1, 1, 1], { images: 2, annotations: 100 })).toEqual([2, 2, 1]);
    expect(sizes([5, 500, 5, 5], { images: 10, annotations: 100 })).toEqual([1, 1, 2]);
    expect(sizes([0, 0, 0], { images: 10, annotations: 0 })).toEqual([3]);
    expect(sizes([])).toEqual([]);
  });
});

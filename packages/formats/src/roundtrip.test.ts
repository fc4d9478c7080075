import type { Size } from "@labelbench/geometry";
import type { Geometry } from "@labelbench/schema";
import { describe, expect, it } from "vitest";
import { encodeToFiles } from "./export.js";
import { decodeDataset } from "./import.js";
import { splitMajor } from "./plan.js";
import { boundingBox } from "./shapes.js";
import { exportOptions, finderFor, memorySource, type SampleImage } from "./testing/helpers.js";
import { SAMPLE_IMAGES, SAMPLE_LABELS, SAMPLE_SEED, SAMPLE_SPLIT } from "./testing/sample.js";
import { type DecodedDataset, type FormatId, type PlannedImage, SHAPE_FORMATS } from "./types.js";
import { yoloPolygonLine } from "./yolo/encode.js";

const opts = (format: FormatId) => exportOptions(format, { split: SAMPLE_SPLIT, seed: SAMPLE_SEED });
const source = (format: FormatId) =>
  memorySource(SAMPLE_LABELS, SAMPLE_IMAGES, SAMPLE_SPLIT, SAMPLE_SEED, format);

/** Decodes an export without its images: they are "already in the project", matched by name. */
const decodeExport = (format: FormatId, files: Map<string, string>, plan: readonly PlannedImage[]) => {
  const existing = new Map<string, Size>(
    plan.map((p) => [p.exportName, { width: p.width, height: p.height }]),
  );
  return decodeDataset(format, { texts: files, imagePaths: [] }, finderFor(new Map(), existing));
};

/** What the server does after an import: a project whose images and shapes are the decoded ones. */
const reimported = (decoded: DecodedDataset, plan: readonly PlannedImage[], format: FormatId) => {
  const byName = new Map(plan.map((p) => [p.exportName, p]));
  const labels = decoded.labels;
  const images: SampleImage[] = decoded.images.map((d, i) => {
    const original = byName.get(d.fileName);
    if (!original) throw new Error(`decoded an unknown image ${d.fileName}`);
    return {
      id: i + 1,
      fileName: d.fileName,
      width: d.width,
      height: d.height,
      sha256: original.sha256,
      format: original.format,
      tags: d.tags.map((t) => labels.indexOf(t)),
      shapes: d.annotations.map((a, j) => ({
        id: `${i}-${j}`,
        labelIndex: labels.indexOf(a.label),
        geometry: a.geometry,
      })),
    };
  });
  return memorySource(labels, images, SAMPLE_SPLIT, SAMPLE_SEED, format);
};

const expectClose = (actual: Geometry, expected: Geometry, tol: number) => {
  expect(actual.type).toBe(expected.type);
  const flat = (g: Geometry) => (g.type === "box" ? [g.x, g.y, g.width, g.height] : g.points.flat());
  const a = flat(actual);
  const e = flat(expected);
  expect(a.length).toBe(e.length);
  a.forEach((v, i) => {
    expect(Math.abs(v - (e[i] ?? Number.NaN))).toBeLessThanOrEqual(tol);
  });
};

/** What each format can carry of a shape: the geometry to expect back after a round trip. */
const expectedBack = (format: FormatId, g: Geometry, size: { width: number; height: number }): Geometry => {
  if (format === "coco") return g;
  if (format === "yolo-seg") return g;
  const b = boundingBox(g);
  if (format === "yolo") return { type: "box", ...b };
  const lo = (v: number, max: number) => Math.min(Math.max(Math.round(v), 0), max - 1);
  // At least two pixels, so that xmax > xmin (the images here are all 2 px or more).
  // At the far edge the two pixels are the last two.
  const axis = (lo: number, hi: number, max: number) => {
    const end = Math.max(Math.min(Math.round(hi), max), lo + 2);
    return end > max ? [max - 2, 2] : [lo, end - lo];
  };
  const [x, width] = axis(lo(b.x, size.width), b.x + b.width, size.width) as [number, number];
  const [y, height] = axis(lo(b.y, size.height), b.y + b.height, size.height) as [number, number];
  return { type: "box", x, y, width, height };
};

describe.each(SHAPE_FORMATS)("round trip: %s", (format) => {
  const a = source(format);
  const first = encodeToFiles(a, opts(format));
  const decoded = decodeExport(format, first, a.plan);

  it("decodes its own export without a single problem", () => {
    expect(decoded.problems).toEqual([]);
    expect(decoded.ok).toBe(true);
    expect(decoded.value.labels).toEqual(SAMPLE_LABELS);
    // COCO lists images split by split; the other formats keep plan (id) order.
    const order = format === "coco" ? splitMajor(a.plan) : a.plan;
    expect(decoded.value.images.map((i) => i.fileName)).toEqual(order.map((p) => p.exportName));
  });

  it("gives back every shape (exactly for COCO, within the format's precision otherwise)", () => {
    for (const p of a.plan) {
      const img = decoded.value.images.find((d) => d.fileName === p.exportName);
      // YOLO segmentation leaves out (and reports) a polygon without area at 6 decimals.
      const shapes = (a.shapesOf.get(p.id) ?? []).filter(
        (s) =>
          format !== "yolo-seg" ||
          s.geometry.type !== "polygon" ||
          !yoloPolygonLine(0, s.geometry.points, p.width, p.height).collapsed,
      );
      expect(img?.annotations.length, p.exportName).toBe(shapes.length);
      shapes.forEach((s, i) => {
        const got = img?.annotations[i];
        expect(got?.label).toBe(SAMPLE_LABELS[s.labelIndex]);
        // YOLO detection also widens a box to at least 1e-6 of the image.
        const tol = format === "coco" || format === "voc" ? 0 : 1e-6 * Math.max(p.width, p.height) + 1e-9;
        expectClose(got?.geometry as Geometry, expectedBack(format, s.geometry, p), tol);
      });
      const tags = (SAMPLE_IMAGES.find((s) => s.id === p.id)?.tags ?? []).map((t) => SAMPLE_LABELS[t]);
      expect(img?.tags).toEqual(tags);
    }
  });

  it("export -> import -> export gives the same annotation files byte for byte", () => {
    const b = reimported(decoded.value, a.plan, format);
    const second = encodeToFiles(b, opts(format));
    const annotationFiles = (m: Map<string, string>) =>
      new Map([...m].filter(([p]) => p !== "manifest.json" && p !== "export-report.json"));
    expect(annotationFiles(second)).toEqual(annotationFiles(first));

    // Renames happen once too: the re-imported images already carry the unique names.
    const report = JSON.parse(first.get("export-report.json") ?? "{}") as {
      lossless: boolean;
      items: { code: string }[];
    };
    if (report.lossless && !report.items.some((i) => i.code === "RENAMED")) expect(second).toEqual(first);

    // Whatever the first export lost is lost once: from then on the export is a fixed point.
    const again = decodeExport(format, second, b.plan);
    const third = encodeToFiles(reimported(again.value, b.plan, format), opts(format));
    expect(third).toEqual(second);
  });
});

describe("round trip of a lossless project", () => {
  it.each(["coco", "yolo"] as const)(
    "%s: a box-only project comes back identical, manifest included",
    (format) => {
      // A GIF is written as PNG by YOLO: renamed once, which the report of the first export says.
      const boxes = SAMPLE_IMAGES.filter((im) => im.format !== "gif").map((im) => ({
        ...im,
        fileName: `${im.id} ${im.fileName}${im.fileName.includes(".") ? "" : ".webp"}`,
        shapes: im.shapes.filter((s) => s.geometry.type === "box"),
      }));
      const a = memorySource(SAMPLE_LABELS, boxes, SAMPLE_SPLIT, SAMPLE_SEED, format);
      const first = encodeToFiles(a, opts(format));
      const decoded = decodeExport(format, first, a.plan);
      const second = encodeToFiles(reimported(decoded.value, a.plan, format), opts(format));
      expect(second).toEqual(first);
    },
  );
});

import { clamp, hasThreeDistinctPoints, polygonArea, type Rect, type Vertex } from "@labelbench/geometry";
import type { EncodeContext } from "../context.js";
import { boundingBox, boxCorners } from "../shapes.js";
import type { ExportEntry, ExportItem, FormatId, SplitName } from "../types.js";
import { type StoredBounds, storedBounds } from "./stored-bounds.js";

/** Normalized values are handled as integers of 1e-6 so rounding and the edge rules are exact. */
const MICRO = 1_000_000;
const micro = (v: number) => Math.round(clamp(v, 0, 1) * MICRO);
/**
 * `m` micro-units (an integer) as `0.000000`: the fraction's six digits are those of m + 10^6 after
 * its leading 1 (padStart cost ~0.5 s of a million-box export).
 */
const printMicro = (m: number) =>
  m < MICRO
    ? `0.${String(m + MICRO).slice(1)}`
    : `${Math.floor(m / MICRO)}.${String((m % MICRO) + MICRO).slice(1)}`;

/**
 * One axis of a box as YOLO's (centre, size), in micro-units. The centre and size are rounded,
 * then the size is shrunk if needed so that centre ± size/2 stays inside [0, 1]: a reader that
 * clamps (as the importer does) then gets back the same edges, and a re-export the same digits.
 */
export const yoloAxis = (start: number, span: number, size: number): [number, number] => {
  const a = clamp(start / size, 0, 1);
  const b = clamp((start + span) / size, 0, 1);
  let c = Math.round(((a + b) / 2) * MICRO);
  let w = Math.max(1, Math.round((b - a) * MICRO));
  if (2 * c < w) c = Math.ceil(w / 2);
  if (2 * c + w > 2 * MICRO) c = Math.min(c, MICRO - Math.ceil(w / 2));
  if (2 * c < w) w = 2 * c;
  if (2 * c + w > 2 * MICRO) w = 2 * MICRO - 2 * c;
  return [c, w];
};

export const yoloBoxLine = (cls: number, r: Rect, width: number, height: number): string => {
  const [cx, w] = yoloAxis(r.x, r.width, width);
  const [cy, h] = yoloAxis(r.y, r.height, height);
  return `${cls} ${printMicro(cx)} ${printMicro(cy)} ${printMicro(w)} ${printMicro(h)}`;
};

export const yoloPolygonLine = (
  cls: number,
  points: readonly Vertex[],
  width: number,
  height: number,
): { line: string; collapsed: boolean } => {
  const m = points.map(([x, y]) => [micro(x / width), micro(y / height)] as const);
  return {
    line: `${cls} ${m.map(([x, y]) => `${printMicro(x)} ${printMicro(y)}`).join(" ")}`,
    // Integers of 1e-6: the area is exact, so 0 means the points as written lie on a line.
    collapsed: !hasThreeDistinctPoints(m) || polygonArea(m) === 0,
  };
};

export const yamlString = (s: string): string =>
  // JSON strings are YAML double-quoted scalars; the YAML-only line breaks are escaped as well.
  JSON.stringify(s).replace(
    /[\u0085\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );

/**
 * data.yaml in the Ultralytics layout. Names are an index -> name map in label-set order, every
 * name double-quoted so YAML 1.1 readers (PyYAML) never turn `yes` or `1e3` into a bool or number.
 *
 * No `path` key: without one Ultralytics resolves the split folders against the yaml's own folder,
 * wherever training runs from (`path: .` meant the current directory). `train` and `val` are
 * required by Ultralytics and a listed folder that does not exist fails training, so only splits
 * holding images are listed, and `val` (or `train`) points at another split's folder when its own
 * is empty; `valFrom` says which one it borrowed.
 */
export const dataYaml = (
  names: readonly string[],
  nonEmpty: readonly SplitName[],
): { text: string; trainFrom: SplitName; valFrom: SplitName } => {
  const trainFrom: SplitName = nonEmpty.includes("train") ? "train" : (nonEmpty[0] ?? "train");
  const valFrom: SplitName = nonEmpty.includes("val") ? "val" : trainFrom;
  const lines = [
    "# Written by Labelbench. Split folders are relative to this file's folder.",
    `train: images/${trainFrom}`,
    `val: images/${valFrom}`,
    ...(nonEmpty.includes("test") ? ["test: images/test"] : []),
    "names:",
    ...names.map((n, i) => `  ${i}: ${yamlString(n)}`),
  ];
  return { text: `${lines.join("\n")}\n`, trainFrom, valFrom };
};

/** Ultralytics skips an image (and its labels) under 10 pixels on a side (`verify_image_label`). */
export const ULTRALYTICS_MIN_SIDE = 10;

/** Scratch bounds (reused: a million shapes allocate none). */
const BOUNDS: StoredBounds = { type: "box", x: 0, y: 0, width: 0, height: 0 };

const labelLines = (ctx: EncodeContext, item: ExportItem, format: FormatId): string => {
  const { image } = item;
  let text = "";
  for (let n = 0; n < item.shapes.length; n++) {
    const shape = item.shapes[n] as ExportItem["shapes"][number];
    if (format === "yolo") {
      // The stored text read as bounds (no parsed geometry), else the parsed geometry's bounds.
      const json = shape.geometryJson;
      let bounds: Rect;
      let polygon: boolean;
      if (json !== undefined && storedBounds(json, BOUNDS)) {
        bounds = BOUNDS;
        polygon = BOUNDS.type === "polygon";
      } else {
        const g = shape.geometry;
        bounds = boundingBox(g);
        polygon = g.type === "polygon";
      }
      if (polygon) ctx.report.add("POLYGON_AS_BOX", { image: image.exportName, shape: n + 1 });
      text += `${yoloBoxLine(shape.labelIndex, bounds, image.width, image.height)}\n`;
    } else {
      const g = shape.geometry;
      const example = { image: image.exportName, shape: n + 1 };
      if (g.type === "box") ctx.report.add("BOX_AS_POLYGON", example);
      const points = g.type === "box" ? boxCorners(g) : g.points;
      const { line, collapsed } = yoloPolygonLine(shape.labelIndex, points, image.width, image.height);
      if (collapsed) {
        ctx.report.add("POLYGON_COLLAPSED", example);
        ctx.uncount(item, shape.labelIndex);
      } else text += `${line}\n`;
    }
  }
  return text;
};

/**
 * Ultralytics layout: data.yaml, `images/<split>/<name>`, `labels/<split>/<stem>.txt`. Every
 * image gets a label file, an empty one when it has no shapes (a background image).
 */
export function* encodeYolo(ctx: EncodeContext): Generator<ExportEntry> {
  const { source, options } = ctx;
  const nonEmpty = ctx.splits.filter((split) => source.plan.some((p) => p.split === split));
  const yaml = dataYaml(
    source.labels.map((l) => l.name),
    nonEmpty,
  );
  yield ctx.text("data.yaml", yaml.text);
  if (yaml.valFrom !== "val")
    ctx.report.note(
      "NO_VAL_SPLIT",
      `data.yaml's val is images/${yaml.valFrom}; choose a split with val > 0 for a real validation set`,
    );
  let largest = 0;
  for (const item of source.items()) {
    ctx.count(item);
    const { image } = item;
    item.shapes.forEach((shape, n) => {
      const attributes = shape.attributes;
      if (attributes === undefined) return;
      for (const name of Object.keys(attributes))
        ctx.report.add("ATTRIBUTES_NOT_WRITTEN", { image: image.exportName, shape: n + 1, detail: name });
    });
    largest = Math.max(largest, image.width, image.height);
    if (Math.min(image.width, image.height) < ULTRALYTICS_MIN_SIDE)
      ctx.report.add("TOO_SMALL_FOR_ULTRALYTICS", {
        image: image.exportName,
        detail: `${image.width}x${image.height}, ${item.shapes.length} shape(s)`,
      });
    if (ctx.includeImages && image.conversion === "png")
      ctx.report.add("CONVERTED_TO_PNG", { image: image.exportName });
    const imagePath = `images/${image.split}/${image.exportName}`;
    if (ctx.includeImages) yield { kind: "image", path: imagePath, image };
    yield ctx.text(`labels/${image.split}/${image.stem}.txt`, labelLines(ctx, item, options.format));
    ctx.collectTags(item, imagePath);
  }
  if (largest > 0 && ctx.annotations.total > 0) {
    ctx.report.note(
      "ROUNDED_TO_6_DECIMALS",
      `at most ${(largest * 0.5e-6).toPrecision(2)} px on the largest image side (${largest} px)`,
      ctx.annotations.total,
    );
  }
}

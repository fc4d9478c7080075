import type { Geometry } from "@labelbench/schema";

type Vertex = [number, number];

import { basename } from "../paths.js";
import type { Problem } from "../types.js";
import type { DecodedPrediction, DecodedPredictions } from "./types.js";

/**
 * Label Studio's JSON (a list of tasks, each with `predictions[].result` or `annotations[].result`)
 * and its result items, as Label Studio documents them: `x`, `y`, `width`, `height` and polygon
 * `points` in percent of the image, `rotation` in degrees clockwise about the box's top-left
 * corner, labels in `rectanglelabels` / `polygonlabels` / `choices`. docs/predictions.md.
 */

/** One shape (or whole-image tag) converted from result items, in fractions of the image. */
export interface LabelStudioShape {
  readonly modelLabel: string;
  readonly geometry: Geometry | null;
  readonly score: number;
  /** The result item's `id`, so a caller can say which region it came from. */
  readonly resultId: string | null;
  /** `result[3]`. */
  readonly where: string;
}

export interface LabelStudioProblem {
  readonly severity: "error" | "warning";
  readonly where: string;
  readonly message: string;
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);
const finite = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);

/** Types whose regions cannot be a box, polygon or tag here, each with why (so nothing is dropped silently). */
const UNSUPPORTED: Record<string, string> = {
  keypointlabels: "keypoints are not a shape Labelbench stores (boxes and polygons only)",
  keypoint: "keypoints are not a shape Labelbench stores (boxes and polygons only)",
  brushlabels: "brush masks (Label Studio's RLE) are not converted; send polygons or boxes",
  brush: "brush masks (Label Studio's RLE) are not converted; send polygons or boxes",
  ellipselabels: "ellipses are not a shape Labelbench stores (boxes and polygons only)",
  ellipse: "ellipses are not a shape Labelbench stores (boxes and polygons only)",
  labels: "text spans are not image regions",
  textarea: "free text is not a label",
  rating: "ratings are not a label",
  number: "numbers are not a label",
  taxonomy: "taxonomies are not converted; use choices",
};

/**
 * A box's corners, rotated: `rotation` degrees clockwise about (x, y) in pixels, which is how
 * Label Studio turns a RectangleLabels region (y grows downwards, so the usual matrix turns
 * clockwise on screen).
 */
export const rotatedBoxCorners = (
  x: number,
  y: number,
  width: number,
  height: number,
  degrees: number,
): Vertex[] => {
  const t = (degrees * Math.PI) / 180;
  const cos = Math.cos(t);
  const sin = Math.sin(t);
  return [
    [0, 0],
    [width, 0],
    [width, height],
    [0, height],
  ].map(([dx, dy]) => [
    x + (dx as number) * cos - (dy as number) * sin,
    y + (dx as number) * sin + (dy as number) * cos,
  ]);
};

/** The size a result item's percents refer to: the item's own `original_*`, else the caller's. */
const sizeOf = (item: Record<string, unknown>, fallback: { width: number; height: number } | undefined) => {
  const w = item.original_width;
  const h = item.original_height;
  if (finite(w) && finite(h) && w > 0 && h > 0) return { width: w, height: h };
  return fallback;
};

/**
 * Converts one list of Label Studio result items (one prediction's or annotation's `result`) into
 * shapes in fractions of the image (0 to 1) and problems. `image` is the size the percents refer to
 * when items lack `original_width/height` (needed for rotated boxes only: a rotation is a turn in
 * pixels, not in percents). `score` is the prediction's, for items without their own.
 * Anything it cannot convert is a problem, never dropped silently.
 */
export const convertLabelStudioResult = (
  result: unknown,
  opts: { image?: { width: number; height: number }; score?: number } = {},
): { shapes: LabelStudioShape[]; problems: LabelStudioProblem[] } => {
  const shapes: LabelStudioShape[] = [];
  const problems: LabelStudioProblem[] = [];
  if (!Array.isArray(result)) {
    problems.push({ severity: "error", where: "result", message: "`result` must be a list of result items" });
    return { shapes, problems };
  }
  const regionIds = new Set(
    result.flatMap((item) =>
      isRecord(item) && typeof item.id === "string" && item.type !== "choices" ? [item.id] : [],
    ),
  );
  /** Converts one item; returns why it could not, if it could not. */
  const one = (item: unknown, i: number): string | undefined => {
    const where = `result[${i}]`;
    const error = (message: string): string => message;
    if (!isRecord(item)) return error("a result item must be an object");
    const type = typeof item.type === "string" ? item.type : "";
    const value = item.value;
    if (!isRecord(value)) return error(`item of type "${type || "?"}" has no \`value\` object`);
    const resultId = typeof item.id === "string" ? item.id : null;
    let score = opts.score ?? 1;
    if (item.score !== undefined && item.score !== null) {
      if (!finite(item.score) || item.score < 0 || item.score > 1)
        return error(`score ${JSON.stringify(item.score)} is not a number from 0 to 1`);
      score = item.score;
    }
    /** The labels, or why there are none. */
    const labelsOf = (key: string): string[] | string => {
      const labels = value[key];
      if (
        !Array.isArray(labels) ||
        labels.length === 0 ||
        !labels.every((l) => typeof l === "string" && l !== "")
      )
        return `\`value.${key}\` must be a non-empty list of label names`;
      return labels as string[];
    };
    switch (type) {
      case "rectanglelabels":
      case "rectangle": {
        const labels = type === "rectangle" ? missingLabel("rectanglelabels") : labelsOf("rectanglelabels");
        if (typeof labels === "string") return labels;
        const { x, y, width, height } = value;
        if (!finite(x) || !finite(y) || !finite(width) || !finite(height))
          return error("a rectangle needs numeric `x`, `y`, `width` and `height` (percent)");
        if (width <= 0 || height <= 0)
          return error(`rectangle width ${width}% and height ${height}% must be positive`);
        const rotation = value.rotation ?? 0;
        if (!finite(rotation)) return error("`rotation` must be a number of degrees");
        let geometry: Geometry;
        if (rotation % 360 === 0)
          geometry = { type: "box", x: x / 100, y: y / 100, width: width / 100, height: height / 100 };
        else {
          const size = sizeOf(item, opts.image);
          if (!size)
            return error(
              `a rectangle rotated ${rotation}° needs \`original_width\` and \`original_height\` to turn it in pixels`,
            );
          const px = rotatedBoxCorners(
            (x / 100) * size.width,
            (y / 100) * size.height,
            (width / 100) * size.width,
            (height / 100) * size.height,
            rotation,
          );
          geometry = { type: "polygon", points: px.map(([a, b]) => [a / size.width, b / size.height]) };
        }
        for (const modelLabel of labels) shapes.push({ modelLabel, geometry, score, resultId, where });
        return;
      }
      case "polygonlabels":
      case "polygon": {
        const labels = type === "polygon" ? missingLabel("polygonlabels") : labelsOf("polygonlabels");
        if (typeof labels === "string") return labels;
        const points = value.points;
        if (
          !Array.isArray(points) ||
          !points.every((p) => Array.isArray(p) && p.length === 2 && finite(p[0]) && finite(p[1]))
        )
          return error("`value.points` must be a list of [x, y] percent pairs");
        if (points.length < 3) return error(`a polygon needs at least 3 points, not ${points.length}`);
        const geometry: Geometry = {
          type: "polygon",
          points: (points as [number, number][]).map(([a, b]) => [a / 100, b / 100]),
        };
        for (const modelLabel of labels) shapes.push({ modelLabel, geometry, score, resultId, where });
        return;
      }
      case "choices": {
        const labels = labelsOf("choices");
        if (typeof labels === "string") return labels;
        // A choice carrying a region's id classifies that region (a per-region attribute), not the image.
        if (resultId !== null && regionIds.has(resultId)) {
          problems.push({
            severity: "warning",
            where,
            message: `choices ${JSON.stringify(labels)} describe region "${resultId}", not the image; per-region choices are not imported`,
          });
          return;
        }
        for (const modelLabel of labels) shapes.push({ modelLabel, geometry: null, score, resultId, where });
        return;
      }
      default: {
        const why = UNSUPPORTED[type];
        return error(
          why
            ? `"${type}" results cannot be converted: ${why}`
            : `unknown result type "${type}" (rectanglelabels, polygonlabels and choices are converted)`,
        );
      }
    }
  };
  for (const [i, item] of result.entries()) {
    const why = one(item, i);
    if (why !== undefined) problems.push({ severity: "error", where: `result[${i}]`, message: why });
  }
  return { shapes, problems };
};

const missingLabel = (typed: string): string =>
  `an unlabelled region has no class; the model must name one (\`${typed}\`)`;

/** The `d` parameter of a query string (Label Studio's local-files URLs), decoded. */
const localFilePath = (query: string): string | null => {
  for (const pair of query.split("&")) {
    const [k, v] = pair.split("=", 2);
    if (k === "d" && v) {
      try {
        return decodeURIComponent(v.replace(/\+/g, " "));
      } catch {
        return v;
      }
    }
  }
  return null;
};

/**
 * The file names a task's image may have in the project, best first: the last segment of
 * `data.image` (URL-decoded, its query's `d=` path for Label Studio's local files), and the
 * uploaded name without the 8-hex prefix Label Studio gives uploads.
 */
export const labelStudioImageNames = (task: Record<string, unknown>): string[] => {
  const names: string[] = [];
  const data = task.data;
  const url = isRecord(data)
    ? (data.image ?? Object.values(data).find((v) => typeof v === "string"))
    : undefined;
  if (typeof url === "string" && url !== "") {
    const [path, query] = url.split("?", 2) as [string, string | undefined];
    const d = query ? localFilePath(query) : null;
    for (const p of [d, path]) {
      if (!p) continue;
      let name = basename(p);
      try {
        name = decodeURIComponent(name);
      } catch {
        // A stray % is part of the name.
      }
      if (name) names.push(name);
    }
  }
  if (typeof task.file_upload === "string" && task.file_upload !== "") {
    names.push(task.file_upload.replace(/^[0-9a-f]{8}-/, ""));
    names.push(task.file_upload);
  }
  return [...new Set(names)];
};

/**
 * Decodes a Label Studio JSON export or prediction file: a list of tasks (or one task). Each task's
 * predictions are read (every prediction, `score` per result or per prediction); a task without
 * predictions contributes its annotations (score 1), so an export of another tool's pre-labels
 * imports too. `model_version` is kept when the predictions name one.
 */
export const decodeLabelStudioPredictions = (file: string, json: unknown): DecodedPredictions => {
  const predictions: DecodedPrediction[] = [];
  const problems: Problem[] = [];
  const versions = new Set<string>();
  const tasks = Array.isArray(json) ? json : isRecord(json) ? [json] : null;
  if (!tasks) {
    problems.push({ severity: "error", file, message: "a Label Studio file is a JSON list of tasks" });
    return { format: "labelstudio", predictions, problems };
  }
  tasks.forEach((task, t) => {
    const taskWhere = `task ${isRecord(task) && (typeof task.id === "number" || typeof task.id === "string") ? task.id : `[${t}]`}`;
    if (!isRecord(task)) {
      problems.push({ severity: "error", file, where: `[${t}]`, message: "a task must be an object" });
      return;
    }
    const names = labelStudioImageNames(task);
    const preds = Array.isArray(task.predictions) ? task.predictions : [];
    const anns = Array.isArray(task.annotations) ? task.annotations : [];
    const [kind, sets] =
      preds.length > 0 ? (["prediction", preds] as const) : (["annotation", anns] as const);
    if (sets.length === 0) return;
    if (names.length === 0) {
      problems.push({
        severity: "error",
        file,
        where: taskWhere,
        message: "the task names no image (`data.image`), so its regions cannot be placed",
      });
      return;
    }
    sets.forEach((set, s) => {
      const setWhere = `${taskWhere} ${kind} ${s}`;
      if (!isRecord(set)) {
        problems.push({ severity: "error", file, where: setWhere, message: `a ${kind} must be an object` });
        return;
      }
      if (typeof set.model_version === "string" && set.model_version !== "") versions.add(set.model_version);
      if (set.was_cancelled === true) return;
      let score = 1;
      if (kind === "prediction" && set.score !== undefined && set.score !== null) {
        if (!finite(set.score) || set.score < 0 || set.score > 1) {
          problems.push({
            severity: "error",
            file,
            where: setWhere,
            message: `score ${JSON.stringify(set.score)} is not a number from 0 to 1`,
          });
          return;
        }
        score = set.score;
      }
      const out = convertLabelStudioResult(set.result, { score });
      for (const p of out.problems)
        problems.push({ severity: p.severity, file, where: `${setWhere} ${p.where}`, message: p.message });
      for (const shape of out.shapes)
        predictions.push({
          file,
          where: `${setWhere} ${shape.where}`,
          image: { names },
          modelLabel: shape.modelLabel,
          geometry: shape.geometry,
          units: "fraction",
          score: shape.score,
        });
    });
  });
  const [only] = versions;
  return {
    format: "labelstudio",
    predictions,
    problems,
    ...(versions.size === 1 && only !== undefined ? { modelVersion: only } : {}),
  };
};

/** Scales a fraction-of-the-image geometry to pixels. */
export const fractionToPixels = (g: Geometry, size: { width: number; height: number }): Geometry =>
  g.type === "box"
    ? {
        type: "box",
        x: g.x * size.width,
        y: g.y * size.height,
        width: g.width * size.width,
        height: g.height * size.height,
      }
    : { type: "polygon", points: g.points.map(([x, y]) => [x * size.width, y * size.height]) };

/**
 * Label Studio result items (a model backend's reply) as shapes in pixels of `image`, the size the
 * backend saw: the converter the ML-backend connection uses.
 */
export const labelStudioResultToPixels = (
  result: unknown,
  image: { width: number; height: number },
  score?: number,
): { shapes: LabelStudioShape[]; problems: LabelStudioProblem[] } => {
  const out = convertLabelStudioResult(result, { image, ...(score === undefined ? {} : { score }) });
  return {
    shapes: out.shapes.map((s) => ({ ...s, geometry: s.geometry && fractionToPixels(s.geometry, image) })),
    problems: out.problems,
  };
};

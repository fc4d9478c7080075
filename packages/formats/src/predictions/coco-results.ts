import type { Geometry } from "@labelbench/schema";
import { keepOutlines, MIN_OUTLINE_AREA } from "../outlines.js";
import { basename } from "../paths.js";
import type { Problem } from "../types.js";
import { readRle, traceMask } from "./rle.js";
import type { DecodedPrediction, DecodedPredictions, PredictionImageRef } from "./types.js";

/**
 * COCO detection results, the format pycocotools' `COCO.loadRes` reads and every COCO-trained
 * detector writes: a bare JSON list of `{image_id, category_id, bbox: [x, y, w, h], score,
 * segmentation?}` in image pixels. `image_id` and `category_id` are those of the dataset the model
 * was evaluated on — for a model trained on Labelbench's own COCO export, that export's ids (the
 * server maps them back). An entry may name its image by `file_name` instead.
 * Segmentation: polygons (`[[x1, y1, x2, y2, ...], ...]`) or RLE masks (uncompressed or
 * pycocotools' compressed counts), traced into polygons. A segmentation of several outlines (a
 * mask's regions, a polygon list) becomes one prediction per outline, each with the entry's score
 * and class, by the rule the COCO dataset import follows too (outlines.ts); `split` counts them.
 */

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);
const finite = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);

/** True for what looks like a results list rather than a COCO dataset (an object with `images`). */
export const looksLikeCocoResults = (json: unknown): boolean =>
  Array.isArray(json) &&
  (json.length === 0 ||
    (isRecord(json[0]) && "category_id" in json[0] && ("image_id" in json[0] || "file_name" in json[0])));

/** A COCO polygon list's outlines, or what is wrong with it. */
const polygonList = (seg: unknown[]): [number, number][][] | string => {
  const out: [number, number][][] = [];
  for (const [k, flat] of seg.entries()) {
    if (!Array.isArray(flat) || !flat.every(finite))
      return `segmentation[${k}] must be a list of numbers x1, y1, x2, y2, ...`;
    if (flat.length % 2 !== 0) return `segmentation[${k}] has an odd count of numbers (${flat.length})`;
    if (flat.length < 6) return `segmentation[${k}] has ${flat.length / 2} point(s); a polygon needs 3`;
    const pts: [number, number][] = [];
    for (let i = 0; i < flat.length; i += 2) pts.push([flat[i] as number, flat[i + 1] as number]);
    out.push(pts);
  }
  return out;
};

/**
 * Decodes one results file. Every entry is checked; a bad one is an error naming its index
 * (`[12]`) and field, and the rest are still read so the report lists every problem at once.
 */
export const decodeCocoResults = (
  file: string,
  json: unknown,
  opts: { maxVertices?: number } = {},
): DecodedPredictions => {
  const predictions: DecodedPrediction[] = [];
  const problems: Problem[] = [];
  const split = { detections: 0, polygons: 0 };
  const err = (where: string, message: string) => problems.push({ severity: "error", file, where, message });
  const warn = (where: string, message: string) =>
    problems.push({ severity: "warning", file, where, message });
  if (!Array.isArray(json)) {
    problems.push({
      severity: "error",
      file,
      message:
        isRecord(json) && Array.isArray(json.annotations)
          ? "this is a COCO dataset (an object with `annotations`), not detection results; results are a bare list of {image_id, category_id, bbox, score}"
          : "COCO results are a JSON list of {image_id, category_id, bbox, score}",
    });
    return { format: "coco-results", predictions, problems, split };
  }
  for (const [i, d] of json.entries()) {
    const where = `[${i}]`;
    if (!isRecord(d)) {
      err(where, "a detection must be an object");
      continue;
    }
    let image: PredictionImageRef;
    if (typeof d.file_name === "string" && d.file_name !== "") {
      const names = [d.file_name, basename(d.file_name)];
      image = { names: [...new Set(names)] };
    } else if (typeof d.image_id === "number" && Number.isSafeInteger(d.image_id))
      image = { cocoImageId: d.image_id };
    else {
      err(
        where,
        `image_id ${JSON.stringify(d.image_id)} is not an integer (and no file_name names the image)`,
      );
      continue;
    }
    if (!(typeof d.category_id === "number" && Number.isSafeInteger(d.category_id))) {
      err(`${where}.category_id`, `category_id ${JSON.stringify(d.category_id)} is not an integer`);
      continue;
    }
    if (!finite(d.score) || d.score < 0 || d.score > 1) {
      err(`${where}.score`, `score ${JSON.stringify(d.score)} is not a number from 0 to 1`);
      continue;
    }
    let outlines: [number, number][][] | null = null;
    const seg = d.segmentation;
    if (Array.isArray(seg) && seg.length > 0) {
      const polys = polygonList(seg);
      if (typeof polys === "string") {
        err(`${where}.segmentation`, polys);
        continue;
      }
      outlines = polys;
    } else if (isRecord(seg)) {
      const rle = readRle(seg);
      if (typeof rle === "string") {
        err(`${where}.segmentation`, rle);
        continue;
      }
      const traced = traceMask(rle, opts.maxVertices);
      if (!traced) {
        err(`${where}.segmentation`, "the mask is empty: no pixel to trace");
        continue;
      }
      if (traced.holes > 0)
        warn(
          `${where}.segmentation`,
          `the mask has ${traced.holes} hole(s): not kept (a polygon has none), each region's outer outline is`,
        );
      outlines = traced.outlines.filter((o) => o.length >= 3);
    } else if (seg !== undefined && seg !== null && !(Array.isArray(seg) && seg.length === 0)) {
      err(`${where}.segmentation`, "segmentation must be a list of polygons or an RLE object {size, counts}");
      continue;
    }
    if (outlines) {
      const { kept, specks } = keepOutlines(outlines);
      if (kept.length > 1 || specks > 0)
        warn(
          `${where}.segmentation`,
          `${outlines.length} outlines: ${kept.length === 1 ? "1 polygon" : `${kept.length} polygons, each its own prediction with the entry's score`}${specks > 0 ? `; ${specks} below ${MIN_OUTLINE_AREA} square pixel left out` : ""}`,
        );
      if (kept.length > 1) {
        split.detections++;
        split.polygons += kept.length;
      }
      for (const points of kept)
        predictions.push({
          file,
          where,
          image,
          modelLabel: String(d.category_id),
          geometry: { type: "polygon", points },
          units: "pixel",
          score: d.score,
        });
      continue;
    }
    let geometry: Geometry | null = null;
    if (!geometry) {
      const bbox = d.bbox;
      if (!Array.isArray(bbox) || bbox.length !== 4 || !bbox.every(finite)) {
        err(`${where}.bbox`, `bbox ${JSON.stringify(bbox)} is not [x, y, width, height]`);
        continue;
      }
      const [x, y, w, h] = bbox as [number, number, number, number];
      if (w <= 0 || h <= 0) {
        err(`${where}.bbox`, `bbox [${bbox.join(", ")}] has no area (width and height must be positive)`);
        continue;
      }
      geometry = { type: "box", x, y, width: w, height: h };
    }
    predictions.push({
      file,
      where,
      image,
      modelLabel: String(d.category_id),
      geometry,
      units: "pixel",
      score: d.score,
    });
  }
  return { format: "coco-results", predictions, problems, split };
};

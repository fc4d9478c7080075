import {
  basename,
  type DecodedPrediction,
  type DecodedPredictions,
  decodeCocoResults,
  decodeLabelStudioPredictions,
  decodeYoloPredictions,
  extname,
  fractionToPixels,
  looksLikeCocoResults,
  nameKey,
  planExport,
  splitMajor,
  stemOf,
  type TextFile,
} from "@labelbench/formats";
import { classWiseNms } from "@labelbench/quality";
import {
  type Geometry,
  type PredictionFormat,
  type PredictionImportProblem,
  type PredictionImportQuery,
  type PredictionImportReport,
  ShapeType,
} from "@labelbench/schema";
import type { Request } from "express";
import type { z } from "zod";
import type { Deps } from "../../deps.js";
import { AppError, notFound } from "../../http/errors.js";
import { receiveUpload } from "../imports/receive.js";
import { checkPredictionGeometry, createPredictionRun, type NewPrediction } from "./runs.js";

/**
 * Importing a model's predictions as a new run (issue 17): read the upload (a JSON body, a zip or
 * multipart files), decode it with the format's codec (packages/formats/src/predictions), map its
 * images and classes to the project's, drop what scores below the floor, suppress overlaps
 * class-wise, and write the run — all or nothing: any error and nothing is written, the report
 * says what and where. docs/predictions.md.
 */

type Query = z.output<typeof PredictionImportQuery>;

/** Problems listed in a report; past this they are only counted. */
const MAX_PROBLEMS = 1000;

interface ProjectImage {
  id: number;
  file_name: string;
  width: number;
  height: number;
  sha256: string;
  format: string;
}
interface ProjectLabel {
  id: number;
  name: string;
  shapeTypes: ShapeType[];
}

/** The upload's files as texts: the JSON body, or the zip's / multipart's text files. */
const readUpload = async (
  deps: Deps,
  req: Request,
): Promise<{ json?: unknown; files: TextFile[]; ignored: string[] }> => {
  const type = (req.headers["content-type"] ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
  if (type === "application/json") {
    if (req.body === undefined) throw new AppError("VALIDATION_ERROR", "the request has no JSON body");
    return { json: req.body as unknown, files: [], ignored: [] };
  }
  const upload = await receiveUpload(deps, req);
  try {
    const files: TextFile[] = [...upload.texts].map(([path, text]) => ({ path, text }));
    for (const [path, lazy] of upload.lazy) files.push({ path, text: lazy.text() });
    files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    return { files, ignored: [...upload.ignored, ...upload.images.map((i) => i.path)] };
  } finally {
    await upload.cleanup();
  }
};

const isTaskList = (json: unknown): boolean => {
  const first = Array.isArray(json) ? json[0] : json;
  return (
    typeof first === "object" &&
    first !== null &&
    ("data" in first || "predictions" in first || "annotations" in first)
  );
};

const parseJson = (text: string): { ok: true; value: unknown } | { ok: false; message: string } => {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (err) {
    return { ok: false, message: `not valid JSON: ${(err as Error).message}` };
  }
};

/** Decodes what was sent, in the format asked or told from the content. */
const decodeUpload = (
  format: Query["format"],
  upload: { json?: unknown; files: TextFile[] },
): DecodedPredictions => {
  const fail = (message: string, f: PredictionFormat = "coco-results"): DecodedPredictions => ({
    format: f,
    predictions: [],
    problems: [{ severity: "error", file: "(upload)", message }],
  });
  const decodeJson = (file: string, json: unknown): DecodedPredictions => {
    const f =
      format !== "auto"
        ? format
        : looksLikeCocoResults(json)
          ? "coco-results"
          : isTaskList(json)
            ? "labelstudio"
            : null;
    if (f === "coco-results") return decodeCocoResults(file, json);
    if (f === "labelstudio") return decodeLabelStudioPredictions(file, json);
    if (f === "yolo")
      return fail(`${file} is JSON; YOLO predictions are label files (*.txt) in a zip`, "yolo");
    return fail(
      `${file}: cannot tell the format: not a COCO results list ([{image_id, category_id, bbox, score}]) nor Label Studio tasks ([{data, predictions}]); say format=`,
    );
  };
  if (upload.json !== undefined) return decodeJson("(body)", upload.json);
  const jsons = upload.files.filter((f) => extname(f.path).toLowerCase() === ".json");
  const txts = upload.files.filter((f) => extname(f.path).toLowerCase() === ".txt");
  if (format === "yolo" || (format === "auto" && jsons.length === 0 && txts.length > 0))
    return decodeYoloPredictions(upload.files);
  if (jsons.length === 0)
    return fail(
      "the upload holds no predictions file (a .json results or tasks file, or YOLO .txt label files)",
    );
  const parts = jsons.map((f) => {
    const parsed = parseJson(f.text);
    return parsed.ok
      ? decodeJson(f.path, parsed.value)
      : ({
          format: "coco-results",
          predictions: [],
          problems: [{ severity: "error", file: f.path, message: parsed.message }],
        } as DecodedPredictions);
  });
  const first = parts[0] as DecodedPredictions;
  const versions = new Set(parts.flatMap((p) => (p.modelVersion ? [p.modelVersion] : [])));
  const [only] = versions;
  return {
    format: first.format,
    predictions: parts.flatMap((p) => p.predictions),
    problems: parts.flatMap((p) => p.problems),
    ...(versions.size === 1 && only !== undefined ? { modelVersion: only } : {}),
  };
};

/** Names to images, keyed case-insensitively; a name two images share is ambiguous (null). */
const indexBy = (entries: Iterable<[string, ProjectImage]>): Map<string, ProjectImage | null> => {
  const out = new Map<string, ProjectImage | null>();
  for (const [k, img] of entries) {
    const key = nameKey(k);
    const had = out.get(key);
    out.set(key, had === undefined || had?.id === img.id ? img : null);
  }
  return out;
};

/**
 * How the file's images find the project's: COCO `image_id`s through the project's COCO export
 * plan (ids count from 1 in split-major order, as encodeCoco numbers them), names and stems
 * through the images' file names and their export names.
 */
const imageResolver = (images: readonly ProjectImage[], q: Query) => {
  let plan: ReturnType<typeof planExport> | null = null;
  const planOf = () => {
    plan ??= planExport(
      images.map((i) => ({
        id: i.id,
        fileName: i.file_name,
        width: i.width,
        height: i.height,
        sha256: i.sha256,
        format: i.format,
        tags: [],
      })),
      q.split ?? { train: 100, val: 0, test: 0 },
      q.seed === undefined || q.seed.trim() === "" ? "labelbench" : q.seed,
      "coco",
    );
    return plan;
  };
  const byId = new Map(images.map((i) => [i.id, i]));
  let cocoIds: Map<number, ProjectImage> | null = null;
  let names: Map<string, ProjectImage | null> | null = null;
  let stems: Map<string, ProjectImage | null> | null = null;
  const exportNames = function* (): Generator<[string, ProjectImage]> {
    for (const p of planOf()) {
      const img = byId.get(p.id) as ProjectImage;
      yield [p.exportName, img];
      yield [basename(p.exportName), img];
    }
  };
  return (ref: DecodedPrediction["image"]): ProjectImage | null | undefined => {
    if ("cocoImageId" in ref) {
      cocoIds ??= new Map(splitMajor(planOf()).map((p, i) => [i + 1, byId.get(p.id) as ProjectImage]));
      return cocoIds.get(ref.cocoImageId);
    }
    if ("stem" in ref) {
      stems ??= indexBy(
        (function* () {
          for (const i of images) yield [stemOf(i.file_name), i] as [string, ProjectImage];
          for (const [n, i] of exportNames()) yield [stemOf(n), i] as [string, ProjectImage];
        })(),
      );
      return stems.get(nameKey(ref.stem));
    }
    names ??= indexBy(
      (function* () {
        for (const i of images) {
          yield [i.file_name, i] as [string, ProjectImage];
          yield [basename(i.file_name), i] as [string, ProjectImage];
        }
        yield* exportNames();
      })(),
    );
    for (const n of ref.names) {
      const hit = names.get(nameKey(n));
      if (hit !== undefined) return hit;
    }
    return undefined;
  };
};

const describeRef = (ref: DecodedPrediction["image"]): string =>
  "cocoImageId" in ref
    ? `image_id ${ref.cocoImageId}`
    : "stem" in ref
      ? `image "${ref.stem}"`
      : `image ${ref.names.map((n) => `"${n}"`).join(" or ")}`;

/** The model's class to the project's label: COCO category ids and YOLO indices by label order, names by name. */
const labelResolver = (labels: readonly ProjectLabel[], decoded: DecodedPredictions) => {
  const byName = new Map(labels.map((l) => [nameKey(l.name), l]));
  const byIndex = decoded.format === "coco-results" || (decoded.format === "yolo" && !decoded.classNames);
  return (modelLabel: string): ProjectLabel | undefined => {
    if (!byIndex) return byName.get(nameKey(modelLabel));
    const n = Number(modelLabel);
    // COCO category ids are label positions + 1 (encodeCoco); YOLO class indices are positions.
    return labels[decoded.format === "coco-results" ? n - 1 : n];
  };
};

const unknownLabelMessage = (
  format: PredictionFormat,
  modelLabel: string,
  labels: readonly ProjectLabel[],
  named: boolean,
) => {
  if (format === "coco-results")
    return `category_id ${modelLabel} is not a category of this project's COCO export (1-${labels.length}, the labels in order)`;
  if (format === "yolo" && !named)
    return `class ${modelLabel} is not a class of this project's YOLO export (0-${labels.length - 1}, the labels in order)`;
  return `label "${modelLabel}" is not in this project's label set (${labels.map((l) => l.name).join(", ")})`;
};

export const importPredictions = async (
  deps: Deps,
  projectId: number,
  q: Query,
  req: Request,
  actor: string | null,
): Promise<PredictionImportReport> => {
  const project = await deps.sql
    .selectFrom("projects")
    .select("id")
    .where("id", "=", projectId)
    .executeTakeFirst();
  if (!project) throw notFound("project", projectId);
  const upload = await readUpload(deps, req);
  const decoded = decodeUpload(q.format, upload);

  const problems: PredictionImportProblem[] = [];
  let errors = 0;
  let total = 0;
  const problem = (p: PredictionImportProblem) => {
    total++;
    if (p.severity === "error") errors++;
    if (problems.length < MAX_PROBLEMS) problems.push(p);
  };
  for (const p of decoded.problems) problem(p);
  for (const path of upload.ignored)
    problem({ severity: "warning", file: path, message: "not a predictions file; ignored" });

  const images = (await deps.sql
    .selectFrom("images")
    .select(["id", "file_name", "width", "height", "sha256", "format"])
    .where("project_id", "=", projectId)
    .orderBy("id")
    .execute()) as ProjectImage[];
  const labels: ProjectLabel[] = (
    await deps.sql
      .selectFrom("labels")
      .select(["id", "name", "shape_types"])
      .where("project_id", "=", projectId)
      .orderBy("position")
      .orderBy("id")
      .execute()
  ).map((l) => ({
    id: l.id,
    name: l.name,
    // Stored comma-separated (`box,polygon`), as labels/repo.ts writes them.
    shapeTypes: l.shape_types
      .split(",")
      .filter((t): t is ShapeType => (ShapeType.options as readonly string[]).includes(t)),
  }));
  const imageOf = imageResolver(images, q);
  const labelOf = labelResolver(labels, decoded);

  interface Mapped extends NewPrediction {
    modelLabel: string;
  }
  const mapped: Mapped[] = [];
  let belowScore = 0;
  for (const d of decoded.predictions) {
    const err = (message: string) => problem({ severity: "error", file: d.file, where: d.where, message });
    const image = imageOf(d.image);
    if (image === null) {
      err(`${describeRef(d.image)} names more than one image of this project`);
      continue;
    }
    if (!image) {
      err(
        "cocoImageId" in d.image
          ? `${describeRef(d.image)} is not an image of this project's COCO export (1-${images.length}${q.split ? `, split ${q.split.train},${q.split.val},${q.split.test}` : ""}); give the export's split and seed, or file_name`
          : `${describeRef(d.image)} is not an image of this project`,
      );
      continue;
    }
    const label = labelOf(d.modelLabel);
    if (!label) {
      err(unknownLabelMessage(decoded.format, d.modelLabel, labels, Boolean(decoded.classNames)));
      continue;
    }
    let geometry: Geometry | null = null;
    if (d.geometry) {
      const px = d.units === "fraction" ? fractionToPixels(d.geometry, image) : d.geometry;
      const checked = checkPredictionGeometry(px, image);
      if (!checked.ok) {
        err(
          `bad ${px.type} on image "${image.file_name}" (${image.width}x${image.height}): ${checked.reason}`,
        );
        continue;
      }
      if (!label.shapeTypes.includes(checked.value.type)) {
        err(`label "${label.name}" does not allow ${checked.value.type} shapes`);
        continue;
      }
      geometry = checked.value;
    }
    if (d.score < q.minScore) {
      belowScore++;
      continue;
    }
    mapped.push({ imageId: image.id, labelId: label.id, geometry, score: d.score, modelLabel: d.modelLabel });
  }
  const nms =
    q.nmsIou === undefined
      ? { kept: mapped, suppressed: 0 }
      : classWiseNms(mapped, (m) => `${m.imageId}:${m.labelId}`, q.nmsIou);
  const kept = nms.kept;

  const perLabel = new Map<number, number>();
  for (const m of kept) perLabel.set(m.labelId, (perLabel.get(m.labelId) ?? 0) + 1);
  const report: PredictionImportReport = {
    dryRun: q.dryRun,
    applied: false,
    format: decoded.format,
    runId: null,
    detections: {
      read: decoded.predictions.length,
      belowScore,
      suppressed: nms.suppressed,
      imported: kept.length,
      split: { entries: decoded.split?.detections ?? 0, polygons: decoded.split?.polygons ?? 0 },
    },
    images: new Set(kept.map((m) => m.imageId)).size,
    perLabel: labels.flatMap((l) => {
      const count = perLabel.get(l.id);
      return count ? [{ labelId: l.id, name: l.name, count }] : [];
    }),
    problems,
    problemsTruncated: total > problems.length,
  };
  if (errors > 0)
    throw new AppError(
      "VALIDATION_ERROR",
      `${errors} error(s) in the predictions; nothing was imported. First: ${formatFirst(problems)}`,
      report,
    );
  if (q.dryRun) return report;
  if (kept.length === 0)
    throw new AppError(
      "VALIDATION_ERROR",
      "no prediction to import (the file is empty, or every one scored below minScore)",
      report,
    );

  const labelMap = new Map<string, number>();
  for (const m of kept) labelMap.set(m.modelLabel, m.labelId);
  const run = await createPredictionRun(deps, {
    projectId,
    modelName: q.modelName,
    modelVersion: q.modelVersion,
    source: decoded.format,
    labelMap: [...labelMap].map(([modelLabel, labelId]) => ({ modelLabel, labelId })),
    params: {
      format: decoded.format,
      minScore: q.minScore,
      ...(q.nmsIou === undefined ? {} : { nmsIou: q.nmsIou }),
      ...(q.split ? { split: q.split } : {}),
      ...(q.seed ? { seed: q.seed } : {}),
      ...(decoded.modelVersion ? { fileModelVersion: decoded.modelVersion } : {}),
      files:
        upload.json !== undefined
          ? ["(body)"]
          : [...new Set(decoded.predictions.map((p) => p.file))].slice(0, 100),
    },
    trainedOnVersion: q.trainedOnVersion ?? null,
    createdBy: actor,
    predictions: kept,
  });
  return { ...report, applied: true, runId: run.id };
};

const formatFirst = (problems: readonly PredictionImportProblem[]): string => {
  const p = problems.find((x) => x.severity === "error");
  return p ? `${p.file}${p.where ? ` ${p.where}` : ""}: ${p.message}` : "(none listed)";
};

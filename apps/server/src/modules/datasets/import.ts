import { randomUUID } from "node:crypto";
import {
  basename,
  type DecodedDataset,
  decodeDataset,
  detectFormat,
  type FindImage,
  type FormatId,
  formatProblem,
  nameKey,
  type Problem,
  stemOf,
} from "@labelbench/formats";
import type { ImportQuery, ImportReport, ShapeType } from "@labelbench/schema";
import type { Request } from "express";
import type { z } from "zod";
import type { Deps } from "../../deps.js";
import { AppError } from "../../http/errors.js";
import { annotationRepo, type StoredAnnotation } from "../annotations/repo.js";
import { removeImageFiles } from "../images/files.js";
import { imageRepo } from "../images/repo.js";
import { paletteColor } from "../labels/palette.js";
import { labelRepo } from "../labels/repo.js";
import { projectRepo } from "../projects/repo.js";
import { requireProject } from "../projects/router.js";
import { type ProbedImage, probeUploadedImages, receiveUpload } from "./receive.js";

type Options = z.output<typeof ImportQuery>;

interface ExistingImage {
  id: number;
  file_name: string;
  width: number;
  height: number;
  sha256: string;
}

/** Resolves what a dataset names to an uploaded image (by path) or a project image (by name). */
const imageFinder = (probed: readonly ProbedImage[], existing: readonly ExistingImage[]): FindImage => {
  const inZip = new Map(probed.map((p) => [p.path, p]));
  const byName = new Map<string, ExistingImage[]>();
  const byStem = new Map<string, ExistingImage[]>();
  for (const e of existing) {
    for (const [map, k] of [
      [byName, nameKey(e.file_name)],
      [byStem, nameKey(stemOf(e.file_name))],
    ] as const) {
      const list = map.get(k) ?? [];
      list.push(e);
      map.set(k, list);
    }
  }
  return (ref) => {
    if (ref.path) {
      const z = inZip.get(ref.path);
      if (z?.ok) return { found: true, key: `zip:${z.path}`, fileName: basename(z.path), size: z };
      if (z) return { found: false, reason: `${z.path} is not a usable image: ${z.reason}` };
    }
    const wanted = ref.fileName ?? ref.stem;
    const hits = ref.fileName ? byName.get(nameKey(ref.fileName)) : byStem.get(nameKey(ref.stem));
    const one = hits?.[0];
    if (hits?.length === 1 && one) {
      return {
        found: true,
        key: `img:${one.id}`,
        fileName: one.file_name,
        size: { width: one.width, height: one.height },
      };
    }
    if (hits && hits.length > 1)
      return {
        found: false,
        reason: `${hits.length} images in the project are named "${wanted}" (ids ${hits.map((h) => h.id).join(", ")}); include the image in the upload`,
      };
    return { found: false, reason: `no image "${wanted}" in the upload or in the project` };
  };
};

interface LabelPlan {
  /** As the dataset spells it. */
  name: string;
  /** As the project spells it (an existing label may differ in case). */
  target: string;
  labelId: number | null;
  shapeTypes: readonly ShapeType[];
  state: "existing" | "created" | "refused";
}

const report = (
  opts: Options,
  format: FormatId,
  detectedBy: string,
  decoded: DecodedDataset,
  labels: readonly LabelPlan[],
  problems: readonly Problem[],
  counts: {
    matched: number;
    created: number;
    withAnnotations: number;
    tags: number;
    perLabel: Map<string, number>;
  },
  ignored: readonly string[],
  applied: boolean,
): ImportReport => ({
  dryRun: opts.dryRun,
  applied,
  format,
  detectedBy,
  images: {
    total: decoded.images.length,
    matched: counts.matched,
    created: counts.created,
    withAnnotations: counts.withAnnotations,
  },
  annotations: {
    total: [...counts.perLabel.values()].reduce((a, b) => a + b, 0),
    perLabel: labels.map((l) => ({
      name: l.name,
      count: counts.perLabel.get(nameKey(l.name)) ?? 0,
      labelId: l.labelId,
      state: l.state,
    })),
  },
  tags: counts.tags,
  labelsCreated: labels.filter((l) => l.state === "created").map((l) => l.name),
  errors: problems.filter((p) => p.severity === "error").length,
  warnings: problems.filter((p) => p.severity === "warning").length,
  problems: problems.slice(0, 1000).map((p) => ({ ...p })),
  ignoredFiles: ignored.slice(0, 200),
});

/**
 * Imports a dataset into a project. Everything is read, matched and checked first; a dry run
 * stops there and reports. A real import with any error changes nothing (400 with the report);
 * without errors it writes labels, images and annotations in one transaction.
 */
export const importDataset = async (
  deps: Deps,
  projectId: number,
  opts: Options,
  req: Request,
  actor: string | null,
): Promise<ImportReport> => {
  const projects = projectRepo(deps.db);
  requireProject(projects, projectId);
  const upload = await receiveUpload(deps, req);
  const store = !opts.dryRun;
  let stored: string[] = [];
  try {
    const files = { texts: upload.texts, imagePaths: upload.images.map((i) => i.path) };
    let format: FormatId;
    let detectedBy: string;
    if (opts.format === "auto") {
      const d = detectFormat(files);
      if (!d.ok) throw new AppError("VALIDATION_ERROR", d.reason, [{ path: "format", message: d.reason }]);
      format = d.format;
      detectedBy = d.why;
    } else {
      format = opts.format;
      detectedBy = "given by the format parameter";
    }

    const probed = await probeUploadedImages(deps, upload.images, store);
    stored = probed.filter((p) => p.ok).map((p) => p.staged.sha256);
    const existing = deps.db
      .prepare("SELECT id, file_name, width, height, sha256 FROM images WHERE project_id = ? ORDER BY id")
      .all(projectId) as ExistingImage[];
    const decoded = decodeDataset(format, files, imageFinder(probed, existing), {
      invalidShapes: opts.invalidShapes,
    });
    // The annotation files are decoded: their text (hundreds of MB for a big COCO file) can go
    // before the writes allocate.
    upload.texts.clear();
    const problems: Problem[] = [...decoded.problems];
    const dataset = decoded.value;

    // Labels by name (case-insensitively), created or refused per the option.
    const labels = labelRepo(deps.db);
    const projectLabels = new Map(labels.list(projectId).map((l) => [nameKey(l.name), l]));
    const used = new Set<string>();
    for (const img of dataset.images) {
      for (const a of img.annotations) used.add(nameKey(a.label));
      for (const t of img.tags) used.add(nameKey(t));
    }
    const plans: LabelPlan[] = [];
    for (const name of dataset.labels) {
      const l = projectLabels.get(nameKey(name));
      if (l) plans.push({ name, target: l.name, labelId: l.id, shapeTypes: l.shapeTypes, state: "existing" });
      else if (name.trim().length === 0 || name.trim().length > 100)
        problems.push({
          severity: "error",
          file: "(labels)",
          message: `label name "${name}" must have 1 to 100 characters`,
        });
      else if (opts.unknownLabels === "create")
        plans.push({
          name,
          target: name.trim(),
          labelId: null,
          shapeTypes: ["box", "polygon"],
          state: "created",
        });
      else {
        plans.push({ name, target: name, labelId: null, shapeTypes: [], state: "refused" });
        if (used.has(nameKey(name)))
          problems.push({
            severity: "error",
            file: "(labels)",
            message: `"${name}" is not a label of this project (unknownLabels=refuse); create it or import with unknownLabels=create`,
          });
      }
    }
    const planOf = new Map(plans.map((p) => [nameKey(p.name), p]));

    // Shapes the label does not allow.
    const perLabel = new Map<string, number>();
    for (const img of dataset.images) {
      img.annotations.splice(
        0,
        img.annotations.length,
        ...img.annotations.filter((a) => {
          const plan = planOf.get(nameKey(a.label));
          if (!plan || plan.state === "refused") return false;
          if (!plan.shapeTypes.includes(a.geometry.type)) {
            const message = `label "${plan.target}" does not allow ${a.geometry.type} shapes`;
            if (opts.invalidShapes === "skip")
              problems.push({
                severity: "warning",
                file: a.file,
                where: a.where,
                message: `${message}; skipped`,
              });
            else problems.push({ severity: "error", file: a.file, where: a.where, message });
            return false;
          }
          perLabel.set(nameKey(plan.name), (perLabel.get(nameKey(plan.name)) ?? 0) + 1);
          return true;
        }),
      );
    }

    const bySha = new Set(existing.map((e) => e.sha256));
    const probedByKey = new Map(probed.map((p) => [`zip:${p.path}`, p]));
    const createdShas = new Set<string>();
    let matched = 0;
    const firstWithSha = new Map<string, string>();
    for (const img of dataset.images) {
      const z = probedByKey.get(img.key);
      if (!z) {
        matched++;
        continue;
      }
      const sha = z.staged.sha256;
      const first = firstWithSha.get(sha);
      if (first !== undefined) {
        problems.push({
          severity: "warning",
          file: z.path,
          message: `same bytes as ${first}: one image in the project, with the annotations of both`,
        });
      } else firstWithSha.set(sha, z.path);
      if (bySha.has(sha)) matched++;
      else createdShas.add(sha);
    }
    const tags = dataset.images.reduce((n, i) => n + i.tags.length, 0);
    // Counted now: the writes release each image's decoded shapes once they are stored.
    const withAnnotations = dataset.images.filter((i) => i.annotations.length > 0).length;
    const counts = { matched, created: createdShas.size, withAnnotations, tags, perLabel };
    const ignored = [...upload.ignored, ...dataset.ignored];
    const errors = problems.filter((p) => p.severity === "error");

    format = dataset.format;
    if (opts.dryRun)
      return report(opts, format, detectedBy, dataset, plans, problems, counts, ignored, false);
    if (errors.length > 0) {
      const r = report(opts, format, detectedBy, dataset, plans, problems, counts, ignored, false);
      const first = errors[0];
      throw new AppError(
        "VALIDATION_ERROR",
        `import refused, nothing was changed: ${errors.length} problem(s)${first ? `; first: ${formatProblem(first)}` : ""}`,
        r,
      );
    }

    const now = deps.now();
    const images = imageRepo(deps.db);
    const annotations = annotationRepo(deps.db);
    // `replace` drops every stored shape of an image: one statement, not a read and a delete per row.
    const clearAnnotations = deps.db.prepare("DELETE FROM annotations WHERE image_id = ?");
    const pendingTiles: string[] = [];
    deps.db.transaction(() => {
      let position = labels.count(projectId);
      for (const p of plans) {
        if (p.state !== "created") continue;
        p.labelId = labels.insert(projectId, {
          name: p.target,
          color: paletteColor(position++),
          hotkey: null,
          shapeTypes: ["box", "polygon"],
        });
      }
      const idOfSha = new Map<string, number>();
      for (const img of dataset.images) {
        let imageId: number;
        const z = probedByKey.get(img.key);
        if (z?.ok) {
          const sha = z.staged.sha256;
          const known = idOfSha.get(sha) ?? images.bySha(projectId, sha)?.id;
          if (known !== undefined) imageId = known;
          else {
            const tileState = z.width * z.height > deps.config.tileThresholdPixels ? "pending" : "none";
            imageId = images.insert(
              {
                projectId,
                sha256: sha,
                fileName: basename(z.path),
                width: z.width,
                height: z.height,
                format: z.format,
                byteSize: z.staged.byteSize,
                tileState,
              },
              now,
            );
            if (tileState === "pending") pendingTiles.push(sha);
          }
          idOfSha.set(sha, imageId);
        } else imageId = Number(img.key.slice("img:".length));

        if (img.annotations.length === 0 && img.tags.length === 0 && opts.existing === "append") continue;
        const append = opts.existing === "append";
        if (!append) clearAnnotations.run(imageId);
        const before: ReadonlyMap<string, StoredAnnotation> = append
          ? annotations.stored(imageId)
          : new Map();
        const kept = [...before.values()];
        const added: StoredAnnotation[] = img.annotations.map((a) => ({
          uid: randomUUID(),
          labelId: planOf.get(nameKey(a.label))?.labelId ?? 0,
          geometryJson: JSON.stringify(a.geometry),
          createdBy: actor,
          updatedBy: actor,
          createdAt: now,
          updatedAt: now,
        }));
        const tagIds = img.tags.map((t) => planOf.get(nameKey(t))?.labelId ?? 0);
        const keptTags = opts.existing === "append" ? annotations.tags(imageId) : [];
        annotations.replace(
          imageId,
          before,
          [...kept, ...added],
          [...new Set([...keptTags, ...tagIds])],
          now,
        );
        img.annotations.length = 0;
      }
      projects.touch(projectId, now);
    })();
    for (const sha of pendingTiles) deps.tiles.generate(sha);
    stored = stored.filter((s) => !bySha.has(s) && !createdShas.has(s));
    return report(opts, format, detectedBy, dataset, plans, problems, counts, ignored, true);
  } finally {
    await upload.cleanup();
    // Bytes stored for images that did not become rows (refused import, masks, corrupt files).
    if (store && stored.length > 0) await removeImageFiles(deps, stored);
  }
};

import fs from "node:fs";
import {
  basename,
  type DatasetFiles,
  decodeDataset,
  type FindImage,
  type FormatId,
  type LazyText,
  nameKey,
  type Problem,
  ProblemLog,
  stemOf,
  withoutExtension,
} from "@labelbench/formats";
import type { AttributeDefinition, ImportQuery, LabelScope } from "@labelbench/schema";
import type { z } from "zod";
import type { ExistingImage, ProjectSnapshot } from "./import-repo.js";
import { createdLabelScope, type ImportCounts, ImportWriter, type LabelPlan } from "./import-writer.js";
import { type LazySource, lazyText, type ProbedImage } from "./receive.js";
import { createStage, type StageWriter } from "./stage-repo.js";

/**
 * One import's decoding, as the import worker (import-worker.ts) runs it: the dataset's files are
 * decoded, checked and, for a real import without errors, written to the staging file. What it
 * knows of the project comes with the job (a snapshot the main thread read), so it opens no
 * connection to the server's database, SQLite or PostgreSQL. Everything in and out is plain data
 * (it crosses threads).
 */

type Options = z.output<typeof ImportQuery>;

export interface ImportJobData {
  readonly projectId: number;
  /** The project's labels and images when the import began. */
  readonly project: ProjectSnapshot;
  readonly opts: Options;
  readonly format: FormatId;
  readonly tileThresholdPixels: number;
  readonly texts: ReadonlyMap<string, string>;
  readonly lazy: ReadonlyMap<string, LazySource>;
  readonly imagePaths: readonly string[];
  readonly probed: readonly ProbedImage[];
  /** Where to stage the rows; null for a dry run. */
  readonly stageFile: string | null;
}

export interface ImportJobResult {
  readonly format: FormatId;
  readonly imagesTotal: number;
  readonly ignored: readonly string[];
  readonly plans: readonly LabelPlan[];
  readonly counts: Omit<ImportCounts, "createdShas"> & { readonly createdShas: readonly string[] };
  readonly errors: number;
  readonly warnings: number;
  /** The kept problems (and a line saying how many more there were). */
  readonly problems: readonly Problem[];
  readonly firstError: Problem | null;
  readonly pendingTiles: readonly string[];
  /** Images in the staging file (1..n), project labels its rows use, labels it creates. */
  readonly stagedImages: number;
  readonly usedLabelIds: readonly number[];
  readonly createdLabels: readonly {
    ref: number;
    name: string;
    scope: LabelScope;
    attributes: AttributeDefinition[];
  }[];
  /** Existing labels the import gives new attribute definitions (typed from the dataset's values). */
  readonly extendedLabels: readonly { id: number; attributes: AttributeDefinition[] }[];
}

/** Resolves what a dataset names to an uploaded image (by path) or a project image (by name). */
const imageFinder = (probed: readonly ProbedImage[], existing: readonly ExistingImage[]): FindImage => {
  const inZip = new Map(probed.map((p) => [p.path, p]));
  const byName = new Map<string, ExistingImage[]>();
  const byStem = new Map<string, ExistingImage[]>();
  /** Names in folders without their extension (`cam_a/0001`), for a YOLO label file's folder stem. */
  const byFolderStem = new Map<string, ExistingImage[]>();
  for (const e of existing) {
    for (const [map, k] of [
      [byName, nameKey(e.file_name)],
      [byStem, nameKey(stemOf(e.file_name))],
      ...(e.file_name.includes("/") ? [[byFolderStem, nameKey(withoutExtension(e.file_name))] as const] : []),
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
    // A project image's file name holds its folders (`cam_a/0001.jpg`), which is what an export
    // of it writes: that full name first, so images of the same name in two folders stay apart.
    const inFolder = ref.folderName
      ? byName.get(nameKey(ref.folderName))
      : ref.folderStem
        ? byFolderStem.get(nameKey(ref.folderStem))
        : undefined;
    const wanted = inFolder ? (ref.folderName ?? ref.folderStem) : (ref.fileName ?? ref.stem);
    const hits =
      inFolder ?? (ref.fileName ? byName.get(nameKey(ref.fileName)) : byStem.get(nameKey(ref.stem)));
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

/**
 * Decodes the job. The rows go to `stage` when given (the worker's remote stage, which the main
 * thread writes: stage-repo.ts), else to the staging file directly.
 */
export const runImportJob = (job: ImportJobData, stageWriter?: StageWriter): ImportJobResult => {
  const fds = new Map<string, number>();
  const stage = job.stageFile ? (stageWriter ?? createStage(job.stageFile)) : null;
  let kept = false;
  try {
    const lazy = new Map<string, LazyText>();
    for (const [p, source] of job.lazy) lazy.set(p, lazyText(source, fds));
    const files: DatasetFiles = { texts: new Map(job.texts), lazy, imagePaths: [...job.imagePaths] };
    const existing = job.project.images;
    const log = new ProblemLog();
    const writer = new ImportWriter(
      { project: job.project, projectId: job.projectId, tileThresholdPixels: job.tileThresholdPixels },
      job.opts,
      log,
      new Map(job.probed.map((p) => [`zip:${p.path}`, p])),
      new Set(existing.map((e) => e.sha256)),
      stage,
    );
    const decoded = decodeDataset(job.format, files, imageFinder(job.probed, existing), {
      invalidShapes: job.opts.invalidShapes,
      sink: writer,
      log,
    });
    const dataset = decoded.value;
    const { plans, counts } = writer.finish(dataset);
    kept = stage !== null && log.errors === 0;
    return {
      format: dataset.format,
      imagesTotal: dataset.images.length,
      ignored: dataset.ignored,
      plans: plans.map((p) => ({ ...p })),
      counts: { ...counts, createdShas: [...counts.createdShas] },
      errors: log.errors,
      warnings: log.warnings,
      problems: log.list().map((p) => ({ ...p })),
      firstError: log.items.find((p) => p.severity === "error") ?? null,
      pendingTiles: writer.pendingTiles,
      stagedImages: writer.stagedImages,
      usedLabelIds: writer.usedLabelIds,
      createdLabels: writer.createdLabels.map((p) => ({
        ref: p.labelId as number,
        name: p.target,
        scope: createdLabelScope(p, { shapes: counts.annotations > 0, tags: counts.tags > 0 }),
        attributes: p.attributes.defs,
      })),
      extendedLabels: writer.extendedLabels,
    };
  } finally {
    stage?.close(kept);
    for (const fd of fds.values()) fs.closeSync(fd);
  }
};

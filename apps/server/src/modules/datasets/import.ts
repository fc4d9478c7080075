import {
  basename,
  type DatasetFiles,
  type DecodedDataset,
  decodeDataset,
  detectFormat,
  type FindImage,
  type FormatId,
  formatProblem,
  nameKey,
  ProblemLog,
  stemOf,
} from "@labelbench/formats";
import type { ImportQuery, ImportReport } from "@labelbench/schema";
import type { Request } from "express";
import type { z } from "zod";
import type { Deps } from "../../deps.js";
import { AppError } from "../../http/errors.js";
import { releaseStaged } from "../images/ingest.js";
import { projectRepo } from "../projects/repo.js";
import { requireProject } from "../projects/router.js";
import { BACKGROUND_CHECKPOINT_ROWS, checkpointInBackground } from "./background-checkpoint.js";
import { type ImportCounts, ImportWriter, type LabelPlan } from "./import-writer.js";
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

const report = (
  opts: Options,
  format: FormatId,
  detectedBy: string,
  dataset: DecodedDataset,
  labels: readonly LabelPlan[],
  log: ProblemLog,
  counts: ImportCounts,
  ignored: readonly string[],
  applied: boolean,
): ImportReport => ({
  dryRun: opts.dryRun,
  applied,
  format,
  detectedBy,
  images: {
    total: dataset.images.length,
    matched: counts.matched,
    created: counts.created,
    withAnnotations: counts.withAnnotations,
  },
  annotations: {
    total: counts.annotations,
    perLabel: labels.map((l) => ({
      name: l.name,
      count: l.count,
      // A label created by an import that was then rolled back does not exist.
      labelId: l.state === "created" && !applied ? null : l.labelId,
      state: l.state,
    })),
  },
  tags: counts.tags,
  labelsCreated: labels.filter((l) => l.state === "created").map((l) => l.name),
  errors: log.errors,
  warnings: log.warnings,
  problems: log
    .list()
    .slice(0, 1000)
    .map((p) => ({ ...p })),
  ignoredFiles: ignored.slice(0, 200),
});

/** SQLite page cache (KiB) while an import writes; the connection's own size is restored after. */
const IMPORT_CACHE_KIB = 64 * 1024;

/** Thrown inside the write transaction to roll it back when the import met an error. */
class Refused extends Error {}

/**
 * Imports a dataset into a project. The upload is staged on disk; then the annotation files are
 * decoded one piece at a time and every checked annotation goes straight into the database,
 * inside one write transaction: the first error stops the writes, decoding goes on to report
 * every problem, and the transaction is rolled back, so a refused import changes nothing (400
 * with the report). A dry run runs the same decoding and checks and writes nothing.
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
  // Stored bytes are claimed until the rows are committed (images/stored-files.ts).
  let claimed: string[] = [];
  try {
    const files: DatasetFiles = {
      texts: upload.texts,
      lazy: upload.lazy,
      imagePaths: upload.images.map((i) => i.path),
    };
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

    if (store) claimed = upload.images.map((i) => i.staged.tempPath);
    const probed = await probeUploadedImages(deps, upload.images, store);
    stored = probed.filter((p) => p.ok).map((p) => p.staged.sha256);
    const existing = deps.db
      .prepare("SELECT id, file_name, width, height, sha256 FROM images WHERE project_id = ? ORDER BY id")
      .all(projectId) as ExistingImage[];
    const existingShas = new Set(existing.map((e) => e.sha256));
    const log = new ProblemLog();
    const writer = new ImportWriter(
      deps,
      projectId,
      opts,
      actor,
      log,
      new Map(probed.map((p) => [`zip:${p.path}`, p])),
      existingShas,
    );
    const find = imageFinder(probed, existing);
    // Synchronous from here to the end of the transaction: annotation files are read with
    // blocking reads, so no other request's statements can interleave with the import's writes.
    const run = () => {
      const decoded = decodeDataset(format, files, find, {
        invalidShapes: opts.invalidShapes,
        sink: writer,
        log,
      });
      return { dataset: decoded.value, ...writer.finish(decoded.value) };
    };
    let result: ReturnType<typeof run> | undefined;
    if (opts.dryRun) result = run();
    else {
      // A bigger page cache for the import's one transaction: the pages of the annotation table
      // and its indexes stay in memory instead of spilling to the WAL again and again.
      const cacheSize = deps.db.pragma("cache_size", { simple: true }) as number;
      deps.db.pragma(`cache_size = -${IMPORT_CACHE_KIB}`);
      // Every id the import writes is one it has just read or inserted in this transaction, and
      // nothing else runs on the connection until it ends (the import is synchronous from here):
      // SQLite's per-row parent lookups (image, label) would only repeat that, at ~20% of the
      // write cost. The pragma cannot change inside a transaction, so it is set around it.
      const foreignKeys = deps.db.pragma("foreign_keys", { simple: true }) as number;
      deps.db.pragma("foreign_keys = OFF");
      // The commit of a million rows leaves ~150 MB in the WAL; SQLite's automatic checkpoint would
      // copy it into the database file right there, on the main thread (~2.5 s). A worker does it
      // instead, after the commit (checkpointInBackground).
      const autoCheckpoint = deps.db.pragma("wal_autocheckpoint", { simple: true }) as number;
      deps.db.pragma("wal_autocheckpoint = 0");
      try {
        deps.db.transaction(() => {
          result = run();
          if (log.errors > 0) throw new Refused();
        })();
      } catch (err) {
        if (!(err instanceof Refused)) throw err;
      } finally {
        deps.db.pragma(`foreign_keys = ${foreignKeys ? "ON" : "OFF"}`);
        deps.db.pragma(`cache_size = ${cacheSize}`);
        deps.db.pragma(`wal_autocheckpoint = ${autoCheckpoint}`);
      }
      if (log.errors === 0 && (result?.counts.annotations ?? 0) >= BACKGROUND_CHECKPOINT_ROWS)
        checkpointInBackground(deps);
    }
    if (!result) throw new Error("the import produced no result");
    const { dataset, plans, counts } = result;
    const ignored = [...upload.ignored, ...dataset.ignored];
    format = dataset.format;
    const applied = !opts.dryRun && log.errors === 0;
    const r = report(opts, format, detectedBy, dataset, plans, log, counts, ignored, applied);
    if (log.errors > 0 && !opts.dryRun) {
      const first = log.items.find((p) => p.severity === "error");
      throw new AppError(
        "VALIDATION_ERROR",
        `import refused, nothing was changed: ${log.errors} problem(s)${first ? `; first: ${formatProblem(first)}` : ""}`,
        r,
      );
    }
    if (applied) {
      for (const sha of writer.pendingTiles) deps.tiles.generate(sha);
      stored = stored.filter((s) => !existingShas.has(s) && !counts.createdShas.has(s));
    }
    return r;
  } finally {
    await upload.cleanup();
    // Bytes stored for images that did not become rows (refused import, masks, corrupt files).
    if (store) await releaseStaged(deps, claimed, stored);
  }
};

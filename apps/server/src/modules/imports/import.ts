import path from "node:path";
import type { Worker } from "node:worker_threads";
import { type DatasetFiles, detectFormat, type FormatId, formatProblem } from "@labelbench/formats";
import type { ImportQuery, ImportReport } from "@labelbench/schema";
import type { Request } from "express";
import type { z } from "zod";
import type { Deps } from "../../deps.js";
import { AppError } from "../../http/errors.js";
import { startWorker } from "../../workers/worker-entry.js";
import { releaseStaged } from "../images/ingest.js";
import { projectRepo } from "../projects/repo.js";
import { requireProject } from "../projects/require-project.js";
import { BACKGROUND_CHECKPOINT_ROWS, checkpointInBackground } from "./background-checkpoint.js";
import type { ImportJobData, ImportJobResult } from "./import-job.js";
import { commitImport, publishImport } from "./import-publish.js";
import { projectSnapshot } from "./import-repo.js";
import type { FromImportWorker, ImportWorkerData } from "./import-worker.js";
import { probeUploadedImages, receiveUpload } from "./receive.js";
import { stageWriter } from "./stage-repo.js";

type Options = z.output<typeof ImportQuery>;

const report = (
  opts: Options,
  detectedBy: string,
  r: ImportJobResult,
  ignored: readonly string[],
  applied: boolean,
  labelIds: ReadonlyMap<number, number>,
): ImportReport => ({
  dryRun: opts.dryRun,
  applied,
  format: r.format,
  detectedBy,
  images: {
    total: r.imagesTotal,
    matched: r.counts.matched,
    created: r.counts.created,
    withAnnotations: r.counts.withAnnotations,
  },
  annotations: {
    total: r.counts.annotations,
    perLabel: r.plans.map((l) => ({
      name: l.name,
      count: l.count,
      // A label the import would create exists only once the import is applied.
      labelId: l.state === "created" ? (applied ? (labelIds.get(l.labelId ?? 0) ?? null) : null) : l.labelId,
      state: l.state,
    })),
  },
  tags: r.counts.tags,
  labelsCreated: r.plans.filter((l) => l.state === "created").map((l) => l.name),
  errors: r.errors,
  warnings: r.warnings,
  problems: r.problems.slice(0, 1000).map((p) => ({ ...p })),
  ignoredFiles: ignored.slice(0, 200),
});

/** Import workers waiting for their next job (kept: starting one costs ~0.1 s, seconds under tsx). */
const idleWorkers: Worker[] = [];
const MAX_IDLE_WORKERS = 2;
/**
 * Twice V8's default young generation (3 x a 32 MB semi-space): the decoder makes a few short-lived
 * objects per annotation, and at the default 48 MB the 1M-annotation import spent 1.6 s more CPU
 * (fewer of them died before a scavenge), its decoding 0.8 s more wall time, for the same peak
 * RSS (docs/benchmarks.md, "The 1M COCO import, fifth pass").
 */
const IMPORT_WORKER_YOUNG_MB = 96;

const newWorker = (): Worker => {
  // Set here, not by the process's --max-semi-space-size=4 (package.json), which would give it 12 MB.
  const w = startWorker(
    "import-worker",
    { resourceLimits: { maxYoungGenerationSizeMb: IMPORT_WORKER_YOUNG_MB } },
    import.meta.url,
  );
  w.on("exit", () => {
    const i = idleWorkers.indexOf(w);
    if (i >= 0) idleWorkers.splice(i, 1);
  });
  return w;
};

/** Runs the decoding in a worker thread. */
const runJob = (job: ImportJobData): Promise<ImportJobResult> => {
  const data: ImportWorkerData = job;
  const worker = idleWorkers.pop() ?? newWorker();
  // The worker's staging writes, made here (stage-repo.ts, remoteStage).
  const stage = job.stageFile ? stageWriter(job.stageFile) : null;
  return new Promise<ImportJobResult>((resolve, reject) => {
    const done = (settle: () => void, reuse: boolean) => {
      worker.off("message", onMessage);
      worker.off("error", onError);
      worker.off("exit", onExit);
      if (reuse && idleWorkers.length < MAX_IDLE_WORKERS) {
        worker.unref();
        idleWorkers.push(worker);
      } else void worker.terminate();
      const failed = stage?.finish() ?? null;
      if (failed !== null) reject(failed);
      else settle();
    };
    const onMessage = (m: FromImportWorker) => {
      if (m.type === "stage") stage?.apply(m.op);
      else if (m.type === "done") done(() => resolve(m.result), true);
      else if (m.appError) {
        const e = m.appError;
        done(() => reject(new AppError(e.code, m.message, e.details)), true);
      } else done(() => reject(Object.assign(new Error(m.message), m.stack ? { stack: m.stack } : {})), true);
    };
    const onError = (err: Error) => done(() => reject(err), false);
    const onExit = (code: number) =>
      done(() => reject(new Error(`the import worker stopped (exit code ${code}) without an answer`)), false);
    worker.on("message", onMessage);
    worker.on("error", onError);
    worker.on("exit", onExit);
    worker.ref();
    worker.postMessage(data);
  });
};

/**
 * Imports a dataset into a project, in three steps, none of which holds the database's write lock
 * for longer than a few tens of ms:
 * 1. the upload is staged on disk and its images probed and stored (as an upload does);
 * 2. a worker thread decodes the annotation files one piece at a time and hands every checked
 *    annotation over for the import's staging file, which this thread writes in batches
 *    (stage-repo.ts, remoteStage), never to the project; the first
 *    error stops the writes, decoding goes on to report every problem, and a refused import (400
 *    with the report) or a dry run leaves nothing behind;
 * 3. an import without errors is committed (its labels created) and published into the project
 *    in short transactions (import-publish.ts).
 */
export const importDataset = async (
  deps: Deps,
  projectId: number,
  opts: Options,
  req: Request,
  actor: string | null,
): Promise<ImportReport> => {
  const projects = projectRepo(deps.sql);
  await requireProject(projects, projectId);
  const tReceive = performance.now();
  const upload = await receiveUpload(deps, req);
  const receiveMs = Math.round(performance.now() - tReceive);
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
    const now = deps.now();
    const stageFile = store ? path.join(upload.dir, "stage.sqlite") : null;
    const t0 = performance.now();
    const result = await runJob({
      projectId,
      project: await projectSnapshot(deps.sql, projectId),
      opts,
      format,
      tileThresholdPixels: deps.config.tileThresholdPixels,
      texts: upload.texts,
      lazy: upload.lazySources,
      imagePaths: files.imagePaths,
      probed,
      stageFile,
    });
    const ignored = [...upload.ignored, ...result.ignored];
    const applied = store && result.errors === 0;
    if (!applied) {
      const r = report(opts, detectedBy, result, ignored, false, new Map());
      if (result.errors > 0 && store) {
        const first = result.firstError;
        throw new AppError(
          "VALIDATION_ERROR",
          `import refused, nothing was changed: ${result.errors} problem(s)${first ? `; first: ${formatProblem(first)}` : ""}`,
          r,
        );
      }
      return r;
    }
    const { importId, labelIds } = await commitImport(deps, {
      projectId,
      stageFile: stageFile as string,
      existing: opts.existing,
      actor,
      now,
      images: result.stagedImages,
      usedLabelIds: result.usedLabelIds,
      createdLabels: result.createdLabels,
      extendedLabels: result.extendedLabels,
    });
    const t1 = performance.now();
    await publishImport(deps, importId);
    deps.log.info(
      {
        importId,
        annotations: result.counts.annotations,
        receiveMs,
        probeMs: Math.round(t0 - tReceive) - receiveMs,
        decodeMs: Math.round(t1 - t0),
        publishMs: Math.round(performance.now() - t1),
      },
      "import published",
    );
    // PostgreSQL has no WAL of ours to copy back: its checkpointer does that.
    if (deps.dialect === "sqlite" && result.counts.annotations >= BACKGROUND_CHECKPOINT_ROWS)
      checkpointInBackground(deps);
    for (const sha of result.pendingTiles) deps.tiles.generate(sha);
    return report(opts, detectedBy, result, ignored, true, labelIds);
  } finally {
    await upload.cleanup();
    // Bytes stored for images that did not become rows (refused import, masks, corrupt files).
    if (store) await releaseStaged(deps, claimed, stored);
  }
};

import { createHash, type Hash, hash } from "node:crypto";
import { type ExportSource, encodeDataset, type Hasher, planExport } from "@labelbench/formats";
import type { ExportQuery } from "@labelbench/schema";
import type { Response } from "express";
import type { z } from "zod";
import type { Deps } from "../../deps.js";
import { AppError } from "../../http/errors.js";
import { originalKey } from "../images/files.js";
import { projectRepo } from "../projects/repo.js";
import { requireProject } from "../projects/router.js";
import { exportRepo, openSnapshot, type PlanRow } from "./repo.js";
import { utf8Batches, ZipWriter } from "./zip-writer.js";

type Options = z.output<typeof ExportQuery>;

/**
 * SHA-256 for the manifest. Most files (100,000 YOLO label files) are hashed in one `update`: those
 * take the one-shot `crypto.hash`, which builds no Hash object; a streamed file switches to an
 * incremental hash at its second piece.
 */
const nodeHasher = (): Hasher => {
  let first: string | null = null;
  let h: Hash | null = null;
  let bytes = 0;
  return {
    update(text) {
      bytes += Buffer.byteLength(text, "utf8");
      if (h) h.update(text, "utf8");
      else if (first === null) first = text;
      else {
        h = createHash("sha256").update(first, "utf8").update(text, "utf8");
        first = null;
      }
    },
    digest: () => ({ sha256: h ? h.digest("hex") : hash("sha256", first ?? "", "hex"), bytes }),
  };
};

const ZIP_HEADERS = [
  "Content-Type",
  "Content-Disposition",
  "Cache-Control",
  "X-Labelbench-Estimated-Bytes",
  "X-Labelbench-Images",
];

/** `attachment; filename="x"; filename*=UTF-8''x` so any project name survives every browser. */
const contentDisposition = (name: string): string => {
  const ascii = name.replace(/[^A-Za-z0-9._-]+/g, "_").replace(/^_+|_+$/g, "") || "dataset";
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
};

/**
 * The plan from the image rows, plus what the headers need. The rows (with sizes and counts) stay
 * local: only the lean plan lives on through the export.
 */
const planFor = async (deps: Deps, rows: PlanRow[], opts: Options) => {
  if (opts.images === "include") {
    // Found now, a missing file is a clean 500; found halfway, it could only cut the download.
    for (const r of rows) {
      if ((await deps.storage.stat(originalKey(r.sha256))) === null) {
        throw new AppError("INTERNAL", `the file of image ${r.id} ("${r.fileName}") is missing from storage`);
      }
    }
  }
  const annotations = rows.reduce((n, r) => n + r.annotationCount, 0);
  const bytes = opts.images === "include" ? rows.reduce((n, r) => n + r.byteSize, 0) : 0;
  return {
    plan: planExport(rows, opts.split, opts.seed),
    estimate: bytes + rows.length * 200 + annotations * 40 + 4096,
    imageCount: rows.length,
  };
};

/**
 * Streams a project as a zip: the plan (image metadata, splits, names) is read first from a
 * snapshot, then annotations flow from a database cursor through the pure encoders into the zip
 * and out to the client with backpressure. Memory holds the plan and one image's shapes, never
 * the dataset.
 */
export const exportDataset = async (
  deps: Deps,
  projectId: number,
  opts: Options,
  res: Response,
): Promise<void> => {
  const project = requireProject(projectRepo(deps.db), projectId);
  const snapshot = openSnapshot(deps.db);
  try {
    const repo = exportRepo(snapshot.db, projectId, opts.status);
    const labels = repo.labels();
    const labelIndex = new Map(labels.map((l, i) => [l.id, i]));
    const includeImages = opts.images === "include";
    const { plan, estimate, imageCount } = await planFor(deps, repo.images(labelIndex), opts);
    const source: ExportSource = {
      labels: labels.map((l) => ({ name: l.name })),
      plan,
      items: (split) => repo.items(plan, labelIndex, split),
    };

    res.status(200);
    res.setHeader("Content-Type", "application/zip");
    res.setHeader("Content-Disposition", contentDisposition(`${project.name}-${opts.format}.zip`));
    res.setHeader("Cache-Control", "no-store");
    res.setHeader("X-Labelbench-Estimated-Bytes", String(estimate));
    res.setHeader("X-Labelbench-Images", String(imageCount));

    const zip = new ZipWriter(res);
    res.on("close", () => {
      if (!res.writableFinished) zip.abort();
    });
    try {
      const entries = encodeDataset(source, {
        format: opts.format,
        includeImages,
        statuses: opts.status,
        split: opts.split,
        seed: opts.seed,
        hasher: nodeHasher,
      });
      for (const entry of entries) {
        if (entry.kind === "text") await zip.addBuffer(entry.path, Buffer.from(entry.text, "utf8"));
        else if (entry.kind === "stream") await zip.addStream(entry.path, utf8Batches(entry.chunks));
        else await zip.addStored(entry.path, deps.storage.stream(originalKey(entry.image.sha256)));
      }
      await zip.finish();
    } catch (err) {
      zip.abort();
      if (!res.headersSent && !res.destroyed) {
        // Nothing has left yet (output goes out in 256 KiB writes): an ordinary error reply.
        for (const h of ZIP_HEADERS) res.removeHeader(h);
        throw err;
      }
      // Headers are out: the only honest signal left is a cut connection (the zip is incomplete).
      if (!res.writableFinished && !res.destroyed)
        deps.log.error({ err, projectId }, "export failed while streaming; connection cut");
      res.destroy(err instanceof Error ? err : new Error(String(err)));
    }
  } finally {
    snapshot.close();
  }
};

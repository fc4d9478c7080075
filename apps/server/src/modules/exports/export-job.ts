import { createHash, type Hash, hash } from "node:crypto";
import {
  type Conversion,
  type ExportSource,
  encodeDataset,
  type Hasher,
  type LeftOutImage,
  planExport,
} from "@labelbench/formats";
import type { AttributeDefinition, ExportQuery } from "@labelbench/schema";
import type { z } from "zod";
import { type ZipSink, ZipWriter } from "../../zip/zip-writer.js";
import type { ExportReader, ExportScope, PlanRow } from "./repo.js";

/**
 * The export's own work, free of HTTP and of the app's dependencies so it can run in the export
 * worker (export-worker.ts) over its own snapshot (`ExportReader`, either dialect): plan, encode, zip. What needs the
 * main thread (headers, the storage of image files, the response) goes through `ExportIo`.
 */

export type ExportOptions = z.output<typeof ExportQuery>;

export interface ExportJob {
  projectId: number;
  options: ExportOptions;
  /** A dataset version's frozen rows instead of the live project (absent: live). */
  scope?: ExportScope;
  /** The version's number and creation time, for its manifest. */
  version?: { number: number; createdAt: string };
}

/** An image whose file goes into the zip, for the main thread to check before anything is sent. */
export interface IncludedFile {
  id: number;
  fileName: string;
  sha256: string;
}

export interface ExportPlanInfo {
  /** Rough zip size for `X-Labelbench-Estimated-Bytes`. */
  estimate: number;
  imageCount: number;
  /** The image files the zip will copy (`images=include`), else null. */
  files: IncludedFile[] | null;
}

/** What the main thread found when it checked the image files. */
export interface FilesChecked {
  /** Ids of the images whose file is missing from storage: left out of the export, and reported. */
  missing: number[];
}

/** An image file to write into the zip: copied as stored, or converted (VOC: JPEG; YOLO: GIF to PNG). */
export interface ImageCopy {
  sha256: string;
  format: string;
  conversion: Conversion;
}

export interface ExportIo {
  /** The images are known: the caller checks their files and sets headers; a throw ends the export. */
  planned(info: ExportPlanInfo): Promise<FilesChecked>;
  /** Where the zip's bytes go, with backpressure. */
  sink: ZipSink;
  /** Writes an image file's bytes to the output (after every byte sunk so far); returns CRC and size. */
  copyImage(image: ImageCopy): Promise<{ crc: number; size: number }>;
}

/**
 * SHA-256 for the manifest. Most files (100,000 YOLO label files) are hashed in one `update`: those
 * take the one-shot `crypto.hash`, which builds no Hash object; a streamed file switches to an
 * incremental hash at its second piece.
 */
const nodeHasher = (): Hasher => {
  let first: string | Uint8Array | null = null;
  let h: Hash | null = null;
  let bytes = 0;
  return {
    update(data) {
      bytes += typeof data === "string" ? Buffer.byteLength(data, "utf8") : data.length;
      if (h) h.update(data);
      else if (first === null) first = data;
      else {
        h = createHash("sha256").update(first).update(data);
        first = null;
      }
    },
    digest: () => ({ sha256: h ? h.digest("hex") : hash("sha256", first ?? "", "hex"), bytes }),
  };
};

/** Byte chunks as Buffers over the same memory (no copy). */
function* bufferViews(chunks: Iterable<Uint8Array>): Generator<Buffer> {
  for (const c of chunks) yield Buffer.from(c.buffer, c.byteOffset, c.byteLength);
}

/** What the headers need, and the files the main thread must check, from the image rows. */
const infoFor = (rows: PlanRow[], opts: ExportOptions): ExportPlanInfo => {
  const include = opts.images === "include";
  const annotations = rows.reduce((n, r) => n + (r.annotationCount ?? 0), 0);
  const bytes = include ? rows.reduce((n, r) => n + r.byteSize, 0) : 0;
  return {
    estimate: bytes + rows.length * 200 + annotations * 40 + 4096,
    imageCount: rows.length,
    files: include ? rows.map((r) => ({ id: r.id, fileName: r.fileName, sha256: r.sha256 })) : null,
  };
};

/**
 * Leaves out the images whose file is missing: a project with one lost file still exports, and
 * the report names each image left out (its shapes go with it: a dataset must not point at a file
 * it does not hold).
 */
const withoutMissing = (rows: PlanRow[], missing: readonly number[]) => {
  if (missing.length === 0) return { rows, leftOut: [] as LeftOutImage[] };
  const gone = new Set(missing);
  return {
    rows: rows.filter((r) => !gone.has(r.id)),
    leftOut: rows
      .filter((r) => gone.has(r.id))
      .map((r) => ({
        name: r.path ?? r.fileName,
        detail: `image ${r.id}: its file (sha256 ${r.sha256}) is missing from storage; ${r.annotationCount ?? 0} shape(s) not exported`,
      })),
  };
};

/**
 * The plan of the images whose files the main thread found. A function of its own so the image
 * rows (richer than the plan: ~15 MB at 100k images) are garbage once it returns, not held by the
 * export's frame while it streams.
 */
const checkedPlan = async (all: PlanRow[], opts: ExportOptions, io: ExportIo) => {
  const { missing } = await io.planned(infoFor(all, opts));
  const { rows, leftOut } = withoutMissing(all, missing);
  return { plan: planExport(rows, opts.split, opts.seed, opts.format), leftOut };
};

/**
 * Streams a project as a zip from `repo` (one snapshot): the plan (image metadata, splits, names) first, then
 * annotations flow from the database through the pure encoders into the zip and out to `io.sink`.
 * Memory holds the plan and one chunk of images' shapes, never the dataset.
 */
export const runExport = async (repo: ExportReader, job: ExportJob, io: ExportIo): Promise<void> => {
  const opts = job.options;
  const labels = repo.labels();
  const labelIndex = new Map(labels.map((l, i) => [l.id, i]));
  const { plan, leftOut } = await checkedPlan(repo.images(labelIndex), opts, io);
  const source: ExportSource = {
    labels: labels.map((l) => ({
      name: l.name,
      attributes: JSON.parse(l.attributes) as AttributeDefinition[],
      scope: l.scope === "shapes" || l.scope === "tags" ? l.scope : "both",
    })),
    plan,
    leftOut,
    items: (split) => repo.items(plan, labelIndex, split),
  };
  // The image rows the plan was made from (~25 MB at 100k images) are garbage now. Left to V8, they
  // were collected only after the first images and shapes had piled their own garbage on top: the
  // export's highest peak (run by run, 246-261 MB of a 100k-image COCO export's). A full collection
  // here costs ~50 ms (the process runs with --expose-gc, as `npm start` does).
  (globalThis as { gc?: () => void }).gc?.();
  const zip = new ZipWriter(io.sink);
  const entries = encodeDataset(source, {
    format: opts.format,
    includeImages: opts.images === "include",
    statuses: opts.status,
    review: opts.review,
    split: opts.split,
    seed: opts.seed,
    ...(job.version ? { version: job.version } : {}),
    hasher: nodeHasher,
  });
  for (const entry of entries) {
    if (entry.kind === "text") await zip.addBuffer(entry.path, Buffer.from(entry.text, "utf8"));
    else if (entry.kind === "stream") await zip.addStream(entry.path, bufferViews(entry.chunks));
    else {
      const { sha256, format, conversion } = entry.image;
      await zip.addExternal(entry.path, () => io.copyImage({ sha256, format, conversion }));
    }
  }
  await zip.finish();
};

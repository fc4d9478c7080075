import { randomUUID } from "node:crypto";
import { once } from "node:events";
import fs from "node:fs";
import path from "node:path";
import { type Readable, Transform } from "node:stream";
import { finished, pipeline } from "node:stream/promises";
import { basename, isDatasetTextPath, isImagePath, type LazyText, normalizePath } from "@labelbench/formats";
import type { ImageFormat } from "@labelbench/schema";
import busboy from "busboy";
import type { Request } from "express";
import type { Deps } from "../../deps.js";
import { AppError } from "../../http/errors.js";
import {
  extractEntry,
  fileTextChunks,
  readEntrySync,
  readZip,
  unreadableEntry,
  utf8Text,
  ZipEntryError,
  type ZipEntryLocation,
  type ZipItem,
} from "../../zip/zip-reader.js";
import { probeStaged, type StagedFile } from "../images/ingest.js";
import { concurrency } from "../images/limit.js";
import { probeImage } from "../images/probe.js";
import { stageStream } from "../images/upload.js";

/** Limits of one import request. */
const MAX_UPLOAD_BYTES = 16 * 1024 ** 3;
const MAX_TEXT_FILE_BYTES = 256 * 1024 * 1024;
const MAX_TEXT_TOTAL_BYTES = 1024 * 1024 * 1024;
/** Annotation files above this are kept on disk and read in pieces (a big COCO JSON); smaller ones are read whole when decoded. */
const SPILL_BYTES = 8 * 1024 * 1024;
/**
 * Zip bombs: what the zips of one import may expand to, checked from the central directory
 * before any entry is extracted (an entry that then inflates past its declared size is refused
 * as it reads). Real datasets stay far below: images do not compress, a COCO file ~5-10x.
 */
export const ZIP_LIMITS = {
  /** All entries of all the request's zips together (the upload's own cap). */
  totalBytes: 16 * 1024 ** 3,
  /** An entry, and a whole zip, may expand at most this many times their compressed size... */
  ratio: 100,
  /** ...except an entry that expands to at most this, and a zip that expands to at most this in all. */
  entryFreeBytes: 1024 * 1024,
  zipFreeBytes: 64 * 1024 * 1024,
};

/** Where the temp files of imports live: one folder per request under the store's temp folder. */
const IMPORTS_TEMP = "imports";

const ZIP_TYPES = new Set(["application/zip", "application/x-zip-compressed", "application/octet-stream"]);

export interface UploadedImage {
  /** Path inside the dataset. */
  readonly path: string;
  readonly staged: StagedFile;
}

export type ProbedImage =
  | {
      ok: true;
      path: string;
      staged: StagedFile;
      format: ImageFormat;
      width: number;
      height: number;
      channels: number;
    }
  | { ok: false; path: string; staged: StagedFile; reason: string };

/**
 * Where an annotation file left on disk is, so that the import worker can read it too (functions
 * cannot cross threads, paths can): a whole file, or one entry of an uploaded zip.
 */
export type LazySource =
  | { readonly kind: "file"; readonly file: string }
  | { readonly kind: "zip"; readonly zip: string; readonly entry: ZipEntryLocation };

/** The reader of a lazy source; zip files are opened once per `fds` (closed by the caller). */
export const lazyText = (source: LazySource, fds: Map<string, number>): LazyText => {
  if (source.kind === "file") return fileText(source.file);
  let fd = fds.get(source.zip);
  if (fd === undefined) {
    fd = fs.openSync(source.zip, "r");
    fds.set(source.zip, fd);
  }
  return zipEntryText(fd, source.entry);
};

/** A text file on disk (a spilled upload or an extracted zip entry), read when the decoder asks. */
const fileText = (file: string): LazyText => ({
  text: () => [...fileTextChunks(file)].join(""),
  chunks: () => fileTextChunks(file),
});

/** The 4xx of an entry the zip itself makes unreadable: 415 for a method we lack, 400 for bytes that lie. */
export const zipEntryProblem = (err: ZipEntryError): AppError =>
  err.kind === "unsupported"
    ? new AppError(
        "UNSUPPORTED_MEDIA_TYPE",
        `${err.message}: only stored and deflated zip entries can be read`,
        [{ path: err.path, message: err.reason }],
      )
    : new AppError("VALIDATION_ERROR", `not a readable zip: ${err.message}`, [
        { path: err.path, message: err.reason },
      ]);

/** Runs `fn`, answering a ZipEntryError as the client's 4xx; other errors pass unchanged. */
const readingZip = async <T>(fn: () => Promise<T>): Promise<T> => {
  try {
    return await fn();
  } catch (err) {
    throw err instanceof ZipEntryError ? zipEntryProblem(err) : err;
  }
};

/** A small zip entry, inflated from the zip when the decoder asks (one at a time). */
const zipEntryText = (fd: number, entry: ZipEntryLocation): LazyText => {
  const text = () => {
    try {
      return utf8Text(readEntrySync(fd, entry));
    } catch (err) {
      if (err instanceof ZipEntryError) throw zipEntryProblem(err);
      throw err;
    }
  };
  return { text, chunks: () => [text()] };
};

/**
 * Refuses a zip bomb from the central directory, before anything is extracted (413): an entry or
 * the whole zip expanding more than ZIP_LIMITS.ratio times, or the request's zips more than
 * ZIP_LIMITS.totalBytes. The declared sizes can be trusted because an entry that inflates past
 * its own is refused while it is read.
 */
const checkExpansion = (upload: DatasetUpload, items: readonly ZipItem[], zipBytes: number) => {
  const { ratio, entryFreeBytes, zipFreeBytes, totalBytes } = ZIP_LIMITS;
  const times = (size: number, from: number) => Math.round(size / Math.max(from, 1));
  let sum = 0;
  for (const item of items) {
    if (item.size > entryFreeBytes && item.size > ratio * item.compressedSize)
      throw new AppError(
        "PAYLOAD_TOO_LARGE",
        `${item.path} would expand to ${item.size} bytes from ${item.compressedSize} (${times(item.size, item.compressedSize)}x): a zip entry may expand at most ${ratio}x`,
        [{ path: item.path, message: `expands ${times(item.size, item.compressedSize)}x` }],
      );
    sum += item.size;
  }
  upload.expandedBytes += sum;
  if ((sum > zipFreeBytes && sum > ratio * zipBytes) || upload.expandedBytes > totalBytes)
    throw new AppError(
      "PAYLOAD_TOO_LARGE",
      `the zip would expand to ${sum} bytes from ${zipBytes} (${times(sum, zipBytes)}x): a zip may expand to at most ${ratio}x its size (${zipFreeBytes / 1024 ** 2} MB at least) and ${totalBytes / 1024 ** 3} GB in all`,
    );
};

/**
 * Everything an import request brought, staged on disk: images as temp files, annotation files
 * either left in the zip (read one at a time when decoded), spilled to a temp file (big ones),
 * or held (small bare files of a multipart upload). No dataset's texts are all held at once.
 */
export class DatasetUpload {
  /** This request's temp folder: removed whole, whatever was still being written into it. */
  readonly dir: string;
  readonly texts = new Map<string, string>();
  readonly lazy = new Map<string, LazyText>();
  /** Where each lazy text is, for the import worker. */
  readonly lazySources = new Map<string, LazySource>();
  readonly images: UploadedImage[] = [];
  readonly ignored: string[] = [];
  /** Zip files kept open for reading their annotation entries during the import. */
  readonly zipFds: number[] = [];
  /** What the request's zips expand to, as their directories declare. */
  expandedBytes = 0;
  private textBytes = 0;
  private temps = 0;

  constructor(deps: Deps) {
    this.dir = path.join(deps.storage.tempDir, IMPORTS_TEMP, randomUUID());
    fs.mkdirSync(this.dir, { recursive: true });
  }

  /** A new file name in this request's temp folder. */
  tempPath(): string {
    return path.join(this.dir, String(++this.temps));
  }

  count(path: string, bytes: number) {
    if (bytes > MAX_TEXT_FILE_BYTES) throw new AppError("PAYLOAD_TOO_LARGE", `${path} is larger than 256 MB`);
    this.textBytes += bytes;
    if (this.textBytes > MAX_TEXT_TOTAL_BYTES)
      throw new AppError("PAYLOAD_TOO_LARGE", "annotation files add up to more than 1 GB");
  }

  /** Receives one bare annotation file: held when small, spilled to a temp file past SPILL_BYTES. */
  async addText(path: string, stream: Readable) {
    let parts: Buffer[] = [];
    let size = 0;
    let spill: fs.WriteStream | null = null;
    let spillPath = "";
    try {
      for await (const chunk of stream) {
        const b = chunk as Buffer;
        size += b.length;
        if (size > MAX_TEXT_FILE_BYTES) {
          stream.destroy();
          throw new AppError("PAYLOAD_TOO_LARGE", `${path} is larger than 256 MB`);
        }
        if (!spill && size > SPILL_BYTES) {
          spillPath = this.tempPath();
          spill = fs.createWriteStream(spillPath);
          for (const p of parts) spill.write(p);
          parts = [];
        }
        if (spill) {
          if (!spill.write(b)) await once(spill, "drain");
        } else parts.push(b);
      }
    } finally {
      if (spill) {
        spill.end();
        await finished(spill);
      }
    }
    this.count(path, size);
    if (spill) this.setLazy(path, { kind: "file", file: spillPath });
    else this.texts.set(path, utf8Text(Buffer.concat(parts)));
  }

  setLazy(path: string, source: LazySource) {
    this.lazySources.set(path, source);
    const fds = new Map<string, number>();
    this.lazy.set(path, lazyText(source, fds));
    this.zipFds.push(...fds.values());
  }

  async cleanup() {
    for (const fd of this.zipFds.splice(0)) fs.closeSync(fd);
    await fs.promises.rm(this.dir, { recursive: true, force: true });
  }
}

/**
 * Removes what imports left in the temp folder when the process died mid-way (killed, crashed):
 * called at start, when no import can be running.
 */
export const removeImportTemps = (tempDir: string) => {
  fs.rmSync(path.join(tempDir, IMPORTS_TEMP), { recursive: true, force: true });
};

/** An entry's location alone (a ZipItem also holds a function, which cannot be sent to a worker). */
const locationOf = (i: ZipItem): ZipEntryLocation => ({
  path: i.path,
  size: i.size,
  compressedSize: i.compressedSize,
  method: i.method,
  localHeaderOffset: i.localHeaderOffset,
  crc32: i.crc32,
  encrypted: i.encrypted,
});

/** Drops one folder every path starts with (`my_dataset/data.yaml` -> `data.yaml`): zips of a folder. */
const stripCommonRoot = (paths: readonly string[]): ((p: string) => string) => {
  const first = paths[0]?.split("/")[0];
  if (!first || paths.some((p) => !p.startsWith(`${first}/`))) return (p) => p;
  return (p) => p.slice(first.length + 1);
};

const skipped = (p: string) => p.startsWith("__MACOSX/") || basename(p).startsWith(".") || p === "";

/** Expands a zip already on disk into the upload (images to temp files, texts to memory). */
const expandZip = async (deps: Deps, upload: DatasetUpload, file: string, prefix: string) => {
  let zip: Awaited<ReturnType<typeof readZip>>;
  try {
    zip = await readZip(file);
  } catch (err) {
    throw new AppError("VALIDATION_ERROR", `not a readable zip: ${(err as Error).message}`, [
      { path: prefix || "body", message: "not a zip" },
    ]);
  }
  let fd: number | undefined;
  try {
    const rel = stripCommonRoot(zip.items.map((i) => i.path));
    const items = zip.items
      .map((item) => ({ item, path: normalizePath(`${prefix}${rel(item.path)}`) }))
      .filter((i) => !skipped(i.path));
    checkExpansion(
      upload,
      items.map((i) => i.item),
      fs.statSync(file).size,
    );
    for (const { item, path } of items) {
      const kept = isDatasetTextPath(path) || isImagePath(path);
      const unreadable = kept ? unreadableEntry(item) : null;
      if (unreadable) throw zipEntryProblem(unreadable);
    }
    await readingZip(async () => {
      for (const { item, path } of items) {
        if (isDatasetTextPath(path)) {
          upload.count(path, item.size);
          if (item.size > SPILL_BYTES) {
            // Too big to inflate whole when decoded: extracted now, read in pieces later.
            const tempPath = upload.tempPath();
            await extractEntry(file, item, tempPath);
            upload.setLazy(path, { kind: "file", file: tempPath });
          } else {
            fd ??= fs.openSync(file, "r");
            upload.lazySources.set(path, { kind: "zip", zip: file, entry: locationOf(item) });
            upload.lazy.set(path, zipEntryText(fd, item));
          }
        } else if (isImagePath(path)) {
          const tempPath = upload.tempPath();
          const tooLarge = item.size > deps.config.maxFileBytes;
          const stream = tooLarge ? emptyStream() : await item.open();
          const staged = await stageStream(deps, basename(path), stream, tempPath);
          upload.images.push({ path, staged: { ...staged, tooLarge } });
        } else upload.ignored.push(path);
      }
    });
  } finally {
    zip.close();
    if (fd !== undefined) upload.zipFds.push(fd);
  }
};

const emptyStream = () => {
  const t = new Transform({ transform: (_c, _e, cb) => cb() });
  t.end();
  return t;
};

const streamToTemp = async (upload: DatasetUpload, source: NodeJS.ReadableStream): Promise<string> => {
  const tempPath = upload.tempPath();
  let size = 0;
  const limit = new Transform({
    transform(chunk: Buffer, _e, cb) {
      size += chunk.length;
      if (size > MAX_UPLOAD_BYTES) cb(new AppError("PAYLOAD_TOO_LARGE", "the upload is larger than 16 GB"));
      else cb(null, chunk);
    },
  });
  await pipeline(source, limit, fs.createWriteStream(tempPath));
  return tempPath;
};

/**
 * Receives an import: a zip body (`application/zip`), or multipart files in the field `files`,
 * each a zip, an annotation file (kept under its relative name) or an image.
 */
export const receiveUpload = async (deps: Deps, req: Request): Promise<DatasetUpload> => {
  const upload = new DatasetUpload(deps);
  const type = (req.headers["content-type"] ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
  try {
    if (ZIP_TYPES.has(type)) {
      const file = await streamToTemp(upload, req);
      await expandZip(deps, upload, file, "");
    } else if (type === "multipart/form-data") {
      await receiveMultipart(deps, upload, req);
    } else {
      throw new AppError(
        "UNSUPPORTED_MEDIA_TYPE",
        "send a zip (Content-Type: application/zip) or multipart/form-data with the files in the field `files`",
      );
    }
    return upload;
  } catch (err) {
    await upload.cleanup();
    throw err;
  }
};

const receiveMultipart = (deps: Deps, upload: DatasetUpload, req: Request): Promise<void> =>
  new Promise((resolve, reject) => {
    const bb = busboy({ headers: req.headers, defParamCharset: "utf8", limits: { files: 100_000 } });
    const jobs: Promise<void>[] = [];
    const open = new Set<Readable>();
    const zips: { file: string; name: string }[] = [];
    let failed = false;
    // The first failure (a file refused, a malformed body, a client that hung up) stops every file
    // still being written, and the request fails only once they have all stopped: the temp folder
    // is then removed after the last write into it, not before (which left files behind).
    const fail = (err: unknown) => {
      if (failed) return;
      failed = true;
      req.unpipe(bb);
      req.resume();
      for (const s of open) s.destroy(err instanceof Error ? err : new Error(String(err)));
      void Promise.allSettled(jobs).then(() => reject(err));
    };
    const track = (stream: Readable, job: Promise<void>) => {
      open.add(stream);
      jobs.push(job.finally(() => open.delete(stream)).catch(fail));
    };
    bb.on("file", (field, stream, info) => {
      const path = normalizePath(info.filename ?? "");
      if (failed || field !== "files" || path === "" || skipped(path)) {
        stream.resume();
        if (path && !failed) upload.ignored.push(path);
        return;
      }
      if (path.toLowerCase().endsWith(".zip")) {
        track(
          stream,
          streamToTemp(upload, stream).then((file) => void zips.push({ file, name: path })),
        );
      } else if (isDatasetTextPath(path)) {
        track(stream, upload.addText(path, stream));
      } else if (isImagePath(path)) {
        track(
          stream,
          stageStream(deps, basename(path), stream, upload.tempPath()).then((staged) => {
            upload.images.push({
              path,
              staged: { ...staged, tooLarge: staged.byteSize > deps.config.maxFileBytes },
            });
          }),
        );
      } else {
        stream.resume();
        upload.ignored.push(path);
      }
    });
    bb.on("error", (err: Error) =>
      fail(new AppError("VALIDATION_ERROR", `malformed multipart body: ${err.message}`)),
    );
    req.on("close", () => {
      if (!req.complete) fail(new AppError("VALIDATION_ERROR", "the request ended before its body did"));
    });
    bb.on("close", () => {
      Promise.all(jobs)
        .then(async () => {
          if (failed) return;
          // Several zips: each keeps its own folder name so their files cannot collide.
          for (const z of zips)
            await expandZip(deps, upload, z.file, zips.length > 1 ? `${z.name.replace(/\.zip$/i, "")}/` : "");
          if (upload.texts.size === 0 && upload.lazy.size === 0 && upload.images.length === 0) {
            throw new AppError(
              "VALIDATION_ERROR",
              "no files in the request; send them in the multipart field `files`",
              [{ path: "files", message: "required" }],
            );
          }
          resolve();
        })
        .catch(fail);
    });
    req.pipe(bb);
  });

const probeLimit = concurrency(2);

/**
 * Checks every uploaded image the way an upload does. A real import stores the bytes and the
 * thumbnail (content-addressed, like an upload); a dry run only decodes.
 */
export const probeUploadedImages = (
  deps: Deps,
  images: readonly UploadedImage[],
  store: boolean,
): Promise<ProbedImage[]> =>
  Promise.all(
    images.map((img) =>
      probeLimit(async (): Promise<ProbedImage> => {
        const s = img.staged;
        if (store) {
          const p = await probeStaged(deps, s);
          return p.kind === "ok"
            ? {
                ok: true,
                path: img.path,
                staged: s,
                format: p.format,
                width: p.width,
                height: p.height,
                channels: p.channels,
              }
            : {
                ok: false,
                path: img.path,
                staged: s,
                reason: p.result.status === "rejected" ? p.result.reason : "rejected",
              };
        }
        if (s.tooLarge)
          return { ok: false, path: img.path, staged: s, reason: "larger than the upload size limit" };
        if (s.byteSize === 0) return { ok: false, path: img.path, staged: s, reason: "file is empty" };
        if (!s.format)
          return { ok: false, path: img.path, staged: s, reason: "not a supported image (by content)" };
        const p = await probeImage(s.tempPath, s.format, deps.config.maxPixels);
        return p.ok
          ? {
              ok: true,
              path: img.path,
              staged: s,
              format: s.format,
              width: p.width,
              height: p.height,
              channels: p.channels,
            }
          : { ok: false, path: img.path, staged: s, reason: p.reason };
      }),
    ),
  );

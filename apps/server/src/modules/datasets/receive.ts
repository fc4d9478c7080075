import { once } from "node:events";
import fs from "node:fs";
import { type Readable, Transform } from "node:stream";
import { finished, pipeline } from "node:stream/promises";
import { basename, isDatasetTextPath, isImagePath, type LazyText, normalizePath } from "@labelbench/formats";
import type { ImageFormat } from "@labelbench/schema";
import busboy from "busboy";
import type { Request } from "express";
import type { Deps } from "../../deps.js";
import { AppError } from "../../http/errors.js";
import { discardTemp, newTempPath, probeStaged, type StagedFile } from "../images/ingest.js";
import { concurrency } from "../images/limit.js";
import { probeImage } from "../images/probe.js";
import { stageStream } from "../images/upload.js";
import { fileTextChunks, readEntrySync, readZip, utf8Text, type ZipEntryLocation } from "./zip-reader.js";

/** Limits of one import request. */
const MAX_UPLOAD_BYTES = 16 * 1024 ** 3;
const MAX_TEXT_FILE_BYTES = 256 * 1024 * 1024;
const MAX_TEXT_TOTAL_BYTES = 1024 * 1024 * 1024;
/** Annotation files above this are kept on disk and read in pieces (a big COCO JSON); smaller ones are read whole when decoded. */
const SPILL_BYTES = 8 * 1024 * 1024;

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

/** A text file on disk (a spilled upload or an extracted zip entry), read when the decoder asks. */
const fileText = (file: string): LazyText => ({
  text: () => [...fileTextChunks(file)].join(""),
  chunks: () => fileTextChunks(file),
});

/** A small zip entry, inflated from the zip when the decoder asks (one at a time). */
const zipEntryText = (fd: number, entry: ZipEntryLocation): LazyText => {
  const text = () => {
    try {
      return utf8Text(readEntrySync(fd, entry));
    } catch (err) {
      throw new AppError("VALIDATION_ERROR", `not a readable zip: ${(err as Error).message}`, [
        { path: entry.path, message: "cannot be read from the zip" },
      ]);
    }
  };
  return { text, chunks: () => [text()] };
};

/**
 * Everything an import request brought, staged on disk: images as temp files, annotation files
 * either left in the zip (read one at a time when decoded), spilled to a temp file (big ones),
 * or held (small bare files of a multipart upload). No dataset's texts are all held at once.
 */
export class DatasetUpload {
  readonly texts = new Map<string, string>();
  readonly lazy = new Map<string, LazyText>();
  readonly images: UploadedImage[] = [];
  readonly ignored: string[] = [];
  readonly temps: string[] = [];
  /** Zip files kept open for reading their annotation entries during the import. */
  readonly zipFds: number[] = [];
  private textBytes = 0;

  count(path: string, bytes: number) {
    if (bytes > MAX_TEXT_FILE_BYTES) throw new AppError("PAYLOAD_TOO_LARGE", `${path} is larger than 256 MB`);
    this.textBytes += bytes;
    if (this.textBytes > MAX_TEXT_TOTAL_BYTES)
      throw new AppError("PAYLOAD_TOO_LARGE", "annotation files add up to more than 1 GB");
  }

  /** Receives one bare annotation file: held when small, spilled to a temp file past SPILL_BYTES. */
  async addText(deps: Deps, path: string, stream: Readable) {
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
          spillPath = newTempPath(deps);
          this.temps.push(spillPath);
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
    if (spill) this.lazy.set(path, fileText(spillPath));
    else this.texts.set(path, utf8Text(Buffer.concat(parts)));
  }

  async cleanup() {
    for (const fd of this.zipFds.splice(0)) fs.closeSync(fd);
    await Promise.all(this.temps.map(discardTemp));
  }
}

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
    for (const item of zip.items) {
      const path = normalizePath(`${prefix}${rel(item.path)}`);
      if (skipped(path)) continue;
      if (isDatasetTextPath(path)) {
        upload.count(path, item.size);
        if (item.size > SPILL_BYTES) {
          // Too big to inflate whole when decoded: extracted now, read in pieces later.
          const tempPath = newTempPath(deps);
          upload.temps.push(tempPath);
          await pipeline(await item.open(), fs.createWriteStream(tempPath));
          upload.lazy.set(path, fileText(tempPath));
        } else {
          fd ??= fs.openSync(file, "r");
          upload.lazy.set(path, zipEntryText(fd, item));
        }
      } else if (isImagePath(path)) {
        const tempPath = newTempPath(deps);
        upload.temps.push(tempPath);
        const tooLarge = item.size > deps.config.maxFileBytes;
        const stream = tooLarge ? emptyStream() : await item.open();
        const staged = await stageStream(deps, basename(path), stream, tempPath);
        upload.images.push({ path, staged: { ...staged, tooLarge } });
      } else upload.ignored.push(path);
    }
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

const streamToTemp = async (
  deps: Deps,
  upload: DatasetUpload,
  source: NodeJS.ReadableStream,
): Promise<string> => {
  const tempPath = newTempPath(deps);
  upload.temps.push(tempPath);
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
  const upload = new DatasetUpload();
  const type = (req.headers["content-type"] ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
  try {
    if (ZIP_TYPES.has(type)) {
      const file = await streamToTemp(deps, upload, req);
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
    const zips: { file: string; name: string }[] = [];
    bb.on("file", (field, stream, info) => {
      const path = normalizePath(info.filename ?? "");
      if (field !== "files" || path === "" || skipped(path)) {
        stream.resume();
        if (path) upload.ignored.push(path);
        return;
      }
      if (path.toLowerCase().endsWith(".zip")) {
        jobs.push(streamToTemp(deps, upload, stream).then((file) => void zips.push({ file, name: path })));
      } else if (isDatasetTextPath(path)) {
        jobs.push(upload.addText(deps, path, stream));
      } else if (isImagePath(path)) {
        const tempPath = newTempPath(deps);
        upload.temps.push(tempPath);
        jobs.push(
          stageStream(deps, basename(path), stream, tempPath).then((staged) => {
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
      reject(new AppError("VALIDATION_ERROR", `malformed multipart body: ${err.message}`)),
    );
    bb.on("close", () => {
      Promise.all(jobs)
        .then(async () => {
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
        })
        .then(resolve, reject);
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

import { createHash } from "node:crypto";
import fs from "node:fs";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { checkImagePath, type UploadResult } from "@labelbench/schema";
import busboy from "busboy";
import type { Request } from "express";
import type { Deps } from "../../deps.js";
import { AppError } from "../../http/errors.js";
import {
  commitProbed,
  discardTemp,
  newTempPath,
  type Probed,
  probeStaged,
  type StagedFile,
} from "./ingest.js";
import { concurrency } from "./limit.js";
import { SNIFF_BYTES, sniffImageFormat } from "./sniff.js";

/** Decoding is CPU-bound; two at a time keeps a 2-core server responsive to editors' autosaves. */
const probeLimit = concurrency(2);

/** Streams one file to a temp path, hashing and sniffing on the way; never holds the file in memory. */
export const stageStream = async (
  deps: Deps,
  fileName: string,
  source: NodeJS.ReadableStream & { truncated?: boolean },
  tempPath: string = newTempPath(deps),
): Promise<StagedFile> => {
  const hash = createHash("sha256");
  let byteSize = 0;
  let head = Buffer.alloc(0);
  const tap = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      hash.update(chunk);
      byteSize += chunk.length;
      if (head.length < SNIFF_BYTES) head = Buffer.concat([head, chunk.subarray(0, SNIFF_BYTES)]);
      cb(null, chunk);
    },
  });
  await pipeline(source, tap, fs.createWriteStream(tempPath));
  return {
    fileName,
    tempPath,
    sha256: hash.digest("hex"),
    byteSize,
    format: sniffImageFormat(head),
    tooLarge: source.truncated === true,
  };
};

/** Handles a multipart upload: every file gets its own result; one bad file never sinks the others. */
export const handleUpload = (deps: Deps, projectId: number, req: Request): Promise<UploadResult[]> =>
  new Promise((resolve, reject) => {
    let bb: busboy.Busboy;
    try {
      bb = busboy({
        headers: req.headers,
        limits: { fileSize: deps.config.maxFileBytes, files: 10_000 },
        defParamCharset: "utf8",
        // Keep "cam_a/0001.jpg" whole: busboy otherwise strips everything up to the last "/".
        preservePath: true,
      });
    } catch {
      reject(
        new AppError(
          "UNSUPPORTED_MEDIA_TYPE",
          "upload must be multipart/form-data with files in the field `files`",
        ),
      );
      return;
    }
    const jobs: Promise<Probed>[] = [];
    const temps: string[] = [];
    let failed = false;
    bb.on("file", (field, stream, info) => {
      const raw = info.filename || "unnamed";
      const refuse = (reason: string) => {
        stream.resume();
        jobs.push(
          Promise.resolve<Probed>({
            kind: "rejected",
            result: { fileName: raw, status: "rejected", code: "VALIDATION_ERROR", reason },
          }),
        );
      };
      if (field !== "files") return refuse(`unexpected field "${field}"; use "files"`);
      // The name is the file's path inside the uploaded folder ("cam_a/0001.jpg"): kept, once safe.
      const checked = checkImagePath(raw);
      if (!checked.ok) return refuse(`file name ${checked.reason}`);
      const fileName = checked.path;
      // Tracked before streaming starts, so a file cut off mid-stream is cleaned up too.
      const tempPath = newTempPath(deps);
      temps.push(tempPath);
      const staged = stageStream(deps, fileName, stream, tempPath);
      jobs.push(staged.then((s) => probeLimit(() => probeStaged(deps, s))));
    });
    // Temp files go before the reply, so a client (or test) that sees the answer sees a clean disk.
    const cleanup = () => Promise.allSettled(jobs).then(() => Promise.all(temps.map(discardTemp)));
    bb.on("error", (err: Error) => {
      failed = true;
      void cleanup().then(() =>
        reject(new AppError("VALIDATION_ERROR", `malformed multipart body: ${err.message}`)),
      );
    });
    bb.on("close", () => {
      if (failed) return;
      Promise.all(jobs)
        .then((probed) => {
          if (probed.length === 0) {
            throw new AppError(
              "VALIDATION_ERROR",
              "no files in the request; send them in the multipart field `files`",
              [{ path: "body.files", message: "required" }],
            );
          }
          return commitProbed(deps, projectId, probed);
        })
        .then(
          (results) => cleanup().then(() => resolve(results)),
          (err: unknown) => cleanup().then(() => reject(err)),
        );
    });
    req.on("aborted", () => bb.destroy(new Error("client aborted the upload")));
    req.pipe(bb);
  });

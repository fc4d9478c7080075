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
  releaseStaged,
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

/**
 * Past the per-request limit a file is not stored but still answered, so a script sending one huge
 * request learns exactly which files to send again (the web uploader sends batches of 25).
 */
const tooManyFiles = (fileName: string, max: number): Probed => ({
  kind: "rejected",
  result: {
    fileName,
    status: "rejected",
    code: "PAYLOAD_TOO_LARGE",
    reason: `too many files: at most ${max.toLocaleString("en-US")} files per request are stored; this one was not, send it again in another request`,
  },
});

/** Handles a multipart upload: every file gets its own result; one bad file never sinks the others. */
export const handleUpload = (deps: Deps, projectId: number, req: Request): Promise<UploadResult[]> =>
  new Promise((resolve, reject) => {
    let bb: busboy.Busboy;
    try {
      bb = busboy({
        headers: req.headers,
        // No `files` limit here: busboy would drop the parts past it without a word. They are
        // counted below and each answered.
        limits: { fileSize: deps.config.maxFileBytes },
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
    let files = 0;
    bb.on("file", (field, stream, info) => {
      const raw = info.filename || "unnamed";
      // A refused name is echoed so the client can match the result to its file, but not 5 MB of it.
      const shown = raw.length > 300 ? `${raw.slice(0, 300)}…` : raw;
      const refuse = (reason: string) => {
        stream.resume();
        jobs.push(
          Promise.resolve<Probed>({
            kind: "rejected",
            result: { fileName: shown, status: "rejected", code: "VALIDATION_ERROR", reason },
          }),
        );
      };
      if (field !== "files") return refuse(`unexpected field "${field}"; use "files"`);
      // The name is the file's path inside the uploaded folder ("cam_a/0001.jpg"): kept, once safe.
      const checked = checkImagePath(raw);
      if (!checked.ok) return refuse(`file name ${checked.reason}`);
      const fileName = checked.path;
      if (++files > deps.config.maxFilesPerUpload) {
        stream.resume();
        jobs.push(Promise.resolve(tooManyFiles(fileName, deps.config.maxFilesPerUpload)));
        return;
      }
      // Tracked before streaming starts, so a file cut off mid-stream is cleaned up too.
      const tempPath = newTempPath(deps);
      temps.push(tempPath);
      const staged = stageStream(deps, fileName, stream, tempPath);
      jobs.push(staged.then((s) => probeLimit(() => probeStaged(deps, s))));
    });
    // Claims and temp files go before the reply, so a client (or test) that sees the answer sees
    // a clean disk, and bytes that did not become a row are deleted.
    const cleanup = () =>
      Promise.allSettled(jobs)
        .then((settled) => {
          const stored = settled.flatMap((x) =>
            x.status === "fulfilled" && x.value.kind === "ok" ? [x.value.staged.sha256] : [],
          );
          return releaseStaged(deps, temps, stored);
        })
        .catch((err: unknown) => deps.log.warn({ err }, "could not release an upload's stored files"))
        .then(() => Promise.all(temps.map(discardTemp)));
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

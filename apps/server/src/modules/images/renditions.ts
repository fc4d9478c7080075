import { randomUUID } from "node:crypto";
import fs from "node:fs";
import fsp from "node:fs/promises";
import { pipeline } from "node:stream/promises";
import sharp from "sharp";
import type { Deps } from "../../deps.js";
import { AppError } from "../../http/errors.js";
import { displayKey, originalKey, thumbnailKey } from "../../storage/keys.js";
import { runBmpJobOffThread } from "./bmp-thread.js";
import { concurrency } from "./limit.js";
import { THUMBNAIL_SIZE } from "./probe.js";
import type { ImageRow } from "./repo.js";
import { checkTiffExtent } from "./tiff-extent.js";

/**
 * Derived pictures of a stored original: `display` (lossless PNG of formats browsers cannot draw,
 * TIFF) and `thumbnail` (256 px WebP; made at upload, made again if storage lost it).
 */
export type RenditionKind = "display" | "thumbnail";

const KEY: Record<RenditionKind, (sha: string) => string> = { display: displayKey, thumbnail: thumbnailKey };

export interface Renditions {
  /**
   * The rendition's key and size, made first if storage does not hold it. Concurrent requests for
   * the same rendition share one job; a failure is an AppError (`NOT_FOUND` for a missing original,
   * `IMAGE_UNREADABLE` for one that does not decode), never a 500.
   */
  ensure(
    row: Pick<ImageRow, "id" | "sha256" | "format">,
    kind: RenditionKind,
  ): Promise<{ key: string; size: number }>;
}

/**
 * Renditions are made once and cached in storage, so the second view streams a file. A job decodes
 * in libvips (on libuv's threadpool) or, for BMP, in a worker thread, from the original's file
 * into a temp file: no picture is ever held whole in JavaScript memory. At most two jobs run at once
 * (a 7000 x 7000 TIFF takes ~150 MB and a core for a second), and the job holds a claim on the
 * sha (stored-files.ts), so a deletion of the image meanwhile cannot leave its output behind.
 */
export const createRenditions = (deps: Deps): Renditions => {
  const limit = concurrency(2);
  /**
   * Single-flight per process only, which is enough with several: two processes making the same
   * rendition write the same bytes to the same key (a store's write replaces a file whole), each
   * under its own claim, so a deletion of the image meanwhile waits for both.
   */
  const inflight = new Map<string, Promise<void>>();

  const make = async (row: Pick<ImageRow, "id" | "sha256" | "format">, kind: RenditionKind, key: string) => {
    if ((await deps.storage.stat(key)) !== null) return; // made by the job just before this one
    const owner = `rendition:${randomUUID()}`;
    const temps: string[] = [];
    const temp = () => {
      const t = `${deps.storage.tempDir}/${randomUUID()}`;
      temps.push(t);
      return t;
    };
    await deps.files.claim(row.sha256, owner);
    try {
      const source = await localOriginal(deps, row, temp);
      const out = temp();
      try {
        await render(source, row.format, kind, out);
      } catch (err) {
        if (err instanceof AppError) throw err;
        const reason = err instanceof Error ? (err.message.split("\n")[0] ?? "") : String(err);
        throw new AppError(
          "IMAGE_UNREADABLE",
          `the stored file of image ${row.id} cannot be decoded (${reason}); delete the image and upload the file again`,
        );
      }
      await deps.storage.putFile(key, out);
    } finally {
      await Promise.all(temps.map((t) => fsp.rm(t, { force: true })));
      await deps.files.release([owner], [row.sha256]);
    }
  };

  return {
    ensure: async (row, kind) => {
      const key = KEY[kind](row.sha256);
      let stat = await deps.storage.stat(key);
      if (stat === null) {
        let job = inflight.get(key);
        if (!job) {
          job = limit(() => make(row, kind, key)).finally(() => inflight.delete(key));
          inflight.set(key, job);
        }
        await job;
        stat = await deps.storage.stat(key);
      }
      if (stat === null) throw new AppError("INTERNAL", `the ${kind} of image ${row.id} could not be stored`);
      return { key, size: stat.size };
    },
  };
};

/** The original as a local file sharp can read: the store's own, or a temp copy of it. */
const localOriginal = async (
  deps: Deps,
  row: Pick<ImageRow, "id" | "sha256">,
  temp: () => string,
): Promise<string> => {
  const key = originalKey(row.sha256);
  if ((await deps.storage.stat(key)) === null)
    throw new AppError("NOT_FOUND", `the file of image ${row.id} is missing from storage`);
  const local = deps.storage.localPath(key);
  if (local) return local;
  const copy = temp();
  await pipeline(deps.storage.stream(key), fs.createWriteStream(copy));
  return copy;
};

const render = async (source: string, format: ImageRow["format"], kind: RenditionKind, out: string) => {
  if (format === "bmp") {
    // libvips reads no BMP; the worker decodes it (never this thread) and makes the thumbnail.
    // (Browsers draw BMP, so it never needs a display rendition.)
    const r = await runBmpJobOffThread({ file: source, thumbnailSize: THUMBNAIL_SIZE });
    if (!r.ok) throw new Error(r.reason);
    if (!r.thumbnail) throw new Error("the BMP worker made no thumbnail");
    await fsp.writeFile(out, r.thumbnail);
    return;
  }
  if (format === "tiff") {
    // Stored before uploads checked this: libtiff would only warn and draw the missing part blank.
    const extent = await checkTiffExtent(source);
    if (!extent.ok) throw new Error(extent.reason);
  }
  const img = sharp(source, { limitInputPixels: false, sequentialRead: true, failOn: "truncated" }).rotate();
  if (kind === "display") await img.png({ compressionLevel: 3 }).toFile(out);
  else
    await img
      .resize(THUMBNAIL_SIZE, THUMBNAIL_SIZE, { fit: "inside", withoutEnlargement: true })
      .webp({ quality: 75 })
      .toFile(out);
};

import fsp from "node:fs/promises";
import sharp from "sharp";
import { decodeBmp } from "./bmp.js";

/** What the BMP worker is asked: decode `file`, then make its thumbnail and/or write it out whole. */
export interface BmpJob {
  file: string;
  /** Longest side of the WebP thumbnail to make, if one is wanted. */
  thumbnailSize?: number;
  /** Where to write the decoded picture as an uncompressed TIFF (for the tile pyramid), if wanted. */
  convertTo?: string;
}

export type BmpJobResult =
  | { ok: true; width: number; height: number; thumbnail: Uint8Array | null }
  | { ok: false; reason: string };

/**
 * Decodes a BMP in JavaScript (libvips has no BMP loader) and hands the pixels to sharp. Seconds of
 * CPU and width x height x 4 bytes for a big one, so it runs in a worker thread (bmp-thread.ts);
 * callers check the pixel limit from the header first (readBmpHeader).
 */
export const runBmpJob = async (job: BmpJob): Promise<BmpJobResult> => {
  const decoded = decodeBmp(await fsp.readFile(job.file));
  if (!decoded.ok) return { ok: false, reason: decoded.reason };
  const { width, height, data } = decoded.value;
  const pixels = () => sharp(data, { raw: { width, height, channels: 4 }, limitInputPixels: false });
  const size = job.thumbnailSize;
  const thumbnail = size
    ? await pixels()
        .resize(size, size, { fit: "inside", withoutEnlargement: true })
        .webp({ quality: 75 })
        .toBuffer()
    : null;
  if (job.convertTo) await pixels().tiff({ compression: "none" }).toFile(job.convertTo);
  return { ok: true, width, height, thumbnail: thumbnail && new Uint8Array(thumbnail) };
};

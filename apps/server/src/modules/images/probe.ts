import fsp from "node:fs/promises";
import type { ImageFormat } from "@labelbench/schema";
import sharp from "sharp";
import { readBmpHeader } from "./bmp.js";
import { runBmpJobOffThread } from "./bmp-thread.js";
import { checkTiffExtent } from "./tiff-extent.js";

export const THUMBNAIL_SIZE = 256;

export type ProbeResult =
  | { ok: true; width: number; height: number; channels: number; thumbnail: Buffer }
  | { ok: false; code: "VALIDATION_ERROR" | "PAYLOAD_TOO_LARGE"; reason: string };

const mp = (px: number) => `${(px / 1e6).toFixed(1)} MP`;

/**
 * Decodes an uploaded file far enough to trust it: dimensions as displayed (EXIF orientation 5-8
 * swaps width and height), a pixel-count guard against decompression bombs, and a full decode into
 * the thumbnail, which is what catches truncated and corrupt files.
 */
export const probeImage = async (
  file: string,
  format: ImageFormat,
  maxPixels: number,
): Promise<ProbeResult> => {
  try {
    if (format === "bmp") {
      // The limit from the header, before anything is decoded (a BMP expands to 4 bytes a pixel).
      const header = readBmpHeader(await readHead(file, 64));
      if (!header.ok) return { ok: false, code: "VALIDATION_ERROR", reason: header.reason };
      if (header.width * header.height > maxPixels) return tooBig(header.width, header.height, maxPixels);
      const decoded = await runBmpJobOffThread({ file, thumbnailSize: THUMBNAIL_SIZE });
      if (!decoded.ok) return { ok: false, code: "VALIDATION_ERROR", reason: decoded.reason };
      const { width, height } = decoded;
      if (!decoded.thumbnail) throw new Error("the BMP worker made no thumbnail");
      // The decoder expands every BMP (palette, 16/24/32-bit) to colour.
      return { ok: true, width, height, channels: 3, thumbnail: Buffer.from(decoded.thumbnail) };
    }
    if (format === "tiff") {
      const extent = await checkTiffExtent(file);
      if (!extent.ok) return { ok: false, code: "VALIDATION_ERROR", reason: extent.reason };
    }
    const meta = await sharp(file, { limitInputPixels: false }).metadata();
    if (!meta.width || !meta.height)
      return { ok: false, code: "VALIDATION_ERROR", reason: "image has no dimensions" };
    const swap = (meta.orientation ?? 1) >= 5;
    const width = swap ? meta.height : meta.width;
    const height = swap ? meta.width : meta.height;
    if (width * height > maxPixels) return tooBig(width, height, maxPixels);
    const thumbnail = await sharp(file, {
      failOn: "truncated",
      limitInputPixels: maxPixels,
      sequentialRead: true,
    })
      .rotate()
      .resize(THUMBNAIL_SIZE, THUMBNAIL_SIZE, { fit: "inside", withoutEnlargement: true })
      .webp({ quality: 75 })
      .toBuffer();
    return { ok: true, width, height, channels: meta.channels ?? 3, thumbnail };
  } catch (err) {
    const msg = err instanceof Error ? err.message.split("\n")[0] : String(err);
    return {
      ok: false,
      code: "VALIDATION_ERROR",
      reason: `corrupt or truncated ${format.toUpperCase()} image: ${msg}`,
    };
  }
};

const tooBig = (w: number, h: number, max: number): ProbeResult => ({
  ok: false,
  code: "PAYLOAD_TOO_LARGE",
  reason: `image is ${w}x${h} (${mp(w * h)}); the limit is ${mp(max)}`,
});

/** The first `n` bytes of a file (or fewer, if it is shorter). */
const readHead = async (file: string, n: number): Promise<Buffer> => {
  const fh = await fsp.open(file, "r");
  try {
    const b = Buffer.alloc(n);
    const { bytesRead } = await fh.read(b, 0, n, 0);
    return b.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
};

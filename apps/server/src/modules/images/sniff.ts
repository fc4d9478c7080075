import type { ImageFormat } from "@labelbench/schema";

/** Bytes needed to recognise every accepted format (BMP's DIB header size sits at 14..17). */
export const SNIFF_BYTES = 18;

/** DIB header sizes of the BMP variants in use (OS/2 core, Windows v1-v5). */
const BMP_HEADER_SIZES = new Set([12, 40, 52, 56, 64, 108, 124]);

/** Identifies an image by its magic bytes; file names and client MIME types are not trusted. */
export const sniffImageFormat = (head: Uint8Array): ImageFormat | null => {
  const at = (i: number) => head[i];
  const ascii = (from: number, s: string) => [...s].every((c, i) => at(from + i) === c.charCodeAt(0));
  if (at(0) === 0xff && at(1) === 0xd8 && at(2) === 0xff) return "jpeg";
  if (at(0) === 0x89 && ascii(1, "PNG\r\n\x1a\n")) return "png";
  if (ascii(0, "GIF87a") || ascii(0, "GIF89a")) return "gif";
  if (ascii(0, "RIFF") && ascii(8, "WEBP")) return "webp";
  if ((ascii(0, "II") && at(2) === 42 && at(3) === 0) || (ascii(0, "MM") && at(2) === 0 && at(3) === 42))
    return "tiff";
  // "BM" alone is too common a start (any text beginning "BMW..."): require a known header size.
  const bmpHeader = (at(14) ?? 0) | ((at(15) ?? 0) << 8) | ((at(16) ?? 0) << 16) | ((at(17) ?? 0) << 24);
  if (ascii(0, "BM") && BMP_HEADER_SIZES.has(bmpHeader)) return "bmp";
  return null;
};

export const CONTENT_TYPES: Record<ImageFormat, string> = {
  jpeg: "image/jpeg",
  png: "image/png",
  gif: "image/gif",
  webp: "image/webp",
  tiff: "image/tiff",
  bmp: "image/bmp",
};

import type { ImageFormat } from "@labelbench/schema";

/** Bytes needed to recognise every accepted format. */
export const SNIFF_BYTES = 16;

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
  if (ascii(0, "BM")) return "bmp";
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

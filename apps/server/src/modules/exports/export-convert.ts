import type { Conversion } from "@labelbench/formats";
import sharp, { type Sharp } from "sharp";
import { decodeBmp } from "../images/bmp.js";

/** VOC's JPEGs: close to the source, at a third of a PNG's size. */
export const JPEG_QUALITY = 95;

/**
 * The bytes of an image converted for a format whose readers cannot open it as stored
 * (`conversionOf` in @labelbench/formats): VOC readers open `JPEGImages/<id>.jpg`, Ultralytics
 * skips GIF. The pixels are the ones the editor shows: EXIF orientation applied (the output has no
 * EXIF, so a reader cannot rotate it twice), which is also the size every annotation file states.
 * JPEG has no alpha: transparent pixels are flattened onto white. Same input, same bytes (libvips
 * is deterministic for a given version), so exports stay reproducible.
 */
export const convertImage = async (
  stored: Buffer,
  format: string,
  to: Exclude<Conversion, null>,
): Promise<Buffer> => {
  let image: Sharp;
  if (format === "bmp") {
    // libvips has no BMP loader: the upload path's own decoder gives RGBA pixels.
    const d = decodeBmp(stored);
    if (!d.ok) throw new Error(`a stored BMP could not be decoded for export: ${d.reason}`);
    image = sharp(d.value.data, { raw: { width: d.value.width, height: d.value.height, channels: 4 } });
  } else {
    image = sharp(stored, { limitInputPixels: false }).rotate();
  }
  if (to === "png") return image.png().toBuffer();
  return image.flatten({ background: "#ffffff" }).jpeg({ quality: JPEG_QUALITY }).toBuffer();
};

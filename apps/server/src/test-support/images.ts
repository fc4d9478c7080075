import sharp from "sharp";

/**
 * Image generators for upload tests. Each call with a different `seed` yields different bytes (and
 * so a different sha256), so tests can upload many distinct images.
 */
export interface Gen {
  width?: number;
  height?: number;
  /** Varies the colour, so each seed gives different bytes. */
  seed?: number;
  /** A fixed `#rrggbb` colour instead of the seed's. */
  color?: string;
}

const solid = ({ width = 32, height = 24, seed = 0, color }: Gen) =>
  sharp({
    create: {
      width,
      height,
      channels: 3,
      background: color ?? {
        r: (seed * 37) % 256,
        g: (seed * 11 + 80) % 256,
        b: Math.floor(seed / 256) % 256,
      },
    },
  });

/** Random-looking pixels: compress badly, so files are big for their size. */
export const noise = (width: number, height: number) =>
  sharp({
    create: {
      width,
      height,
      channels: 3,
      background: "#000",
      noise: { type: "gaussian", mean: 128, sigma: 60 },
    },
  });

export const jpeg = (g: Gen = {}) => solid(g).jpeg({ quality: 90 }).toBuffer();
export const png = (g: Gen = {}) => solid(g).png().toBuffer();
export const webp = (g: Gen = {}) => solid(g).webp({ lossless: true }).toBuffer();
export const tiff = (g: Gen = {}) => solid(g).tiff().toBuffer();
export const gif = (g: Gen = {}) => solid(g).gif().toBuffer();

/**
 * A JPEG stored `width`x`height` whose EXIF says orientation 6 (rotate 90° clockwise to display),
 * so the displayed size is `height`x`width`.
 */
export const rotatedJpeg = (g: Gen = {}) => solid(g).jpeg().withMetadata({ orientation: 6 }).toBuffer();

/** A JPEG cut in half: the header parses, the scan data ends early. */
export const truncatedJpeg = async (g: Gen = {}) => {
  const full = await noise(g.width ?? 256, g.height ?? 256)
    .jpeg({ quality: 95 })
    .toBuffer();
  return full.subarray(0, Math.floor(full.length / 2));
};

/** Plain text that any extension-trusting server would take for a JPEG. */
export const textFile = () => Buffer.from("this is not an image, whatever its name says\n".repeat(20));

/**
 * An uncompressed 24-bit bottom-up BMP built byte by byte (sharp cannot write BMP). Pixel (x, y)
 * gets the colour `pixel(x, y)` as [r, g, b].
 */
export const bmp24 = (
  width: number,
  height: number,
  pixel: (x: number, y: number) => readonly [number, number, number] = (x, y) => [x * 8, y * 8, 128],
): Buffer => {
  const stride = Math.ceil((width * 3) / 4) * 4;
  const dataSize = stride * height;
  const buf = Buffer.alloc(54 + dataSize);
  buf.write("BM", 0, "ascii");
  buf.writeUInt32LE(54 + dataSize, 2);
  buf.writeUInt32LE(54, 10); // pixel data offset
  buf.writeUInt32LE(40, 14); // BITMAPINFOHEADER
  buf.writeInt32LE(width, 18);
  buf.writeInt32LE(height, 22); // positive: bottom-up rows
  buf.writeUInt16LE(1, 26); // planes
  buf.writeUInt16LE(24, 28); // bits per pixel
  buf.writeUInt32LE(0, 30); // BI_RGB
  buf.writeUInt32LE(dataSize, 34);
  buf.writeInt32LE(2835, 38);
  buf.writeInt32LE(2835, 42);
  for (let y = 0; y < height; y++) {
    const row = 54 + (height - 1 - y) * stride;
    for (let x = 0; x < width; x++) {
      const [r, g, b] = pixel(x, y);
      buf[row + x * 3] = b;
      buf[row + x * 3 + 1] = g;
      buf[row + x * 3 + 2] = r;
    }
  }
  return buf;
};

/**
 * A "decompression bomb" in miniature: a tiny PNG file (a few hundred bytes) that declares many
 * pixels. With a small configured maxPixels the server must refuse it from the header alone.
 */
export const bombPng = (width = 4000, height = 4000) =>
  sharp({ create: { width, height, channels: 3, background: "#000" } })
    .png({ compressionLevel: 9 })
    .toBuffer();

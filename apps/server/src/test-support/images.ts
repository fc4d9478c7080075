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

/**
 * An uncompressed RGB TIFF laid out IFD first (header, directory, strip tables, then the strips),
 * as scanners and many cameras write them: cut short, it still parses as a whole image, because
 * nothing after the cut is needed to read the directory. `stripRows` rows per strip; tiles instead
 * of strips when `tile` is given (square, a multiple of 16). `bigTiff` writes the 64-bit variant.
 */
export const ifdFirstTiff = ({
  width = 64,
  height = 48,
  stripRows = 8,
  tile,
  bigTiff = false,
}: {
  width?: number;
  height?: number;
  stripRows?: number;
  tile?: number;
  bigTiff?: boolean;
} = {}) => {
  const pieces = tile
    ? Array.from({ length: Math.ceil(height / tile) * Math.ceil(width / tile) }, () => tile * tile * 3)
    : Array.from(
        { length: Math.ceil(height / stripRows) },
        (_, s) => Math.min(stripRows, height - s * stripRows) * width * 3,
      );
  const n = pieces.length;
  const word = bigTiff ? 8 : 4;
  const tags: (readonly [number, number, number, number | "bps" | "offsets" | "counts"])[] = [
    [256, 4, 1, width],
    [257, 4, 1, height],
    [258, 3, 3, "bps"],
    [259, 3, 1, 1],
    [262, 3, 1, 2],
    ...(tile
      ? ([
          [322, 4, 1, tile],
          [323, 4, 1, tile],
          [324, bigTiff ? 16 : 4, n, "offsets"],
          [325, 4, n, "counts"],
        ] as const)
      : ([
          [273, bigTiff ? 16 : 4, n, "offsets"],
          [278, 4, 1, stripRows],
          [279, 4, n, "counts"],
        ] as const)),
    [277, 3, 1, 3],
    [284, 3, 1, 1],
  ];
  tags.sort((a, b) => a[0] - b[0]);
  const head = bigTiff ? 16 : 8;
  const entrySize = bigTiff ? 20 : 12;
  const ifdSize = (bigTiff ? 8 : 2) + tags.length * entrySize + word;
  const bpsAt = head + ifdSize;
  const offsetsAt = bpsAt + 8;
  const countsAt = offsetsAt + n * word;
  let dataAt = countsAt + n * 4;
  const buf = Buffer.alloc(dataAt + pieces.reduce((a, b) => a + b, 0));
  buf.write("II", 0);
  if (bigTiff) {
    buf.writeUInt16LE(43, 2);
    buf.writeUInt16LE(8, 4);
    buf.writeBigUInt64LE(16n, 8);
    buf.writeBigUInt64LE(BigInt(tags.length), 16);
  } else {
    buf.writeUInt16LE(42, 2);
    buf.writeUInt32LE(8, 4);
    buf.writeUInt16LE(tags.length, 8);
  }
  let p = head + (bigTiff ? 8 : 2);
  for (const [tag, type, count, value] of tags) {
    buf.writeUInt16LE(tag, p);
    buf.writeUInt16LE(type, p + 2);
    if (bigTiff) buf.writeBigUInt64LE(BigInt(count), p + 4);
    else buf.writeUInt32LE(count, p + 4);
    const at = p + (bigTiff ? 12 : 8);
    const v =
      value === "bps" ? bpsAt : value === "offsets" ? offsetsAt : value === "counts" ? countsAt : value;
    // One value that fits is stored in place; arrays and the 3 bits-per-sample are pointed to.
    const inPlace =
      count === 1 || (value === "offsets" && n * word <= word) || (value === "counts" && n * 4 <= word);
    if (value === "bps" && bigTiff) for (let i = 0; i < 3; i++) buf.writeUInt16LE(8, at + i * 2);
    else if (inPlace && value === "offsets") {
      if (bigTiff) buf.writeBigUInt64LE(BigInt(dataAt), at);
      else buf.writeUInt32LE(dataAt, at);
    } else if (inPlace && value === "counts") buf.writeUInt32LE(pieces[0] ?? 0, at);
    else if (type === 3 && count === 1) buf.writeUInt16LE(v, at);
    else if (bigTiff) buf.writeBigUInt64LE(BigInt(v), at);
    else buf.writeUInt32LE(v, at);
    p += entrySize;
  }
  for (let i = 0; i < 3; i++) buf.writeUInt16LE(8, bpsAt + i * 2);
  pieces.forEach((size, s) => {
    if (bigTiff) buf.writeBigUInt64LE(BigInt(dataAt), offsetsAt + s * word);
    else buf.writeUInt32LE(dataAt, offsetsAt + s * word);
    buf.writeUInt32LE(size, countsAt + s * 4);
    for (let i = 0; i < size; i++) buf[dataAt + i] = (i * 31 + s * 7) % 251;
    dataAt += size;
  });
  return buf;
};

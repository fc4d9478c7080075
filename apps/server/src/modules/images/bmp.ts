/**
 * A small BMP decoder: libvips (and so sharp) cannot read BMP, browsers can. Covers what cameras,
 * scanners and Windows tools write: uncompressed 1/4/8-bit palettes, 24-bit and 32-bit (BI_RGB and
 * BI_BITFIELDS with the usual masks), bottom-up and top-down rows. Anything else gets a clear reason.
 */
export interface DecodedBmp {
  width: number;
  height: number;
  /** RGBA, 4 bytes per pixel, top row first. */
  data: Buffer;
}

export type BmpResult = { ok: true; value: DecodedBmp } | { ok: false; reason: string };

export const readBmpHeader = (
  buf: Buffer,
): { ok: true; width: number; height: number } | { ok: false; reason: string } => {
  if (buf.length < 26 || buf.toString("ascii", 0, 2) !== "BM") return { ok: false, reason: "not a BMP file" };
  const headerSize = buf.readUInt32LE(14);
  if (headerSize === 12) return { ok: true, width: buf.readUInt16LE(18), height: buf.readUInt16LE(20) };
  if (buf.length < 26) return { ok: false, reason: "BMP header is truncated" };
  return { ok: true, width: Math.abs(buf.readInt32LE(18)), height: Math.abs(buf.readInt32LE(22)) };
};

export const decodeBmp = (buf: Buffer): BmpResult => {
  if (buf.length < 54 || buf.toString("ascii", 0, 2) !== "BM")
    return { ok: false, reason: "BMP header is truncated" };
  const dataOffset = buf.readUInt32LE(10);
  const headerSize = buf.readUInt32LE(14);
  if (headerSize < 40) return { ok: false, reason: "OS/2 BMP headers are not supported" };
  const width = buf.readInt32LE(18);
  const rawHeight = buf.readInt32LE(22);
  const bpp = buf.readUInt16LE(28);
  const compression = buf.readUInt32LE(30);
  const height = Math.abs(rawHeight);
  const topDown = rawHeight < 0;
  if (width <= 0 || height === 0) return { ok: false, reason: "BMP has no pixels" };
  if (!(compression === 0 || (compression === 3 && (bpp === 32 || bpp === 16)))) {
    return { ok: false, reason: `BMP compression ${compression} is not supported (only uncompressed BMPs)` };
  }
  if (![1, 4, 8, 16, 24, 32].includes(bpp))
    return { ok: false, reason: `BMP with ${bpp} bits per pixel is not supported` };
  const stride = Math.floor((bpp * width + 31) / 32) * 4;
  if (dataOffset + stride * height > buf.length) return { ok: false, reason: "BMP pixel data is truncated" };

  const colors = buf.readUInt32LE(46) || (bpp <= 8 ? 1 << bpp : 0);
  const paletteAt = 14 + headerSize;
  let masks = { r: 0xff0000, g: 0xff00, b: 0xff, a: 0 };
  if (compression === 3) {
    masks = {
      r: buf.readUInt32LE(54),
      g: buf.readUInt32LE(58),
      b: buf.readUInt32LE(62),
      a: headerSize >= 56 ? buf.readUInt32LE(66) : 0,
    };
  } else if (bpp === 16) {
    masks = { r: 0x7c00, g: 0x03e0, b: 0x001f, a: 0 };
  }
  const channel = (v: number, mask: number) => {
    if (mask === 0) return 255;
    const shift = Math.log2(mask & -mask);
    const max = mask >>> shift;
    return Math.round((((v & mask) >>> shift) * 255) / max);
  };

  const out = Buffer.alloc(width * height * 4);
  for (let y = 0; y < height; y++) {
    const row = dataOffset + (topDown ? y : height - 1 - y) * stride;
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * 4;
      if (bpp <= 8) {
        const bit = x * bpp;
        const byte = buf[row + (bit >> 3)] ?? 0;
        const idx = (byte >> (8 - bpp - (bit & 7))) & ((1 << bpp) - 1);
        const p = paletteAt + Math.min(idx, colors - 1) * 4;
        out[o] = buf[p + 2] ?? 0;
        out[o + 1] = buf[p + 1] ?? 0;
        out[o + 2] = buf[p] ?? 0;
        out[o + 3] = 255;
      } else if (bpp === 24) {
        const p = row + x * 3;
        out[o] = buf[p + 2] ?? 0;
        out[o + 1] = buf[p + 1] ?? 0;
        out[o + 2] = buf[p] ?? 0;
        out[o + 3] = 255;
      } else {
        const v = bpp === 32 ? buf.readUInt32LE(row + x * 4) : buf.readUInt16LE(row + x * 2);
        out[o] = channel(v, masks.r);
        out[o + 1] = channel(v, masks.g);
        out[o + 2] = channel(v, masks.b);
        out[o + 3] = compression === 3 && masks.a ? channel(v, masks.a) : 255;
      }
    }
  }
  return { ok: true, value: { width, height, data: out } };
};

import { describe, expect, it } from "vitest";
import { bmp24 } from "../../test-support/images.js";
import { decodeBmp, readBmpHeader } from "./bmp.js";

/** A BITMAPINFOHEADER BMP with the given bit depth, palette and raw rows (already padded, file order). */
const bmp = (o: {
  width: number;
  height: number;
  bpp: number;
  rows: number[][];
  palette?: [number, number, number][];
  compression?: number;
  masks?: number[];
}) => {
  const palette = o.palette ?? [];
  const masks = o.masks ?? [];
  const headerEnd = 54 + masks.length * 4;
  const offset = headerEnd + palette.length * 4;
  const data = Buffer.from(o.rows.flat());
  const buf = Buffer.alloc(offset + data.length);
  buf.write("BM", 0, "ascii");
  buf.writeUInt32LE(buf.length, 2);
  buf.writeUInt32LE(offset, 10);
  buf.writeUInt32LE(40, 14);
  buf.writeInt32LE(o.width, 18);
  buf.writeInt32LE(o.height, 22);
  buf.writeUInt16LE(1, 26);
  buf.writeUInt16LE(o.bpp, 28);
  buf.writeUInt32LE(o.compression ?? 0, 30);
  buf.writeUInt32LE(palette.length, 46);
  masks.forEach((m, i) => {
    buf.writeUInt32LE(m, 54 + i * 4);
  });
  palette.forEach(([r, g, b], i) => {
    buf[headerEnd + i * 4] = b;
    buf[headerEnd + i * 4 + 1] = g;
    buf[headerEnd + i * 4 + 2] = r;
  });
  data.copy(buf, offset);
  return buf;
};

const pixels = (buf: Buffer) => {
  const r = decodeBmp(buf);
  if (!r.ok) throw new Error(r.reason);
  const { width, height, data } = r.value;
  const out: number[][] = [];
  for (let i = 0; i < width * height; i++) out.push([...data.subarray(i * 4, i * 4 + 4)]);
  return { width, height, px: out };
};

const RED = [255, 0, 0, 255];
const GREEN = [0, 255, 0, 255];
const BLUE = [0, 0, 255, 255];
const WHITE = [255, 255, 255, 255];

describe("decodeBmp", () => {
  it("reads a 24-bit bottom-up BMP with row padding, top row first", () => {
    // 3 pixels wide: 9 bytes of pixels + 3 of padding per row.
    const buf = bmp24(3, 2, (x, y) => (y === 0 ? [255, 0, 0] : x === 2 ? [0, 0, 255] : [0, 255, 0]));
    expect(pixels(buf)).toEqual({ width: 3, height: 2, px: [RED, RED, RED, GREEN, GREEN, BLUE] });
  });

  it("reads a top-down BMP (negative height)", () => {
    const buf = bmp({
      width: 1,
      height: -2,
      bpp: 24,
      rows: [
        [0, 0, 255, 0],
        [255, 0, 0, 0],
      ],
    });
    expect(pixels(buf)).toEqual({ width: 1, height: 2, px: [RED, BLUE] });
  });

  it.each([
    [1, [[0b10100000, 0, 0, 0]], [RED, WHITE, RED]],
    [4, [[0x10, 0x10, 0, 0]], [RED, WHITE, RED]],
    [8, [[1, 0, 1, 0]], [RED, WHITE, RED]],
  ])("reads a %d-bit palette BMP", (bpp, rows, expected) => {
    const palette: [number, number, number][] = [
      [255, 255, 255],
      [255, 0, 0],
    ];
    // The leftmost pixel sits in the highest bits of the first byte.
    expect(pixels(bmp({ width: 3, height: 1, bpp, rows, palette })).px).toEqual(expected);
  });

  it("reads 16-bit 5-5-5 and 32-bit BI_BITFIELDS with alpha", () => {
    const p16 = bmp({ width: 2, height: 1, bpp: 16, rows: [[0x00, 0x7c, 0x1f, 0x00]] });
    expect(pixels(p16).px).toEqual([RED, BLUE]);
    const p32 = bmp({
      width: 1,
      height: 1,
      bpp: 32,
      compression: 3,
      masks: [0x00ff0000, 0x0000ff00, 0x000000ff],
      rows: [[0x00, 0xff, 0x00, 0x80]],
    });
    expect(pixels(p32).px).toEqual([GREEN]);
  });

  it.each([
    [
      "not a BMP",
      Buffer.from("GIF89a............................................................"),
      /truncated|not/,
    ],
    ["truncated pixel data", bmp24(10, 10).subarray(0, 100), /pixel data is truncated/],
    [
      "RLE compression",
      bmp({ width: 1, height: 1, bpp: 8, compression: 1, rows: [[0, 0, 0, 0]], palette: [[0, 0, 0]] }),
      /compression 1 is not supported/,
    ],
    ["2 bits per pixel", bmp({ width: 1, height: 1, bpp: 2, rows: [[0, 0, 0, 0]] }), /2 bits per pixel/],
    ["no pixels", bmp({ width: 0, height: 1, bpp: 24, rows: [] }), /no pixels/],
  ])("refuses %s with a reason", (_name, buf, reason) => {
    const r = decodeBmp(buf);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(reason);
  });
});

describe("readBmpHeader", () => {
  it("reads the size without decoding", () => {
    expect(readBmpHeader(bmp24(7, 5))).toEqual({ ok: true, width: 7, height: 5 });
    expect(readBmpHeader(Buffer.from("nope"))).toMatchObject({ ok: false });
  });
});

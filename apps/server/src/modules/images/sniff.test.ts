import { describe, expect, it } from "vitest";
import { bmp24, gif, jpeg, png, textFile, tiff, webp } from "../../test-support/images.js";
import { SNIFF_BYTES, sniffImageFormat } from "./sniff.js";

describe("sniffImageFormat", () => {
  it.each([
    ["jpeg", () => jpeg()],
    ["png", () => png()],
    ["webp", () => webp()],
    ["tiff", () => tiff()],
    ["gif", () => gif()],
    ["bmp", async () => bmp24(2, 2)],
  ])("recognises %s from its first bytes", async (format, make) => {
    const head = (await make()).subarray(0, SNIFF_BYTES);
    expect(sniffImageFormat(head)).toBe(format);
  });

  it.each([
    ["text", textFile()],
    ["empty", Buffer.alloc(0)],
    ["a PDF", Buffer.from("%PDF-1.7\n%\xe2\xe3")],
    ["a RIFF that is not WebP (WAV)", Buffer.from("RIFF\x24\x00\x00\x00WAVEfmt ")],
    ["an SVG", Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>')],
    ["half a JPEG marker", Buffer.from([0xff, 0xd8])],
    ["text that starts with BM", Buffer.from("BMW service log, 2024-01-01\n")],
    ["big-endian TIFF magic with a wrong version", Buffer.from("MM\x00\x2b\x00\x00\x00\x08")],
  ])("refuses %s", (_name, bytes) => {
    expect(sniffImageFormat(bytes)).toBeNull();
  });

  it("recognises big-endian TIFF", () => {
    expect(sniffImageFormat(Buffer.from("MM\x00\x2a\x00\x00\x00\x08"))).toBe("tiff");
  });
});

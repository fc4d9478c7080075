import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ifdFirstTiff, tiff } from "../../test-support/images.js";
import { checkTiffExtent } from "./tiff-extent.js";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "labelbench-tiff-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
let n = 0;
const check = (bytes: Buffer) => {
  const file = path.join(dir, `${n++}.tif`);
  fs.writeFileSync(file, bytes);
  return checkTiffExtent(file);
};

describe("checkTiffExtent", () => {
  it.each([
    ["strips", {}],
    ["tiles", { tile: 16 }],
    ["BigTIFF strips", { bigTiff: true }],
    ["BigTIFF tiles", { bigTiff: true, tile: 16 }],
    ["one strip (tables in the entry)", { height: 8 }],
  ] as const)("accepts a whole file (%s) and names the first piece a cut one misses", async (_, o) => {
    const full = ifdFirstTiff(o);
    expect(await check(full)).toEqual({ ok: true });
    const r = await check(full.subarray(0, full.length - 1));
    expect(r.ok).toBe(false);
    expect(!r.ok && r.reason).toMatch(
      /^truncated TIFF: (strip|tile) \d+ of \d+ ends at byte [\d,]+, but the file has [\d,]+ bytes$/,
    );
  });

  it("accepts what sharp writes and refuses it cut inside its directory", async () => {
    const full = await tiff({ width: 40, height: 30 });
    expect(await check(full)).toEqual({ ok: true });
    const ifdAt = full.readUInt32LE(4);
    const r = await check(full.subarray(0, ifdAt + 3));
    expect(!r.ok && r.reason).toMatch(
      /^truncated TIFF: its directory of \d+ entries ends past the end of the file/,
    );
  });

  it("refuses a file shorter than a header", async () => {
    expect(await check(Buffer.from("II*\0"))).toEqual({
      ok: false,
      reason: "truncated TIFF: the header needs 16 bytes, the file has 4",
    });
  });
});

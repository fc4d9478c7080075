import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import zlib from "node:zlib";
import { afterEach, describe, expect, it } from "vitest";
import { deflated, type RawZipEntry, rawZip } from "./raw-zip.js";
import { extractEntry, readEntrySync, readZip } from "./zip-reader.js";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

/** Writes the zip, extracts its first entry with extractEntry, and gives back the bytes (or the error). */
const extract = async (entry: RawZipEntry): Promise<Buffer> => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "labelbench-zip-"));
  dirs.push(dir);
  const file = path.join(dir, "a.zip");
  fs.writeFileSync(file, rawZip([entry]));
  const zip = await readZip(file);
  try {
    const item = zip.items[0];
    if (!item) throw new Error("no entry");
    const dest = path.join(dir, "out");
    await extractEntry(file, item, dest);
    return fs.readFileSync(dest);
  } finally {
    zip.close();
  }
};

/** Several MiB of text that deflates well but not to nothing: many 1 MiB pieces each way. */
const bigText = Buffer.from(
  Array.from({ length: 250_000 }, (_, i) => `{"id":${i},"bbox":[${i % 640},${i % 480},32.5,20]}`).join(","),
);

describe("extractEntry", () => {
  it("writes a deflated entry of several MiB and a stored one byte for byte, as readEntrySync reads them", async () => {
    expect(bigText.length).toBeGreaterThan(8 * 1024 * 1024);
    expect((await extract(deflated("big.json", bigText))).equals(bigText)).toBe(true);
    const stored = Buffer.from("stored bytes");
    expect((await extract({ name: "s.txt", data: stored, method: 0 })).equals(stored)).toBe(true);
    expect((await extract({ name: "empty.txt", data: Buffer.alloc(0), method: 0 })).length).toBe(0);
    // The same bytes as the synchronous reader gives.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "labelbench-zip-"));
    dirs.push(dir);
    const file = path.join(dir, "b.zip");
    fs.writeFileSync(file, rawZip([deflated("big.json", bigText)]));
    const zip = await readZip(file);
    const fd = fs.openSync(file, "r");
    try {
      expect(readEntrySync(fd, zip.items[0] as never).equals(bigText)).toBe(true);
    } finally {
      fs.closeSync(fd);
      zip.close();
    }
  });

  it("refuses an entry that holds more or fewer bytes than declared, fails its CRC, or does not inflate", async () => {
    const entry = deflated("big.json", bigText);
    await expect(extract({ ...entry, size: 1024 * 1024 })).rejects.toThrow(
      "big.json holds more than the 1048576 bytes its zip header declares",
    );
    await expect(extract({ ...entry, size: bigText.length + 5 })).rejects.toThrow(
      `big.json holds ${bigText.length} bytes, its zip header declares ${bigText.length + 5}`,
    );
    await expect(extract({ ...entry, crc: (zlib.crc32(bigText) + 1) >>> 0 })).rejects.toThrow(
      "big.json fails its CRC check (corrupt zip)",
    );
    const broken = Buffer.from(entry.data);
    broken.fill(0xff, 100, 400);
    await expect(extract({ ...entry, data: broken })).rejects.toThrow(
      /big\.json cannot be inflated|big\.json holds|CRC/,
    );
    await expect(extract({ ...entry, data: entry.data.subarray(0, entry.data.length >> 1) })).rejects.toThrow(
      /big\.json cannot be inflated: unexpected end of file/,
    );
  });
});

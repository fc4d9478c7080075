import fsp from "node:fs/promises";

/**
 * Checks that every strip (or tile) of a TIFF's first image lies inside the file. libtiff reports
 * a strip cut off by the end of the file as a warning, so a TIFF laid out directory first and
 * truncated decodes "successfully" into a partly blank thumbnail (and then fails at full size);
 * the directory alone tells whether the pixel data is all there, without decoding anything.
 */
export type TiffExtent = { ok: true } | { ok: false; reason: string };

const STRIP_OFFSETS = 273;
const STRIP_BYTE_COUNTS = 279;
const TILE_OFFSETS = 324;
const TILE_BYTE_COUNTS = 325;
/** Bytes per value of the TIFF field types offsets and counts use: SHORT, LONG, LONG8. */
const TYPE_SIZE: Record<number, number> = { 3: 2, 4: 4, 16: 8 };

const n = (v: number) => v.toLocaleString("en-US");

interface Entry {
  type: number;
  count: number;
  /** Where the values are: inside the entry when they fit, else at the offset it holds. */
  at: number;
}

export const checkTiffExtent = async (file: string): Promise<TiffExtent> => {
  const fh = await fsp.open(file, "r");
  try {
    const size = (await fh.stat()).size;
    const read = async (pos: number, len: number): Promise<Buffer | null> => {
      if (pos < 0 || len < 0 || pos + len > size) return null;
      const b = Buffer.alloc(len);
      await fh.read(b, 0, len, pos);
      return b;
    };
    const head = await read(0, 16);
    if (!head)
      return { ok: false, reason: `truncated TIFF: the header needs 16 bytes, the file has ${n(size)}` };
    const le = head.toString("latin1", 0, 2) === "II";
    const u16 = (b: Buffer, o: number) => (le ? b.readUInt16LE(o) : b.readUInt16BE(o));
    const u32 = (b: Buffer, o: number) => (le ? b.readUInt32LE(o) : b.readUInt32BE(o));
    const u64 = (b: Buffer, o: number) => Number(le ? b.readBigUInt64LE(o) : b.readBigUInt64BE(o));
    const big = u16(head, 2) === 43;
    const ifdAt = big ? u64(head, 8) : u32(head, 4);
    const countBytes = big ? 8 : 2;
    const entrySize = big ? 20 : 12;
    const countBuf = await read(ifdAt, countBytes);
    if (!countBuf)
      return {
        ok: false,
        reason: `truncated TIFF: its directory starts at byte ${n(ifdAt)}, the file has ${n(size)} bytes`,
      };
    const entries = big ? u64(countBuf, 0) : u16(countBuf, 0);
    const table = await read(ifdAt + countBytes, entries * entrySize);
    if (!table)
      return {
        ok: false,
        reason: `truncated TIFF: its directory of ${n(entries)} entries ends past the end of the file (${n(size)} bytes)`,
      };
    const found = new Map<number, Entry>();
    for (let i = 0; i < entries; i++) {
      const e = i * entrySize;
      const tag = u16(table, e);
      if (![STRIP_OFFSETS, STRIP_BYTE_COUNTS, TILE_OFFSETS, TILE_BYTE_COUNTS].includes(tag)) continue;
      const type = u16(table, e + 2);
      const count = big ? u64(table, e + 4) : u32(table, e + 4);
      const valueAt = ifdAt + countBytes + e + (big ? 12 : 8);
      const width = TYPE_SIZE[type];
      if (width === undefined)
        return { ok: false, reason: `corrupt TIFF: tag ${tag} has field type ${type}` };
      const inline = count * width <= (big ? 8 : 4);
      found.set(tag, { type, count, at: inline ? valueAt : big ? u64(table, e + 12) : u32(table, e + 8) });
    }
    const tiled = found.has(TILE_OFFSETS);
    const what = tiled ? "tile" : "strip";
    const offsets = found.get(tiled ? TILE_OFFSETS : STRIP_OFFSETS);
    const counts = found.get(tiled ? TILE_BYTE_COUNTS : STRIP_BYTE_COUNTS);
    // No table to check against (an unusual layout): leave it to the decoder.
    if (!offsets || !counts || offsets.count !== counts.count) return { ok: true };
    const values = async (e: Entry, name: string): Promise<number[] | string> => {
      const width = TYPE_SIZE[e.type] ?? 4;
      const b = await read(e.at, e.count * width);
      if (!b)
        return `truncated TIFF: its table of ${n(e.count)} ${name} ends past the end of the file (${n(size)} bytes)`;
      return Array.from({ length: e.count }, (_, i) =>
        width === 2 ? u16(b, i * 2) : width === 4 ? u32(b, i * 4) : u64(b, i * 8),
      );
    };
    const starts = await values(offsets, `${what} offsets`);
    if (typeof starts === "string") return { ok: false, reason: starts };
    const lengths = await values(counts, `${what} sizes`);
    if (typeof lengths === "string") return { ok: false, reason: lengths };
    for (let i = 0; i < starts.length; i++) {
      const end = (starts[i] ?? 0) + (lengths[i] ?? 0);
      if (end > size) {
        return {
          ok: false,
          reason: `truncated TIFF: ${what} ${n(i + 1)} of ${n(starts.length)} ends at byte ${n(end)}, but the file has ${n(size)} bytes`,
        };
      }
    }
    return { ok: true };
  } finally {
    await fh.close();
  }
};

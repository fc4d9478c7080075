import zlib from "node:zlib";

/** One entry of a hand-made zip: its bytes as stored and what its headers claim. */
export interface RawZipEntry {
  name: string;
  /** The bytes after the local header (already compressed when `method` is not 0). */
  data: Buffer;
  method: number;
  /** Declared sizes and CRC; default to what `data` really is (for a stored entry). */
  size?: number;
  crc?: number;
}

/**
 * A zip written byte by byte, headers saying whatever the entry says: tests use it for zips no
 * honest writer makes (a bzip2 entry, an entry larger than its declared size, a zip bomb).
 */
export const rawZip = (entries: readonly RawZipEntry[]): Buffer => {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name);
    const crc = e.crc ?? zlib.crc32(e.data);
    const size = e.size ?? e.data.length;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(e.method, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(e.data.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(e.method, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(e.data.length, 20);
    central.writeUInt32LE(size, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, e.data);
    centrals.push(central, name);
    offset += local.length + name.length + e.data.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
};

/** A deflated entry whose headers tell the truth. */
export const deflated = (name: string, content: Buffer | string): RawZipEntry => {
  const bytes = typeof content === "string" ? Buffer.from(content) : content;
  return { name, data: zlib.deflateRawSync(bytes), method: 8, size: bytes.length, crc: zlib.crc32(bytes) };
};

import type { Readable, Writable } from "node:stream";
import zlib from "node:zlib";

/**
 * A streaming, deterministic ZIP writer. yazl (installed) rescans its whole entry list for every
 * entry and pipes five streams per entry: ~150 s for 100,000 label files. This writes entries
 * one after another straight into the response with backpressure, keeps only the central
 * directory in memory (~100 bytes per entry), stamps every entry 1980-01-01 00:00 with mode 0644
 * so the same files give the same bytes, and switches to ZIP64 records when a dataset passes
 * 65,535 entries or 4 GiB of offsets. A single entry must stay below 4 GiB.
 */

const DOS_DATE_1980 = (0 << 9) | (1 << 5) | 1;
const DOS_TIME_0 = 0;
const FLAG_DESCRIPTOR = 1 << 3;
const FLAG_UTF8 = 1 << 11;
const STORE = 0;
const DEFLATE = 8;
const MAX32 = 0xffffffff;
const MAX16 = 0xffff;
const FILE_MODE = 0o100644;
/**
 * Node builds a whole zlib stream object per deflate call, ~50 µs whatever the input size: 5 s
 * for 100,000 label files. Files under 2 KiB (a YOLO label file, a small VOC XML) are stored
 * instead; they would shrink by a few hundred bytes at most.
 */
const STORE_BELOW = 2048;
/**
 * Each call allocates a zlib state outside the JS heap that lives until the next GC; with the
 * default 32 KiB window that is ~270 KiB per file and VOC exports peaked near 900 MB. A 4 KiB
 * window (~20 KiB of state) compresses a few-KiB XML file almost as well.
 */
const SMALL_DEFLATE: zlib.ZlibOptions = { level: 6, windowBits: 12, memLevel: 5 };
/** Entries up to this size are compressed in one synchronous call; larger ones stream through zlib. */
const SYNC_DEFLATE_LIMIT = 1 << 20;

interface CentralEntry {
  /** Kept as a string: a small Buffer would pin its whole 8 KiB pool slab until the end. */
  name: string;
  flags: number;
  method: number;
  crc: number;
  compressed: number;
  size: number;
  offset: number;
}

export class ZipWriter {
  private offset = 0;
  private readonly entries: CentralEntry[] = [];
  private closed = false;

  constructor(private readonly out: Writable) {}

  /** Bytes written so far. */
  get written(): number {
    return this.offset;
  }

  /** Output is gathered into ~64 KiB writes: one `write` per tiny entry would cost more than the entry. */
  private pending: Buffer[] = [];
  private pendingBytes = 0;

  private push(buf: Buffer) {
    if (this.closed) throw new Error("zip output closed");
    this.offset += buf.length;
    this.pending.push(buf);
    this.pendingBytes += buf.length;
  }

  private async flush(force = false): Promise<void> {
    if (this.pendingBytes === 0 || (!force && this.pendingBytes < 64 * 1024)) return;
    const chunk = this.pending.length === 1 ? (this.pending[0] as Buffer) : Buffer.concat(this.pending);
    this.pending = [];
    this.pendingBytes = 0;
    if (!this.out.write(chunk)) await drainOrClose(this.out);
  }

  private async write(buf: Buffer): Promise<void> {
    collectGarbageEvery(buf.length);
    this.push(buf);
    await this.flush();
  }

  private localHeader(
    name: Buffer,
    flags: number,
    method: number,
    crc: number,
    compressed: number,
    size: number,
  ) {
    const h = Buffer.alloc(30);
    h.writeUInt32LE(0x04034b50, 0);
    h.writeUInt16LE(20, 4);
    h.writeUInt16LE(flags, 6);
    h.writeUInt16LE(method, 8);
    h.writeUInt16LE(DOS_TIME_0, 10);
    h.writeUInt16LE(DOS_DATE_1980, 12);
    h.writeUInt32LE(crc, 14);
    h.writeUInt32LE(compressed, 18);
    h.writeUInt32LE(size, 22);
    h.writeUInt16LE(name.length, 26);
    h.writeUInt16LE(0, 28);
    return Buffer.concat([h, name]);
  }

  private descriptor(crc: number, compressed: number, size: number) {
    if (compressed > MAX32 || size > MAX32) throw new Error("a single zip entry must stay below 4 GiB");
    const d = Buffer.alloc(16);
    d.writeUInt32LE(0x08074b50, 0);
    d.writeUInt32LE(crc, 4);
    d.writeUInt32LE(compressed, 8);
    d.writeUInt32LE(size, 12);
    return d;
  }

  /** A file whose bytes are in memory (label files, XML, YAML, the manifest). */
  async addBuffer(path: string, data: Buffer): Promise<void> {
    const name = Buffer.from(path, "utf8");
    const offset = this.offset;
    const crc = zlib.crc32(data);
    if (data.length > SYNC_DEFLATE_LIMIT) {
      await this.addStream(
        path,
        (async function* () {
          yield data;
        })(),
      );
      return;
    }
    const deflated = data.length < STORE_BELOW ? data : zlib.deflateRawSync(data, SMALL_DEFLATE);
    const method = deflated.length < data.length ? DEFLATE : STORE;
    const body = method === DEFLATE ? deflated : data;
    this.push(this.localHeader(name, FLAG_UTF8, method, crc, body.length, data.length));
    this.push(body);
    await this.flush();
    this.entries.push({
      name: path,
      flags: FLAG_UTF8,
      method,
      crc,
      compressed: body.length,
      size: data.length,
      offset,
    });
  }

  /**
   * A file produced piece by piece (a COCO JSON of a million annotations), deflated on the way
   * with CRC and sizes in a trailing data descriptor.
   */
  async addStream(path: string, chunks: AsyncIterable<Buffer> | Iterable<Buffer>): Promise<void> {
    const name = Buffer.from(path, "utf8");
    const offset = this.offset;
    const flags = FLAG_UTF8 | FLAG_DESCRIPTOR;
    await this.write(this.localHeader(name, flags, DEFLATE, 0, 0, 0));
    let crc = 0;
    let size = 0;
    let compressed = 0;
    // Level 1: a 1M-annotation COCO export took 22 s at level 6 and 16 s at level 1 for 14% more bytes.
    const deflate = zlib.createDeflateRaw({ level: 1, chunkSize: 64 * 1024 });
    const pump = (async () => {
      for await (const out of deflate) {
        compressed += (out as Buffer).length;
        await this.write(out as Buffer);
      }
    })();
    try {
      for await (const chunk of chunks) {
        crc = zlib.crc32(chunk, crc);
        size += chunk.length;
        if (!deflate.write(chunk)) await drainOrClose(deflate);
        if (this.closed) throw new Error("zip output closed");
      }
      deflate.end();
      await pump;
    } catch (err) {
      deflate.destroy();
      await pump.catch(() => undefined);
      throw err;
    }
    await this.write(this.descriptor(crc, compressed, size));
    this.entries.push({ name: path, flags, method: DEFLATE, crc, compressed, size, offset });
  }

  /** Bytes copied as they are (images are compressed already), CRC computed while copying. */
  async addStored(path: string, source: Readable): Promise<void> {
    const name = Buffer.from(path, "utf8");
    const offset = this.offset;
    const flags = FLAG_UTF8 | FLAG_DESCRIPTOR;
    await this.write(this.localHeader(name, flags, STORE, 0, 0, 0));
    let crc = 0;
    let size = 0;
    try {
      for await (const chunk of source) {
        const b = chunk as Buffer;
        crc = zlib.crc32(b, crc);
        size += b.length;
        await this.write(b);
      }
    } catch (err) {
      source.destroy();
      throw err;
    }
    await this.write(this.descriptor(crc, size, size));
    this.entries.push({ name: path, flags, method: STORE, crc, compressed: size, size, offset });
  }

  /** Writes the central directory (ZIP64 when needed) and ends the output. */
  async finish(): Promise<void> {
    const cdStart = this.offset;
    for (const e of this.entries) {
      const zip64 = e.offset >= MAX32;
      const extra = zip64 ? Buffer.alloc(12) : Buffer.alloc(0);
      if (zip64) {
        extra.writeUInt16LE(0x0001, 0);
        extra.writeUInt16LE(8, 2);
        extra.writeBigUInt64LE(BigInt(e.offset), 4);
      }
      const h = Buffer.alloc(46);
      h.writeUInt32LE(0x02014b50, 0);
      h.writeUInt16LE((3 << 8) | 45, 4); // made by Unix, spec 4.5
      h.writeUInt16LE(zip64 ? 45 : 20, 6);
      h.writeUInt16LE(e.flags, 8);
      h.writeUInt16LE(e.method, 10);
      h.writeUInt16LE(DOS_TIME_0, 12);
      h.writeUInt16LE(DOS_DATE_1980, 14);
      h.writeUInt32LE(e.crc, 16);
      h.writeUInt32LE(e.compressed, 20);
      h.writeUInt32LE(e.size, 24);
      const name = Buffer.from(e.name, "utf8");
      h.writeUInt16LE(name.length, 28);
      h.writeUInt16LE(extra.length, 30);
      h.writeUInt16LE(0, 32);
      h.writeUInt16LE(0, 34);
      h.writeUInt16LE(0, 36);
      h.writeUInt32LE((FILE_MODE << 16) >>> 0, 38);
      h.writeUInt32LE(zip64 ? MAX32 : e.offset, 42);
      this.push(h);
      this.push(name);
      if (zip64) this.push(extra);
      await this.flush();
    }
    const cdSize = this.offset - cdStart;
    const count = this.entries.length;
    const needs64 = count >= MAX16 || cdStart >= MAX32 || cdSize >= MAX32;
    if (needs64) {
      const recordOffset = this.offset;
      const r = Buffer.alloc(56);
      r.writeUInt32LE(0x06064b50, 0);
      r.writeBigUInt64LE(44n, 4);
      r.writeUInt16LE((3 << 8) | 45, 12);
      r.writeUInt16LE(45, 14);
      r.writeUInt32LE(0, 16);
      r.writeUInt32LE(0, 20);
      r.writeBigUInt64LE(BigInt(count), 24);
      r.writeBigUInt64LE(BigInt(count), 32);
      r.writeBigUInt64LE(BigInt(cdSize), 40);
      r.writeBigUInt64LE(BigInt(cdStart), 48);
      const locator = Buffer.alloc(20);
      locator.writeUInt32LE(0x07064b50, 0);
      locator.writeUInt32LE(0, 4);
      locator.writeBigUInt64LE(BigInt(recordOffset), 8);
      locator.writeUInt32LE(1, 16);
      await this.write(Buffer.concat([r, locator]));
    }
    const end = Buffer.alloc(22);
    end.writeUInt32LE(0x06054b50, 0);
    end.writeUInt16LE(0, 4);
    end.writeUInt16LE(0, 6);
    end.writeUInt16LE(needs64 ? MAX16 : count, 8);
    end.writeUInt16LE(needs64 ? MAX16 : count, 10);
    end.writeUInt32LE(needs64 ? MAX32 : cdSize, 12);
    end.writeUInt32LE(needs64 ? MAX32 : cdStart, 16);
    end.writeUInt16LE(0, 20);
    this.push(end);
    await this.flush(true);
    this.out.end();
  }

  /** Stops writing (the client went away); pending writes reject. */
  abort() {
    this.closed = true;
  }
}

/** Waits for `drain`, or fails when the stream closes or errors first (a client that hung up). */
const drainOrClose = (s: Writable): Promise<void> =>
  new Promise<void>((resolve, reject) => {
    if (s.destroyed || s.writableEnded) {
      reject(new Error("output closed before the export finished"));
      return;
    }
    const done = (err?: Error) => {
      s.off("drain", onDrain);
      s.off("close", onClose);
      s.off("error", onError);
      if (err) reject(err);
      else resolve();
    };
    const onDrain = () => done();
    const onClose = () => done(new Error("output closed before the export finished"));
    const onError = (err: Error) => done(err);
    s.on("drain", onDrain);
    s.on("close", onClose);
    s.on("error", onError);
  });

/** Batches many small strings into ~64 KiB buffers (one zlib call per batch, not per string). */
/**
 * V8 grows the old generation lazily: a 1M-annotation export keeps ~60 MB alive but let the heap
 * reach 350 MB of garbage before collecting. When the process runs with --expose-gc (as `npm start`
 * does), a full collection every 12 MB of zip output keeps the peak near the live size for ~1% of
 * the time.
 */
const GC_EVERY_BYTES = 12 * 1024 * 1024;
let sinceGc = 0;
const collectGarbageEvery = (bytes: number) => {
  sinceGc += bytes;
  if (sinceGc < GC_EVERY_BYTES) return;
  sinceGc = 0;
  (globalThis as { gc?: () => void }).gc?.();
};

export async function* utf8Batches(chunks: Iterable<string>, batchBytes = 64 * 1024): AsyncGenerator<Buffer> {
  let parts: string[] = [];
  let length = 0;
  for (const c of chunks) {
    parts.push(c);
    length += c.length;
    if (length >= batchBytes) {
      yield Buffer.from(parts.join(""), "utf8");
      parts = [];
      length = 0;
    }
  }
  if (parts.length > 0) yield Buffer.from(parts.join(""), "utf8");
}

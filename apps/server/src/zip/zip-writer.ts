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
/**
 * Longest stretch of synchronous encoding before other requests get a turn: short enough for an
 * editor's save to stay quick, long enough that the export is not starved by a stream of them.
 */
const SLICE_MS = 25;
/** Entries up to this size are compressed in one synchronous call; larger ones stream through zlib. */
const SYNC_DEFLATE_LIMIT = 1 << 20;
/** Input per independently compressed block of a streamed entry (BlockDeflater). */
const DEFLATE_BLOCK = 1 << 20;
/** Room for a block's last piece beyond DEFLATE_BLOCK (pieces are ~64 KiB), so a block is copied once. */
const BLOCK_CAPACITY = DEFLATE_BLOCK + (256 << 10);
/** Blocks compressing at once: libuv's threadpool has four threads. */
const BLOCKS_IN_FLIGHT = 4;
/** Deflate's window: what a block may refer back to in the one before. */
const DICTIONARY_BYTES = 32 * 1024;

/** Output goes out in writes of this size: one `write` per tiny entry would cost more than the entry. */
const OUT_CHUNK = 256 * 1024;
/** Pieces at least this big are passed through instead of being copied into the output chunk. */
const COPY_BELOW = 16 * 1024;

/**
 * The central directory, serialized as each entry completes into 1 MiB slabs: ~80 bytes per entry
 * in one allocation per 13,000 entries, where a JS object and a name string per entry cost ~150
 * bytes and 100,000 heap objects for the GC to walk.
 */
class CentralDirectory {
  private readonly slabs: Buffer[] = [];
  private slab = Buffer.allocUnsafeSlow(0);
  private used = 0;
  count = 0;
  size = 0;

  add(
    name: string,
    flags: number,
    method: number,
    crc: number,
    compressed: number,
    size: number,
    offset: number,
  ) {
    const nameLength = Buffer.byteLength(name, "utf8");
    const zip64 = offset >= MAX32;
    const extraLength = zip64 ? 12 : 0;
    const length = 46 + nameLength + extraLength;
    if (this.used + length > this.slab.length) {
      if (this.used > 0) this.slabs.push(this.slab.subarray(0, this.used));
      this.slab = Buffer.allocUnsafeSlow(Math.max(1 << 20, length));
      this.used = 0;
    }
    const h = this.slab;
    const at = this.used;
    h.writeUInt32LE(0x02014b50, at);
    h.writeUInt16LE((3 << 8) | 45, at + 4); // made by Unix, spec 4.5
    h.writeUInt16LE(zip64 ? 45 : 20, at + 6);
    h.writeUInt16LE(flags, at + 8);
    h.writeUInt16LE(method, at + 10);
    h.writeUInt16LE(DOS_TIME_0, at + 12);
    h.writeUInt16LE(DOS_DATE_1980, at + 14);
    h.writeUInt32LE(crc, at + 16);
    h.writeUInt32LE(compressed, at + 20);
    h.writeUInt32LE(size, at + 24);
    h.writeUInt16LE(nameLength, at + 28);
    h.writeUInt16LE(extraLength, at + 30);
    h.writeUInt16LE(0, at + 32);
    h.writeUInt16LE(0, at + 34);
    h.writeUInt16LE(0, at + 36);
    h.writeUInt32LE((FILE_MODE << 16) >>> 0, at + 38);
    h.writeUInt32LE(zip64 ? MAX32 : offset, at + 42);
    h.write(name, at + 46, nameLength, "utf8");
    if (zip64) {
      const e = at + 46 + nameLength;
      h.writeUInt16LE(0x0001, e);
      h.writeUInt16LE(8, e + 2);
      h.writeBigUInt64LE(BigInt(offset), e + 4);
    }
    this.used += length;
    this.size += length;
    this.count++;
  }

  /** The records in entry order; the directory is empty afterwards. */
  take(): Buffer[] {
    if (this.used > 0) this.slabs.push(this.slab.subarray(0, this.used));
    const out = this.slabs.splice(0);
    this.slab = Buffer.allocUnsafeSlow(0);
    this.used = 0;
    return out;
  }
}

/**
 * Where the zip's bytes go. A Node stream (an HTTP response, a file) is wrapped with backpressure;
 * the export worker's sink posts the bytes to the main thread and resolves when it has credit.
 */
export interface ZipSink {
  /** Resolves when the sink can take more (backpressure); rejects when the output is gone. */
  write(chunk: Buffer): void | Promise<void>;
  end(): void;
}

const streamSink = (out: Writable): ZipSink => ({
  write: (chunk) => (out.write(chunk) ? undefined : drainOrClose(out)),
  end: () => out.end(),
});

const isSink = (out: Writable | ZipSink): out is ZipSink => !("writableLength" in out);

/**
 * Deflates one zip entry as a series of independent 1 MiB blocks on libuv's threadpool, pigz
 * style: each block ends in a sync flush (byte-aligned, not final) and is primed with the previous
 * block's last 32 KiB as its dictionary, so the blocks concatenate into one valid deflate stream
 * that compresses as well as a single one. A single zlib stream needed the encoding thread's event
 * loop between every 64 KiB of output: while the export worker encoded in 25 ms slices the
 * compressor starved, and the worker then sat idle waiting for it to drain (~2 s of a 13 s
 * 1M-annotation COCO export). A block is one threadpool job, and several run while the worker
 * encodes the next ones.
 */
class BlockDeflater {
  /**
   * The block being gathered. Pieces are copied in as they arrive, so each is garbage at once: kept
   * until the block was full, they outlived the young generation's collections, and their memory
   * (outside the heap) came back only at a full collection, which a well-compressing entry seldom
   * triggers (see collectGarbageEvery): ~1 MiB per block. A block still ends at a piece's end, as
   * before, so the bytes out are the same.
   */
  private block: Buffer = Buffer.allocUnsafeSlow(0);
  private used = 0;
  private dictionary: Buffer | null = null;
  private readonly queue: { out: Promise<Buffer>; done: Buffer | null }[] = [];

  /** Takes input; yields the oldest blocks' outputs that must be awaited (too many in flight). */
  *add(chunk: Buffer): Generator<Promise<Buffer>> {
    if (this.used === 0 && chunk.length >= DEFLATE_BLOCK) {
      // A block by itself (a large buffer written whole): compressed as it is, not copied.
      this.block = chunk;
      this.used = chunk.length;
    } else if (this.used + chunk.length > this.block.length) {
      const grown = Buffer.allocUnsafeSlow(Math.max(BLOCK_CAPACITY, this.used + chunk.length));
      this.block.copy(grown, 0, 0, this.used);
      this.block = grown;
    }
    if (this.block !== chunk) {
      chunk.copy(this.block, this.used);
      this.used += chunk.length;
    }
    if (this.used < DEFLATE_BLOCK) return;
    this.launch(false);
    while (this.queue.length > BLOCKS_IN_FLIGHT) yield (this.queue.shift() as { out: Promise<Buffer> }).out;
  }

  /** The outputs at the head of the queue that are already done, in order. */
  *settled(): Generator<Buffer> {
    while (this.queue[0]?.done) yield (this.queue.shift() as { done: Buffer }).done;
  }

  /** Compresses what is left as the final block; yields every remaining output in order. */
  *end(): Generator<Promise<Buffer>> {
    this.launch(true);
    while (this.queue.length > 0) yield (this.queue.shift() as { out: Promise<Buffer> }).out;
  }

  private launch(last: boolean) {
    const block = this.block.subarray(0, this.used);
    // A block's input is garbage (pieces, block, zlib's output buffer) whatever it compresses to.
    collectGarbageEvery(block.length);
    this.block = Buffer.allocUnsafeSlow(0);
    this.used = 0;
    const options: zlib.ZlibOptions = {
      // Level 1: a 1M-annotation COCO export took 22 s at level 6 and 16 s at level 1 for 14% more bytes.
      level: 1,
      // Room for the whole output, so a block is one threadpool job rather than one per 64 KiB.
      chunkSize: block.length + (64 << 10),
      finishFlush: last ? zlib.constants.Z_FINISH : zlib.constants.Z_SYNC_FLUSH,
      ...(this.dictionary ? { dictionary: this.dictionary } : {}),
    };
    if (block.length >= DICTIONARY_BYTES) this.dictionary = block.subarray(block.length - DICTIONARY_BYTES);
    else if (block.length > 0)
      this.dictionary = Buffer.concat([this.dictionary ?? Buffer.alloc(0), block]).subarray(
        -DICTIONARY_BYTES,
      );
    const entry: { out: Promise<Buffer>; done: Buffer | null } = {
      out: Promise.resolve(Buffer.alloc(0)),
      done: null,
    };
    entry.out = new Promise<Buffer>((resolve, reject) =>
      zlib.deflateRaw(block, options, (err, out) => {
        if (err) reject(err);
        else {
          entry.done = out;
          resolve(out);
        }
      }),
    );
    // A failure surfaces where the block is awaited; this keeps it from being reported unhandled first.
    entry.out.catch(() => undefined);
    this.queue.push(entry);
  }
}

export class ZipWriter {
  private offset = 0;
  private readonly central = new CentralDirectory();
  private closed = false;
  private readonly out: ZipSink;

  constructor(out: Writable | ZipSink) {
    this.out = isSink(out) ? out : streamSink(out);
  }

  /** Bytes written so far. */
  get written(): number {
    return this.offset;
  }

  /** Small pieces are copied into one output chunk; bigger ones queue behind it as they are. */
  private chunk = Buffer.allocUnsafe(OUT_CHUNK);
  private chunkUsed = 0;
  private pending: Buffer[] = [];
  private pendingBytes = 0;

  private seal() {
    if (this.chunkUsed === 0) return;
    this.pending.push(this.chunk.subarray(0, this.chunkUsed));
    this.pendingBytes += this.chunkUsed;
    this.chunk = Buffer.allocUnsafe(OUT_CHUNK);
    this.chunkUsed = 0;
  }

  private push(buf: Buffer) {
    if (this.closed) throw new Error("zip output closed");
    this.offset += buf.length;
    if (buf.length >= COPY_BELOW) {
      this.seal();
      this.pending.push(buf);
      this.pendingBytes += buf.length;
      return;
    }
    if (this.chunkUsed + buf.length > OUT_CHUNK) this.seal();
    buf.copy(this.chunk, this.chunkUsed);
    this.chunkUsed += buf.length;
  }

  private async flush(force = false): Promise<void> {
    if (!force && this.pendingBytes + this.chunkUsed < OUT_CHUNK) return;
    this.seal();
    if (this.pendingBytes === 0) return;
    const chunk = this.pending.length === 1 ? (this.pending[0] as Buffer) : Buffer.concat(this.pending);
    this.pending = [];
    this.pendingBytes = 0;
    collectGarbageEvery(chunk.length);
    await this.out.write(chunk);
  }

  private async write(buf: Buffer): Promise<void> {
    this.push(buf);
    await this.flush();
  }

  /** The local file header, written straight into the output chunk. */
  private localHeader(
    path: string,
    flags: number,
    method: number,
    crc: number,
    compressed: number,
    size: number,
  ) {
    const nameLength = Buffer.byteLength(path, "utf8");
    if (this.closed) throw new Error("zip output closed");
    if (this.chunkUsed + 30 + nameLength > OUT_CHUNK) this.seal();
    const h = this.chunk;
    const at = this.chunkUsed;
    h.writeUInt32LE(0x04034b50, at);
    h.writeUInt16LE(20, at + 4);
    h.writeUInt16LE(flags, at + 6);
    h.writeUInt16LE(method, at + 8);
    h.writeUInt16LE(DOS_TIME_0, at + 10);
    h.writeUInt16LE(DOS_DATE_1980, at + 12);
    h.writeUInt32LE(crc, at + 14);
    h.writeUInt32LE(compressed, at + 18);
    h.writeUInt32LE(size, at + 22);
    h.writeUInt16LE(nameLength, at + 26);
    h.writeUInt16LE(0, at + 28);
    h.write(path, at + 30, nameLength, "utf8");
    this.chunkUsed += 30 + nameLength;
    this.offset += 30 + nameLength;
  }

  private descriptor(crc: number, compressed: number, size: number) {
    if (compressed > MAX32 || size > MAX32) throw new Error("a single zip entry must stay below 4 GiB");
    const d = Buffer.allocUnsafe(16);
    d.writeUInt32LE(0x08074b50, 0);
    d.writeUInt32LE(crc, 4);
    d.writeUInt32LE(compressed, 8);
    d.writeUInt32LE(size, 12);
    return d;
  }

  /** A file whose bytes are in memory (label files, XML, YAML, the manifest). */
  async addBuffer(path: string, data: Buffer): Promise<void> {
    if (data.length > SYNC_DEFLATE_LIMIT) {
      await this.addStream(
        path,
        (async function* () {
          yield data;
        })(),
      );
      return;
    }
    const offset = this.offset;
    const crc = zlib.crc32(data);
    const deflated = data.length < STORE_BELOW ? data : zlib.deflateRawSync(data, SMALL_DEFLATE);
    const method = deflated.length < data.length ? DEFLATE : STORE;
    const body = method === DEFLATE ? deflated : data;
    this.localHeader(path, FLAG_UTF8, method, crc, body.length, data.length);
    this.push(body);
    this.central.add(path, FLAG_UTF8, method, crc, body.length, data.length, offset);
    await this.flush();
  }

  /**
   * A file produced piece by piece (a COCO JSON of a million annotations), deflated on the way
   * with CRC and sizes in a trailing data descriptor.
   */
  async addStream(path: string, chunks: AsyncIterable<Buffer> | Iterable<Buffer>): Promise<void> {
    const offset = this.offset;
    const flags = FLAG_UTF8 | FLAG_DESCRIPTOR;
    this.localHeader(path, flags, DEFLATE, 0, 0, 0);
    await this.flush();
    let crc = 0;
    let size = 0;
    let compressed = 0;
    const blocks = new BlockDeflater();
    const emit = async (out: Buffer) => {
      compressed += out.length;
      await this.write(out);
    };
    let sliceStart = performance.now();
    for await (const chunk of chunks) {
      crc = zlib.crc32(chunk, crc);
      size += chunk.length;
      for (const out of blocks.add(chunk)) await emit(await out);
      if (performance.now() - sliceStart > SLICE_MS) {
        // On the main thread (an in-memory database) this lets waiting requests in; in the
        // export worker, the main thread's acknowledgements and the finished blocks.
        await new Promise<void>((r) => setImmediate(r));
        sliceStart = performance.now();
      }
      for (const out of blocks.settled()) await emit(out);
      if (this.closed) throw new Error("zip output closed");
    }
    for (const out of blocks.end()) await emit(await out);
    await this.write(this.descriptor(crc, compressed, size));
    this.central.add(path, flags, DEFLATE, crc, compressed, size, offset);
  }

  /** Bytes copied as they are (images are compressed already), CRC computed while copying. */
  async addStored(path: string, source: Readable): Promise<void> {
    const offset = this.offset;
    const flags = FLAG_UTF8 | FLAG_DESCRIPTOR;
    try {
      this.localHeader(path, flags, STORE, 0, 0, 0);
      await this.flush();
      let crc = 0;
      let size = 0;
      for await (const chunk of source) {
        const b = chunk as Buffer;
        crc = zlib.crc32(b, crc);
        size += b.length;
        await this.write(b);
      }
      await this.write(this.descriptor(crc, size, size));
      this.central.add(path, flags, STORE, crc, size, size, offset);
    } catch (err) {
      source.destroy();
      throw err;
    }
  }

  /**
   * A stored file whose bytes reach the output another way (the main thread copies an image from
   * storage straight into the response while the export worker waits): `copy` runs after every
   * earlier byte was handed to the sink and reports the CRC and size of what it wrote.
   */
  async addExternal(path: string, copy: () => Promise<{ crc: number; size: number }>): Promise<void> {
    const offset = this.offset;
    const flags = FLAG_UTF8 | FLAG_DESCRIPTOR;
    this.localHeader(path, flags, STORE, 0, 0, 0);
    await this.flush(true);
    if (this.closed) throw new Error("zip output closed");
    const { crc, size } = await copy();
    this.offset += size;
    await this.write(this.descriptor(crc, size, size));
    this.central.add(path, flags, STORE, crc, size, size, offset);
  }

  /** Writes the central directory (ZIP64 when needed) and ends the output. */
  async finish(): Promise<void> {
    const cdStart = this.offset;
    const cdSize = this.central.size;
    const count = this.central.count;
    for (const slab of this.central.take()) await this.write(slab);
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
      this.push(r);
      this.push(locator);
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

/**
 * V8 grows the old generation lazily: a 1M-annotation export keeps ~60 MB alive but let the heap
 * reach 350 MB of garbage before collecting. When the process runs with --expose-gc (as `npm start`
 * does), a full collection every 12 MB of zip output keeps the peak near the live size for ~1% of
 * the time. Bytes deflated count as well: a streamed entry leaves ~3 bytes of buffers outside
 * the heap per byte of input (the pieces, the block, zlib's output buffer), and YOLO's manifest
 * (100,000 files listed) compresses ~28x, so counting output alone let ~35 MB of them pile up at
 * the export's end, its peak. The count is per thread: the export worker collects its own heap as it zips (the main
 * thread, which only pipes the worker's bytes in recycled buffers, makes little garbage).
 */
const GC_EVERY_BYTES = 12 * 1024 * 1024;
let sinceGc = 0;
const collectGarbageEvery = (bytes: number) => {
  sinceGc += bytes;
  if (sinceGc < GC_EVERY_BYTES) return;
  sinceGc = 0;
  (globalThis as { gc?: () => void }).gc?.();
};

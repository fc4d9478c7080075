import fs from "node:fs";
import { PassThrough, Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { StringDecoder } from "node:string_decoder";
import zlib from "node:zlib";
import yauzl from "yauzl";

/** Where an entry's bytes sit in the zip file, for reading it later without yauzl. */
export interface ZipEntryLocation {
  readonly path: string;
  readonly size: number;
  readonly compressedSize: number;
  /** 0 stored, 8 deflated: the only two methods zip tools write for datasets. */
  readonly method: number;
  readonly localHeaderOffset: number;
  readonly crc32: number;
  readonly encrypted: boolean;
}

/** One file of an uploaded zip (directories are skipped). */
export interface ZipItem extends ZipEntryLocation {
  /** The entry's bytes; a read that fails because of the zip itself fails with a ZipEntryError. */
  open(): Promise<Readable>;
}

/**
 * An entry the zip itself makes unreadable: `unsupported` (a compression method or encryption no
 * reader here knows) or `corrupt` (bytes that disagree with the headers). Callers answer it as
 * the client's fault (415, 400); any other error while reading (the disk) stays a server error.
 */
export class ZipEntryError extends Error {
  constructor(
    readonly kind: "unsupported" | "corrupt",
    readonly path: string,
    /** What is wrong with the entry, without its path. */
    readonly reason: string,
  ) {
    super(`${path} ${reason}`);
  }
}

/** The two methods readers here inflate; zip tools name the others by these numbers (APPNOTE 4.4.5). */
const METHOD_NAMES: Record<number, string> = {
  1: "shrink",
  6: "implode",
  9: "deflate64",
  12: "bzip2",
  14: "LZMA",
  93: "Zstandard",
  95: "xz",
  98: "PPMd",
};

/** Null when the entry can be read (stored or deflated, not encrypted); otherwise why not. */
export const unreadableEntry = (e: ZipEntryLocation): ZipEntryError | null => {
  if (e.encrypted) return new ZipEntryError("unsupported", e.path, "is encrypted");
  if (e.method === 0 || e.method === 8) return null;
  const name = METHOD_NAMES[e.method];
  return new ZipEntryError(
    "unsupported",
    e.path,
    `is compressed with ${name ?? "an unknown method"} (zip method ${e.method})`,
  );
};

const overDeclared = (e: ZipEntryLocation) =>
  new ZipEntryError("corrupt", e.path, `holds more than the ${e.size} bytes its zip header declares`);

/** yauzl's complaints about an entry's bytes, in the words of the rest of the import. */
const entryStreamError = (e: ZipEntryLocation, err: Error): ZipEntryError => {
  if (err.message.startsWith("too many bytes in the stream")) return overDeclared(e);
  if (err.message.startsWith("not enough bytes in the stream"))
    return new ZipEntryError(
      "corrupt",
      e.path,
      `holds fewer than the ${e.size} bytes its zip header declares`,
    );
  return new ZipEntryError("corrupt", e.path, `cannot be read: ${err.message}`);
};

const openZip = (file: string): Promise<yauzl.ZipFile> =>
  new Promise((resolve, reject) => {
    yauzl.open(
      file,
      { lazyEntries: true, autoClose: false, decodeStrings: true, validateEntrySizes: true },
      (err, zip) => {
        if (err || !zip) reject(err ?? new Error("cannot open zip"));
        else resolve(zip);
      },
    );
  });

/**
 * Lists a zip's files in archive order. yauzl reads the central directory and validates every
 * name (no absolute paths, no `..`), so an entry can never point outside the dataset.
 */
export const readZip = async (file: string): Promise<{ items: ZipItem[]; close: () => void }> => {
  const zip = await openZip(file);
  const items: ZipItem[] = [];
  await new Promise<void>((resolve, reject) => {
    zip.on("entry", (entry: yauzl.Entry) => {
      if (!entry.fileName.endsWith("/")) {
        const location: ZipEntryLocation = {
          path: entry.fileName,
          size: entry.uncompressedSize,
          compressedSize: entry.compressedSize,
          method: entry.compressionMethod,
          localHeaderOffset: entry.relativeOffsetOfLocalHeader,
          crc32: entry.crc32,
          encrypted: entry.isEncrypted(),
        };
        const open = () =>
          new Promise<Readable>((res, rej) => {
            const unreadable = unreadableEntry(location);
            if (unreadable) return rej(unreadable);
            zip.openReadStream(entry, (err, stream) => {
              if (err || !stream) return rej(entryStreamError(location, err ?? new Error("no stream")));
              // Errors of the entry's bytes (inflate, sizes) leave as ZipEntryErrors.
              const out = new PassThrough();
              stream.on("error", (e: Error) => out.destroy(entryStreamError(location, e)));
              out.on("close", () => stream.destroy());
              res(stream.pipe(out));
            });
          });
        items.push({ ...location, open });
      }
      zip.readEntry();
    });
    zip.on("end", () => resolve());
    zip.on("error", reject);
    zip.readEntry();
  });
  return { items, close: () => zip.close() };
};

export const readAll = async (stream: Readable, limit: number, what: string): Promise<Buffer> => {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    size += (chunk as Buffer).length;
    if (size > limit) {
      stream.destroy();
      throw new Error(`${what} is larger than ${Math.round(limit / 1024 / 1024)} MB`);
    }
    parts.push(chunk as Buffer);
  }
  return Buffer.concat(parts);
};

const LOCAL_HEADER_SIGNATURE = 0x04034b50;
const LOCAL_HEADER_BYTES = 30;

/** Where the entry's data begins: after its local header, which must be where the directory says. */
const dataStartOf = (fd: number, e: ZipEntryLocation): number => {
  const header = Buffer.alloc(LOCAL_HEADER_BYTES);
  if (fs.readSync(fd, header, 0, LOCAL_HEADER_BYTES, e.localHeaderOffset) !== LOCAL_HEADER_BYTES)
    throw new ZipEntryError("corrupt", e.path, "is cut short (truncated zip)");
  if (header.readUInt32LE(0) !== LOCAL_HEADER_SIGNATURE)
    throw new ZipEntryError("corrupt", e.path, "has no local header where the directory says (corrupt zip)");
  return e.localHeaderOffset + LOCAL_HEADER_BYTES + header.readUInt16LE(26) + header.readUInt16LE(28);
};

const fewerThanDeclared = (e: ZipEntryLocation, got: number) =>
  new ZipEntryError("corrupt", e.path, `holds ${got} bytes, its zip header declares ${e.size}`);
const crcMismatch = (e: ZipEntryLocation) =>
  new ZipEntryError("corrupt", e.path, "fails its CRC check (corrupt zip)");

/** Read and inflate 1 MiB at a time (yauzl's stream moves 16 KB pieces). */
const EXTRACT_CHUNK = 1 << 20;

/**
 * Writes one entry's bytes to `dest`, checking the local header, the size and the CRC as
 * `readEntrySync` does, in 1 MiB pieces: an import's 265 MB annotation file took 2.1 s through
 * yauzl's stream, 0.5-0.6 s this way. Never holds more than a few pieces, so an entry that
 * inflates past its declared size is stopped there.
 */
export const extractEntry = async (file: string, e: ZipEntryLocation, dest: string): Promise<void> => {
  const unreadable = unreadableEntry(e);
  if (unreadable) throw unreadable;
  const fd = fs.openSync(file, "r");
  let start: number;
  try {
    start = dataStartOf(fd, e);
  } finally {
    fs.closeSync(fd);
  }
  let size = 0;
  let crc = 0;
  const checked = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      size += chunk.length;
      if (size > e.size) return cb(overDeclared(e));
      crc = zlib.crc32(chunk, crc);
      cb(null, chunk);
    },
    flush(cb) {
      if (size < e.size) cb(fewerThanDeclared(e, size));
      else if (crc !== e.crc32) cb(crcMismatch(e));
      else cb();
    },
  });
  const raw =
    e.compressedSize === 0
      ? Readable.from([])
      : fs.createReadStream(file, { start, end: start + e.compressedSize - 1, highWaterMark: EXTRACT_CHUNK });
  const out = fs.createWriteStream(dest, { highWaterMark: EXTRACT_CHUNK });
  try {
    if (e.method === 0) await pipeline(raw, checked, out);
    else await pipeline(raw, zlib.createInflateRaw({ chunkSize: EXTRACT_CHUNK }), checked, out);
  } catch (err) {
    if (err instanceof ZipEntryError) throw err;
    // zlib's own errors (Z_DATA_ERROR, Z_BUF_ERROR: bad or cut-short deflate data) are the zip's.
    const code = (err as { code?: string }).code;
    if (typeof code === "string" && code.startsWith("Z_"))
      throw new ZipEntryError("corrupt", e.path, `cannot be inflated: ${(err as Error).message}`);
    throw err;
  }
};

/**
 * One entry's bytes, read synchronously from an open zip: annotation files are read this way
 * one at a time while the import decodes (inside its write transaction, which cannot wait on
 * promises), instead of all of them being held from the upload on. The central directory was
 * checked by yauzl; here the local header, the size and the CRC are.
 */
export const readEntrySync = (fd: number, e: ZipEntryLocation): Buffer => {
  const unreadable = unreadableEntry(e);
  if (unreadable) throw unreadable;
  const dataStart = dataStartOf(fd, e);
  const raw = Buffer.alloc(e.compressedSize);
  if (fs.readSync(fd, raw, 0, e.compressedSize, dataStart) !== e.compressedSize)
    throw new ZipEntryError("corrupt", e.path, "is cut short (truncated zip)");
  let data: Buffer;
  if (e.method === 0) data = raw;
  else {
    try {
      // One byte more than declared is enough to tell an entry that lies about its size.
      data = zlib.inflateRawSync(raw, { maxOutputLength: e.size + 1 });
    } catch (err) {
      if ((err as { code?: string }).code === "ERR_BUFFER_TOO_LARGE") throw overDeclared(e);
      throw new ZipEntryError("corrupt", e.path, `cannot be inflated: ${(err as Error).message}`);
    }
  }
  if (data.length > e.size) throw overDeclared(e);
  if (data.length < e.size) throw fewerThanDeclared(e, data.length);
  if (zlib.crc32(data) !== e.crc32) throw crcMismatch(e);
  return data;
};

/** UTF-8 text of bytes, a leading byte order mark dropped. */
export const utf8Text = (data: Buffer): string => {
  const text = data.toString("utf8");
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
};

/**
 * Small enough that each piece (and the JSON reader's buffer, the rest of the previous piece plus
 * this one) is an ordinary young-generation string: pieces of megabytes go to V8's large-object
 * space, which only a full collection frees, and a 200 MB file then left ~500 MB of dead pieces.
 */
const CHUNK_BYTES = 32 * 1024;

/** A text file on disk in pieces of a few MB, decoded as UTF-8 across piece boundaries. */
export function* fileTextChunks(file: string): Generator<string> {
  const fd = fs.openSync(file, "r");
  try {
    const buf = Buffer.allocUnsafe(CHUNK_BYTES);
    const decoder = new StringDecoder("utf8");
    let first = true;
    for (;;) {
      const n = fs.readSync(fd, buf, 0, CHUNK_BYTES, null);
      if (n === 0) break;
      let text = decoder.write(n === CHUNK_BYTES ? buf : buf.subarray(0, n));
      if (first && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      first = false;
      yield text;
    }
    const rest = decoder.end();
    if (rest) yield rest;
  } finally {
    fs.closeSync(fd);
  }
}

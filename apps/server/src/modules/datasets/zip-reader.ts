import fs from "node:fs";
import type { Readable } from "node:stream";
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
  open(): Promise<Readable>;
}

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
        items.push({
          path: entry.fileName,
          size: entry.uncompressedSize,
          compressedSize: entry.compressedSize,
          method: entry.compressionMethod,
          localHeaderOffset: entry.relativeOffsetOfLocalHeader,
          crc32: entry.crc32,
          encrypted: entry.isEncrypted(),
          open: () =>
            new Promise<Readable>((res, rej) => {
              zip.openReadStream(entry, (err, stream) => {
                if (err || !stream) rej(err ?? new Error(`cannot read ${entry.fileName}`));
                else res(stream);
              });
            }),
        });
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

/**
 * One entry's bytes, read synchronously from an open zip: annotation files are read this way
 * one at a time while the import decodes (inside its write transaction, which cannot wait on
 * promises), instead of all of them being held from the upload on. The central directory was
 * checked by yauzl; here the local header, the size and the CRC are.
 */
export const readEntrySync = (fd: number, e: ZipEntryLocation): Buffer => {
  if (e.encrypted) throw new Error(`${e.path} is encrypted`);
  const header = Buffer.alloc(LOCAL_HEADER_BYTES);
  if (fs.readSync(fd, header, 0, LOCAL_HEADER_BYTES, e.localHeaderOffset) !== LOCAL_HEADER_BYTES)
    throw new Error(`${e.path}: truncated zip`);
  if (header.readUInt32LE(0) !== LOCAL_HEADER_SIGNATURE) throw new Error(`${e.path}: bad local header`);
  const dataStart =
    e.localHeaderOffset + LOCAL_HEADER_BYTES + header.readUInt16LE(26) + header.readUInt16LE(28);
  const raw = Buffer.alloc(e.compressedSize);
  if (fs.readSync(fd, raw, 0, e.compressedSize, dataStart) !== e.compressedSize)
    throw new Error(`${e.path}: truncated zip`);
  let data: Buffer;
  if (e.method === 0) data = raw;
  else if (e.method === 8) data = zlib.inflateRawSync(raw, { maxOutputLength: Math.max(e.size, 1) });
  else throw new Error(`${e.path}: unsupported compression method ${e.method}`);
  if (data.length !== e.size) throw new Error(`${e.path}: ${data.length} bytes, the zip says ${e.size}`);
  if (zlib.crc32(data) !== e.crc32) throw new Error(`${e.path}: CRC mismatch (corrupt zip)`);
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

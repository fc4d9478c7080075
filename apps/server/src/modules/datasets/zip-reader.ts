import type { Readable } from "node:stream";
import { StringDecoder } from "node:string_decoder";
import yauzl from "yauzl";

/** One file of an uploaded zip (directories are skipped). */
export interface ZipItem {
  readonly path: string;
  readonly size: number;
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

/**
 * Reads a stream as UTF-8 text, decoding chunk by chunk: the bytes are released as they are
 * read, so a 200 MB annotation file costs its text, not its text plus two copies of its bytes.
 * A leading byte order mark is dropped.
 */
export const readText = async (
  stream: Readable,
  limit: number,
  what: string,
): Promise<{ text: string; bytes: number }> => {
  const decoder = new StringDecoder("utf8");
  const parts: string[] = [];
  let size = 0;
  for await (const chunk of stream) {
    size += (chunk as Buffer).length;
    if (size > limit) {
      stream.destroy();
      throw new Error(`${what} is larger than ${Math.round(limit / 1024 / 1024)} MB`);
    }
    parts.push(decoder.write(chunk as Buffer));
  }
  parts.push(decoder.end());
  const text = parts.join("");
  return { text: text.charCodeAt(0) === 0xfeff ? text.slice(1) : text, bytes: size };
};

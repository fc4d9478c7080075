import fs from "node:fs";
import fsp from "node:fs/promises";
import path from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { assertSafeKey } from "./safe-key.js";
import type { ByteRange, Storage } from "./storage.js";

export class LocalStorage implements Storage {
  readonly tempDir: string;

  constructor(private readonly root: string) {
    this.tempDir = path.join(root, "tmp");
    fs.mkdirSync(this.tempDir, { recursive: true });
  }

  private file(key: string): string {
    return path.join(this.root, assertSafeKey(key));
  }

  localPath(key: string): string {
    return this.file(key);
  }

  async putFile(key: string, tempPath: string): Promise<void> {
    const dest = this.file(key);
    await fsp.mkdir(path.dirname(dest), { recursive: true });
    await fsp.rename(tempPath, dest);
  }

  async put(key: string, data: Buffer | Readable): Promise<void> {
    const dest = this.file(key);
    await fsp.mkdir(path.dirname(dest), { recursive: true });
    // Write beside and rename, so a reader never sees half a file.
    const tmp = path.join(
      this.tempDir,
      `${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}`,
    );
    if (Buffer.isBuffer(data)) await fsp.writeFile(tmp, data);
    else await pipeline(data, fs.createWriteStream(tmp));
    await fsp.rename(tmp, dest);
  }

  stream(key: string, range?: ByteRange): Readable {
    return fs.createReadStream(this.file(key), range ? { start: range.start, end: range.end } : {});
  }

  async stat(key: string): Promise<{ size: number } | null> {
    try {
      const s = await fsp.stat(this.file(key));
      return { size: s.size };
    } catch {
      return null;
    }
  }

  async delete(key: string): Promise<void> {
    await fsp.rm(this.file(key), { force: true });
  }
}

import type { Readable } from "node:stream";

/**
 * Where image bytes live, by key. The local folder is the first implementation; an S3-compatible
 * store can implement the same five calls for teams that outgrow one machine.
 */
export interface ByteRange {
  start: number;
  /** Inclusive, as in HTTP Range. */
  end: number;
}

export interface Storage {
  /** Moves a finished temp file into the store (content-addressed callers never overwrite). */
  putFile(key: string, tempPath: string): Promise<void>;
  put(key: string, data: Buffer | Readable): Promise<void>;
  stream(key: string, range?: ByteRange): Readable;
  stat(key: string): Promise<{ size: number } | null>;
  delete(key: string): Promise<void>;
  /** A local path when the store has one (lets sharp read without copying); null otherwise. */
  localPath(key: string): string | null;
  /** A directory for temp files on the same filesystem, so putFile can rename. */
  readonly tempDir: string;
}

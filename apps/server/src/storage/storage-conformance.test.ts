import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { makeTestBucket, S3_HINT, type TestBucket, testS3 } from "../test-support/s3.js";
import { LocalStorage } from "./local-storage.js";
import type { Storage } from "./storage.js";

/**
 * One behaviour for every store: the modules only see the Storage interface, so each
 * implementation must pass the same cases. S3Storage runs against a real S3 server.
 */
const readAll = async (s: Readable) => {
  const chunks: Buffer[] = [];
  for await (const c of s) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
};

interface Store {
  storage: Storage;
  cleanup(): Promise<void>;
}

const s3 = testS3();
if (!s3) console.info(`S3Storage conformance skipped: ${S3_HINT}`);

const stores: [string, boolean, (dir: string) => Promise<Store>][] = [
  [
    "LocalStorage",
    true,
    async (dir) => ({ storage: new LocalStorage(path.join(dir, "files")), cleanup: async () => {} }),
  ],
  [
    s3 ? "S3Storage" : `S3Storage (skipped: ${S3_HINT})`,
    s3 !== null,
    async (dir) => {
      if (!s3) throw new Error(S3_HINT);
      const bucket: TestBucket = await makeTestBucket(s3);
      return { storage: bucket.storage(path.join(dir, "tmp")), cleanup: () => bucket.remove() };
    },
  ],
];

describe.each(stores)("%s", (_name, enabled, open) => {
  let dir: string;
  let store: Store;
  let storage: Storage;
  beforeEach(async () => {
    if (!enabled) return;
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "labelbench-conformance-"));
    store = await open(dir);
    storage = store.storage;
  });
  afterEach(async () => {
    if (!enabled) return;
    await store.cleanup();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it.skipIf(!enabled)(
    "puts buffers and streams, streams them back whole or by range, stats and deletes twice",
    async () => {
      await storage.put("a/b/one.bin", Buffer.from("0123456789"));
      await storage.put("a/two.bin", Readable.from([Buffer.from("hello "), Buffer.from("world")]));
      expect((await readAll(storage.stream("a/b/one.bin"))).toString()).toBe("0123456789");
      expect((await readAll(storage.stream("a/b/one.bin", { start: 2, end: 4 }))).toString()).toBe("234");
      expect((await readAll(storage.stream("a/b/one.bin", { start: 9, end: 9 }))).toString()).toBe("9");
      expect((await readAll(storage.stream("a/two.bin"))).toString()).toBe("hello world");
      expect(await storage.stat("a/b/one.bin")).toEqual({ size: 10 });
      expect(await storage.stat("a/two.bin")).toEqual({ size: 11 });
      expect(await storage.stat("a/missing")).toBeNull();
      await storage.delete("a/b/one.bin");
      expect(await storage.stat("a/b/one.bin")).toBeNull();
      await storage.delete("a/b/one.bin");
      expect(await storage.stat("a/two.bin")).toEqual({ size: 11 });
    },
  );

  it.skipIf(!enabled)("overwrites a key with a later put", async () => {
    await storage.put("k/v", Buffer.from("first"));
    await storage.put("k/v", Buffer.from("second!"));
    expect((await readAll(storage.stream("k/v"))).toString()).toBe("second!");
    expect(await storage.stat("k/v")).toEqual({ size: 7 });
  });

  it.skipIf(!enabled)("moves a finished temp file in with putFile, removing the temp file", async () => {
    const tmp = path.join(storage.tempDir, "upload-1");
    fs.writeFileSync(tmp, "bytes");
    await storage.putFile("originals/ab/abc", tmp);
    expect(fs.existsSync(tmp)).toBe(false);
    expect((await readAll(storage.stream("originals/ab/abc"))).toString()).toBe("bytes");
  });

  it.skipIf(!enabled)("keeps a 12 MB object whole (multipart on S3) and reads any range of it", async () => {
    const big = randomBytes(12 * 1024 * 1024);
    await storage.put("big/stream", Readable.from([big.subarray(0, 5_000_000), big.subarray(5_000_000)]));
    const tmp = path.join(storage.tempDir, "big-file");
    fs.writeFileSync(tmp, big);
    await storage.putFile("big/file", tmp);
    for (const key of ["big/stream", "big/file"]) {
      expect(await storage.stat(key)).toEqual({ size: big.length });
      expect((await readAll(storage.stream(key))).equals(big)).toBe(true);
      const start = 7 * 1024 * 1024 - 3;
      const part = await readAll(storage.stream(key, { start, end: start + 99 }));
      expect(part.equals(big.subarray(start, start + 100))).toBe(true);
      const tail = await readAll(storage.stream(key, { start: big.length - 2, end: big.length - 1 }));
      expect(tail.equals(big.subarray(big.length - 2))).toBe(true);
    }
  });

  it.skipIf(!enabled)(
    "fails the stream of a missing key with a not-found error (code ENOENT) naming the key",
    async () => {
      const err = await readAll(storage.stream("nothing/here")).then(
        () => null,
        (e: unknown) => e as NodeJS.ErrnoException,
      );
      expect(err?.code).toBe("ENOENT");
      expect(err?.message).toContain("nothing/here");
    },
  );

  it.skipIf(!enabled)("frees a stream destroyed before it is read to the end", async () => {
    await storage.put("half/read", randomBytes(2 * 1024 * 1024));
    const s = storage.stream("half/read");
    const first = await new Promise<Buffer>((resolve, reject) => {
      s.once("data", resolve);
      s.once("error", reject);
    });
    expect(first.length).toBeGreaterThan(0);
    const closed = new Promise<void>((resolve) => s.once("close", () => resolve()));
    s.destroy();
    await closed;
    // The store still answers afterwards.
    expect(await storage.stat("half/read")).toEqual({ size: 2 * 1024 * 1024 });
  });

  it.skipIf(!enabled).each(["../escape", "a/../../b", "/etc/passwd", "", ".hidden", "a\\b", "a//..//b"])(
    "refuses the unsafe key %j in every call",
    async (key) => {
      await expect(storage.put(key, Buffer.from("x"))).rejects.toThrow(/unsafe storage key/);
      const tmp = path.join(storage.tempDir, "t");
      fs.writeFileSync(tmp, "x");
      await expect(storage.putFile(key, tmp)).rejects.toThrow(/unsafe storage key/);
      expect(() => storage.stream(key)).toThrow(/unsafe storage key/);
      // LocalStorage answers "not there" and S3Storage refuses: either way no size, no request.
      expect(await storage.stat(key).catch(() => null)).toBeNull();
      await expect(storage.delete(key)).rejects.toThrow(/unsafe storage key/);
    },
  );
});

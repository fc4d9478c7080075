import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { LocalStorage } from "./local-storage.js";

let root: string;
let storage: LocalStorage;
beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), "labelbench-storage-"));
  storage = new LocalStorage(root);
});
afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

const readAll = async (s: Readable) => {
  const chunks: Buffer[] = [];
  for await (const c of s) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
};

describe("LocalStorage", () => {
  it("puts buffers and streams, streams them back whole or by range, stats and deletes", async () => {
    await storage.put("a/b/one.bin", Buffer.from("0123456789"));
    await storage.put("a/two.bin", Readable.from([Buffer.from("hello "), Buffer.from("world")]));
    expect((await readAll(storage.stream("a/b/one.bin"))).toString()).toBe("0123456789");
    expect((await readAll(storage.stream("a/b/one.bin", { start: 2, end: 4 }))).toString()).toBe("234");
    expect((await readAll(storage.stream("a/two.bin"))).toString()).toBe("hello world");
    expect(await storage.stat("a/b/one.bin")).toEqual({ size: 10 });
    expect(await storage.stat("missing")).toBeNull();
    await storage.delete("a/b/one.bin");
    expect(await storage.stat("a/b/one.bin")).toBeNull();
    await storage.delete("a/b/one.bin"); // deleting twice is fine
  });

  it("moves a finished temp file into place with putFile", async () => {
    const tmp = path.join(storage.tempDir, "upload-1");
    fs.writeFileSync(tmp, "bytes");
    await storage.putFile("originals/ab/abc", tmp);
    expect(fs.existsSync(tmp)).toBe(false);
    expect(storage.localPath("originals/ab/abc")).toBe(path.join(root, "originals/ab/abc"));
    expect(fs.readFileSync(path.join(root, "originals/ab/abc"), "utf8")).toBe("bytes");
  });

  it("leaves no temp file behind after put", async () => {
    await storage.put("k", Buffer.from("x"));
    expect(fs.readdirSync(storage.tempDir)).toEqual([]);
  });

  it.each(["../escape", "a/../../b", "/etc/passwd", "", ".hidden", "a\\b"])(
    "refuses the unsafe key %j",
    async (key) => {
      await expect(storage.put(key, Buffer.from("x"))).rejects.toThrow(/unsafe storage key/);
      expect(() => storage.stream(key)).toThrow(/unsafe storage key/);
    },
  );
});

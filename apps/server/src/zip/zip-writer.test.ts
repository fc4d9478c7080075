import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import zlib from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { pythonZipCheck } from "../test-support/zips.js";
import { readAll, readZip } from "./zip-reader.js";
import { type ZipSink, ZipWriter } from "./zip-writer.js";

/** Text pieces as the UTF-8 buffers a stream entry is made of. */
async function* utf8Buffers(chunks: Iterable<string>): AsyncGenerator<Buffer> {
  for (const c of chunks) yield Buffer.from(c, "utf8");
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "lb-zip-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const writeZip = async (file: string, fill: (z: ZipWriter) => Promise<void>) => {
  const out = fs.createWriteStream(file);
  const z = new ZipWriter(out);
  await fill(z);
  await z.finish();
  await new Promise<void>((r) => out.on("close", () => r()));
};

const contents = async (file: string) => {
  const { items, close } = await readZip(file);
  const out = new Map<string, string>();
  for (const it of items)
    out.set(it.path, (await readAll(await it.open(), 1 << 30, it.path)).toString("utf8"));
  close();
  return out;
};

describe("ZipWriter", () => {
  it("writes buffers, streams and stored files that yauzl, unzip and Python read back", async () => {
    const file = path.join(dir, "a.zip");
    const big = "x".repeat(3_000_000);
    await writeZip(file, async (z) => {
      await z.addBuffer("labels/train/ü and space.txt", Buffer.from("0 0.5 0.5 1 1\n"));
      await z.addBuffer("empty.txt", Buffer.alloc(0));
      await z.addStream("annotations/instances_train.json", utf8Buffers(["{", '"a":1', "}"]));
      await z.addBuffer("big.txt", Buffer.from(big));
      await z.addStored(
        "images/train/a.jpg",
        Readable.from([Buffer.from([0xff, 0xd8, 0xff]), Buffer.from([1, 2, 3])]),
      );
    });
    const c = await contents(file);
    expect([...c.keys()]).toEqual([
      "labels/train/ü and space.txt",
      "empty.txt",
      "annotations/instances_train.json",
      "big.txt",
      "images/train/a.jpg",
    ]);
    expect(c.get("labels/train/ü and space.txt")).toBe("0 0.5 0.5 1 1\n");
    expect(c.get("empty.txt")).toBe("");
    expect(c.get("annotations/instances_train.json")).toBe('{"a":1}');
    expect(c.get("big.txt")).toBe(big);
    // Independent readers, with CRC checks (yauzl does not check CRCs).
    expect(execFileSync("unzip", ["-tq", file]).toString()).toMatch(/No errors detected/);
    const py = execFileSync("python3", [
      "-c",
      "import sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); print(z.testzip()); print(len(z.namelist()))",
      file,
    ]).toString();
    expect(py).toBe("None\n5\n");
  });

  it("deflates a long stream as blocks that read back as one entry and compress as well as one stream", async () => {
    const file = path.join(dir, "blocks.zip");
    // ~6 MiB of JSON-like lines in 64 KiB pieces: six 1 MiB blocks plus a short final one.
    const lines = Array.from(
      { length: 60_000 },
      (_, i) => `{"id":${i},"bbox":[${(i * 7.31) % 997},${(i * 3.17) % 613},12.5,40.25],"iscrowd":0},\n`,
    );
    const text = lines.join("");
    const pieces: string[] = [];
    for (let at = 0; at < text.length; at += 64 * 1024) pieces.push(text.slice(at, at + 64 * 1024));
    await writeZip(file, (z) => z.addStream("big.json", utf8Buffers(pieces)));
    expect((await contents(file)).get("big.json")).toBe(text);
    expect(execFileSync("unzip", ["-tq", file]).toString()).toMatch(/No errors detected/);
    expect(pythonZipCheck(fs.readFileSync(file))).toBe("None");
    // Each block is primed with the one before, so splitting costs next to nothing in size.
    const single = zlib.deflateRawSync(Buffer.from(text), { level: 1 }).length;
    const { items, close } = await readZip(file);
    const entry = items.find((it) => it.path === "big.json");
    close();
    // (1.00004 of one stream here; unprimed blocks were 1.0009.)
    expect(entry?.compressedSize).toBeLessThan(single * 1.0003);
  });

  it("reads back a stream of pieces of any size around the block size, one larger than a block among them", async () => {
    const file = path.join(dir, "pieces.zip");
    // A block grown past its room (3 MiB after 100 KiB), one taken whole (2 MiB), short ones.
    const sizes = [100 << 10, 3 << 20, 2 << 20, 10 << 10, (1 << 20) - 1, 1, 300 << 10, 5];
    // Each piece a letter of its own, so a piece out of place or cut short reads back wrong.
    const pieces = sizes.map((n, i) => Buffer.alloc(n, 97 + i));
    await writeZip(file, (z) => z.addStream("pieces.txt", pieces));
    expect((await contents(file)).get("pieces.txt")).toBe(Buffer.concat(pieces).toString());
    expect(execFileSync("unzip", ["-tq", file]).toString()).toMatch(/No errors detected/);
  });

  it("is deterministic: same entries, same bytes", async () => {
    const fill = async (z: ZipWriter) => {
      await z.addBuffer("a.txt", Buffer.from("hello"));
      await z.addStream("b.json", utf8Buffers(Array.from({ length: 10000 }, (_, i) => `{"i":${i}},\n`)));
    };
    await writeZip(path.join(dir, "d1.zip"), fill);
    await writeZip(path.join(dir, "d2.zip"), fill);
    expect(fs.readFileSync(path.join(dir, "d1.zip")).equals(fs.readFileSync(path.join(dir, "d2.zip")))).toBe(
      true,
    );
  });

  it("switches to ZIP64 records past 65,535 entries", async () => {
    const file = path.join(dir, "many.zip");
    const n = 70_000;
    const start = Date.now();
    await writeZip(file, async (z) => {
      for (let i = 0; i < n; i++)
        await z.addBuffer(`labels/train/${i}.txt`, Buffer.from(`0 0.5 0.5 0.1 0.1\n`));
    });
    expect(Date.now() - start).toBeLessThan(15_000);
    const py = execFileSync("python3", [
      "-c",
      "import sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); n = z.namelist(); print(len(n), n[-1], z.read(n[-1]).decode().strip())",
      file,
    ]).toString();
    expect(py.trim()).toBe(`${n} labels/train/${n - 1}.txt 0 0.5 0.5 0.1 0.1`);
    const { items, close } = await readZip(file);
    expect(items).toHaveLength(n);
    close();
  });

  it("writes an external file (copied into the output by its owner) as the same bytes as a stored one", async () => {
    const image = Buffer.from(Array.from({ length: 300_000 }, (_, i) => (i * 31) % 251));
    const fill = async (z: ZipWriter, copy: (path: string) => Promise<void>) => {
      await z.addBuffer("labels/a.txt", Buffer.from("0 0.5 0.5 1 1\n"));
      await copy("images/a.jpg");
      await z.addStream("b.json", utf8Buffers(["{", '"b":2', "}"]));
    };
    const collect = () => {
      const parts: Buffer[] = [];
      let ended = false;
      const sink: ZipSink = {
        write: async (chunk) => {
          await new Promise((r) => setImmediate(r)); // an asynchronous sink, like the worker's
          parts.push(Buffer.from(chunk));
        },
        end: () => {
          ended = true;
        },
      };
      return { parts, sink, ended: () => ended };
    };
    const stored = collect();
    const a = new ZipWriter(stored.sink);
    await fill(a, (p) => a.addStored(p, Readable.from([image.subarray(0, 1000), image.subarray(1000)])));
    await a.finish();

    const external = collect();
    const b = new ZipWriter(external.sink);
    await fill(b, (p) =>
      b.addExternal(p, async () => {
        // Everything before the entry's header is already in the sink when the copy starts.
        external.parts.push(image);
        return { crc: zlib.crc32(image), size: image.length };
      }),
    );
    await b.finish();
    expect(stored.ended() && external.ended()).toBe(true);
    const zipA = Buffer.concat(stored.parts);
    expect(Buffer.concat(external.parts).equals(zipA)).toBe(true);
    const file = path.join(dir, "external.zip");
    fs.writeFileSync(file, zipA);
    expect(execFileSync("unzip", ["-tq", file]).toString()).toMatch(/No errors detected/);
  });
});

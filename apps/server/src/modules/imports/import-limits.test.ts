import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import zlib from "node:zlib";
import { ImportReport } from "@labelbench/schema";
import request from "supertest";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createProject, expectError } from "../../test-support/api.js";
import { makeTestApp, type TestApp } from "../../test-support/app.js";
import { png } from "../../test-support/images.js";
import { makeZip } from "../../test-support/zips.js";
import { deflated, rawZip } from "../../zip/raw-zip.js";

let t: TestApp;
let projectId: number;
beforeEach(async () => {
  t = await makeTestApp();
  projectId = (await createProject(t.app)).id;
});
afterEach(() => t.cleanup());

const importZip = (zip: Buffer, query = "") =>
  request(t.app)
    .post(`/api/v1/projects/${projectId}/import${query ? `?${query}` : ""}`)
    .set("Content-Type", "application/zip")
    .send(zip);

/** Every file under the store's temp folder (recursively). */
const tempFiles = (): string[] =>
  fs.existsSync(t.storage.tempDir)
    ? (fs.readdirSync(t.storage.tempDir, { recursive: true, withFileTypes: true }) as fs.Dirent[])
        .filter((d) => d.isFile())
        .map((d) => path.relative(t.storage.tempDir, path.join(d.parentPath, d.name)))
    : [];

const imageCount = async () =>
  Number(
    (
      await t.sql
        .selectFrom("images")
        .select((e) => e.fn.countAll().as("n"))
        .executeTakeFirstOrThrow()
    ).n,
  );

const yoloText = (name: string, text: string) => deflated(name, text);
const yamlEntry = () => deflated("data.yaml", 'names: ["a"]\n');

describe("zip entries the import cannot read get a precise 4xx", () => {
  it("a bzip2 entry (an image or a label file) is 415 naming the entry and the method", async () => {
    const bz = { data: Buffer.from("BZh91AY&SY not really bzip2"), method: 12, size: 100, crc: 0 };
    const image = expectError(
      await importZip(
        rawZip([
          yamlEntry(),
          { name: "images/a.png", ...bz },
          yoloText("labels/a.txt", "0 0.5 0.5 0.2 0.2\n"),
        ]),
      ),
      415,
      "UNSUPPORTED_MEDIA_TYPE",
    );
    expect(image.message).toBe(
      "images/a.png is compressed with bzip2 (zip method 12): only stored and deflated zip entries can be read",
    );
    expect(image.details).toEqual([
      { path: "images/a.png", message: "is compressed with bzip2 (zip method 12)" },
    ]);
    const label = expectError(
      await importZip(rawZip([yamlEntry(), { name: "labels/a.txt", ...bz }])),
      415,
      "UNSUPPORTED_MEDIA_TYPE",
    );
    expect(label.message).toMatch(/^labels\/a\.txt is compressed with bzip2/);
    expect(await imageCount()).toBe(0);
    expect(tempFiles()).toEqual([]);
  });

  it("an entry that inflates past its declared size is 400, whether streamed (image) or read whole (label file)", async () => {
    const img = await png({ width: 8, height: 8, seed: 1 });
    const lying = { ...deflated("images/a.png", img), size: 20 };
    const image = expectError(
      await importZip(rawZip([yamlEntry(), lying, yoloText("labels/a.txt", "0 0.5 0.5 0.2 0.2\n")])),
      400,
      "VALIDATION_ERROR",
    );
    expect(image.message).toBe(
      "not a readable zip: images/a.png holds more than the 20 bytes its zip header declares",
    );
    const text = "0 0.5 0.5 0.2 0.2\n".repeat(4);
    const label = expectError(
      await importZip(
        rawZip([yamlEntry(), deflated("images/a.png", img), { ...deflated("labels/a.txt", text), size: 10 }]),
      ),
      400,
      "VALIDATION_ERROR",
    );
    expect(label.message).toBe(
      "not a readable zip: labels/a.txt holds more than the 10 bytes its zip header declares",
    );
    expect(await imageCount()).toBe(0);
    expect(tempFiles()).toEqual([]);
  });

  it("a VOC file with an external entity is refused as a problem of that file (400), nothing read from outside", async () => {
    const xml = `<?xml version="1.0"?>
<!DOCTYPE annotation [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> ]>
<annotation><filename>a.jpg</filename><size><width>10</width><height>10</height></size>
<object><name>&xxe;</name><bndbox><xmin>1</xmin><ymin>1</ymin><xmax>5</xmax><ymax>5</ymax></bndbox></object>
</annotation>`;
    const res = await importZip(
      await makeZip([
        ["labels.txt", "cat\n"],
        ["Annotations/a.xml", xml],
      ]),
      "format=voc",
    );
    const err = expectError(res, 400, "VALIDATION_ERROR");
    const report = ImportReport.parse(err.details);
    expect(report.problems).toEqual([
      {
        severity: "error",
        file: "Annotations/a.xml",
        where: "line 2",
        message:
          "declares an external entity (a DOCTYPE with SYSTEM or PUBLIC): VOC XML cannot refer to files",
      },
    ]);
    expect(JSON.stringify(res.body)).not.toContain("root:");
  });
});

describe("zip bombs are refused before anything is extracted", () => {
  it("an entry that expands more than 100x is 413, naming it", async () => {
    const bomb = deflated("images/bomb.png", Buffer.alloc(8 * 1024 * 1024));
    const err = expectError(
      await importZip(rawZip([yamlEntry(), bomb, yoloText("labels/bomb.txt", "0 0.5 0.5 0.2 0.2\n")])),
      413,
      "PAYLOAD_TOO_LARGE",
    );
    expect(err.message).toMatch(
      /^images\/bomb\.png would expand to 8388608 bytes from \d+ \(\d+x\): a zip entry may expand at most 100x$/,
    );
    expect(tempFiles()).toEqual([]);
  });

  it("many small entries that add up past 100x the zip are 413 for the whole zip", async () => {
    // Each 1 MiB entry alone is small enough to be let through; 100 of them from ~100 KB are not.
    const entries = Array.from({ length: 100 }, (_, i) =>
      deflated(`images/${String(i).padStart(3, "0")}.png`, Buffer.alloc(1024 * 1024, i)),
    );
    const zip = rawZip([yamlEntry(), ...entries]);
    const err = expectError(await importZip(zip), 413, "PAYLOAD_TOO_LARGE");
    expect(err.message).toBe(
      `the zip would expand to ${100 * 1024 * 1024 + 13} bytes from ${zip.length} (${Math.round((100 * 1024 * 1024 + 13) / zip.length)}x): a zip may expand to at most 100x its size (64 MB at least) and 16 GB in all`,
    );
    expect(tempFiles()).toEqual([]);
  });

  it("an honest zip that compresses well (a COCO file 20x) still imports", async () => {
    const images = Array.from({ length: 200 }, (_, i) => ({
      id: i + 1,
      file_name: `img_${i}.jpg`,
      width: 100,
      height: 100,
    }));
    const doc = JSON.stringify({ images, annotations: [], categories: [{ id: 1, name: "a" }] });
    const zip = rawZip([deflated("annotations/instances.json", doc)]);
    expect(doc.length / zlib.deflateRawSync(doc).length).toBeGreaterThan(5);
    const res = await importZip(zip, "dryRun=true");
    // Images named by the file are not in the upload or the project: a precise refusal, not a size one.
    expect(res.status).toBe(200);
  });
});

describe("temp files", () => {
  it("leftovers of an import killed mid-way are removed when the app starts", async () => {
    const leftover = path.join(t.storage.tempDir, "imports", "dead-import");
    fs.mkdirSync(leftover, { recursive: true });
    fs.writeFileSync(path.join(leftover, "upload"), Buffer.alloc(1024));
    expect(tempFiles()).toHaveLength(1);
    // A second app over the same database and store, as after a restart.
    await t.sibling();
    expect(tempFiles()).toEqual([]);
  });

  it("a client that hangs up mid-upload leaves nothing in the temp folder", async () => {
    const server = http.createServer(t.app);
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    try {
      const { port } = server.address() as AddressInfo;
      const tokens = await t.sql.selectFrom("api_tokens").select("id").execute();
      expect(tokens.length).toBeGreaterThan(0);
      const seen = new Promise<void>((resolve) => {
        const req = http.request({
          host: "127.0.0.1",
          port,
          method: "POST",
          path: `/api/v1/projects/${projectId}/import`,
          headers: { "content-type": "multipart/form-data; boundary=XX", "content-length": 50_000_000 },
        });
        req.on("error", () => resolve());
        req.write(
          `--XX\r\nContent-Disposition: form-data; name="files"; filename="labels/a.txt"\r\n\r\n${"0 0.5 0.5 0.2 0.2\n".repeat(1000)}\r\n`,
        );
        req.write(
          `--XX\r\nContent-Disposition: form-data; name="files"; filename="images/a.jpg"\r\nContent-Type: image/jpeg\r\n\r\n`,
        );
        req.write(Buffer.alloc(4 * 1024 * 1024, 7));
        // Wait until the server has staged part of the image, then hang up.
        const poll = setInterval(() => {
          if (tempFiles().length > 0) {
            clearInterval(poll);
            req.destroy();
            resolve();
          }
        }, 5);
      });
      await seen;
      for (let i = 0; i < 100 && tempFiles().length > 0; i++) await new Promise((r) => setTimeout(r, 20));
      expect(tempFiles()).toEqual([]);
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });
});

import path from "node:path";
import {
  compareNatural,
  Image,
  ImagePage,
  MAX_PATH_BYTES,
  naturalSortKey,
  UploadReply,
  type UploadResult,
} from "@labelbench/schema";
import request from "supertest";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadMigrations, migrate, openDatabase } from "../../db/database.js";
import { createLabel, createProject, expectError, issuePaths, multipart } from "../../test-support/api.js";
import { makeTestApp, TEST_BACKEND, type TestApp } from "../../test-support/app.js";
import { png } from "../../test-support/images.js";
import { getExport, unzip } from "../../test-support/zips.js";
import { exportRepo } from "../exports/repo.js";

let t: TestApp;
let projectId: number;
/** A clock a second ahead at every reading, so "last edited" never ties. */
let clock = 0;
const tick = () => new Date(Date.parse("2026-01-01T00:00:00Z") + 1000 * clock++).toISOString();
beforeEach(async () => {
  t = await makeTestApp({}, { now: tick });
  projectId = (await createProject(t.app)).id;
});
afterEach(() => t.cleanup());

const uploadPaths = async (names: string[], seed = 1): Promise<UploadResult[]> => {
  const files = await Promise.all(
    names.map(async (name, i) => ({ name, data: await png({ seed: seed + i, width: 20, height: 10 }) })),
  );
  const m = multipart(files);
  const res = await request(t.app)
    .post(`/api/v1/projects/${projectId}/images`)
    .set("Content-Type", m.type)
    .send(m.body);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return UploadReply.parse(res.body).results;
};

const created = (results: UploadResult[]) =>
  results.map((r) => {
    if (r.status !== "created") throw new Error(JSON.stringify(r));
    return Image.parse(r.image);
  });

const list = async (query: Record<string, string | number> = {}) => {
  const res = await request(t.app).get(`/api/v1/projects/${projectId}/images`).query(query);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return ImagePage.parse(res.body);
};

/** Every page of a listing, following the cursors, as file names. */
const walk = async (query: Record<string, string | number>) => {
  const names: string[] = [];
  let cursor: string | null = null;
  for (let guard = 0; guard < 100; guard++) {
    const p: ImagePage = await list(cursor ? { ...query, cursor } : query);
    names.push(...p.items.map((i) => i.fileName));
    cursor = p.nextCursor;
    if (!cursor) return names;
  }
  throw new Error("the cursors never ended");
};

const FOLDER = ["cam_b/0001.png", "img10.png", "cam_a/0002.png", "img2.png", "cam_a/0001.png", "Img1.png"];
const NATURAL = ["cam_a/0001.png", "cam_a/0002.png", "cam_b/0001.png", "Img1.png", "img2.png", "img10.png"];

describe("upload keeps the relative path", () => {
  it("stores cam_a/0001 and cam_b/0001 as two distinct names, found by their folder", async () => {
    const images = created(await uploadPaths(FOLDER));
    expect(images.map((i) => i.fileName)).toEqual(FOLDER);
    expect(new Set(images.map((i) => i.fileName)).size).toBe(FOLDER.length);
    expect((await list({ q: "cam_a" })).items.map((i) => i.fileName)).toEqual([
      "cam_a/0001.png",
      "cam_a/0002.png",
    ]);
    expect((await list({ q: "cam_b/" })).items.map((i) => i.fileName)).toEqual(["cam_b/0001.png"]);
    const one = await request(t.app).get(`/api/v1/images/${images[0]?.id}`);
    expect(Image.parse(one.body).fileName).toBe("cam_b/0001.png");
  });

  it("stores a decomposed (macOS) name in NFC, so a typed search finds it", async () => {
    const [img] = created(await uploadPaths(["e\u0301te\u0301/caf\u0065\u0301.png"]));
    expect(img?.fileName).toBe("\u00e9t\u00e9/caf\u00e9.png");
    expect((await list({ q: "\u00e9t\u00e9" })).items).toHaveLength(1);
  });

  it("refuses unsafe names file by file, with the reason, and keeps the others", async () => {
    const long = `${"a".repeat(256)}.png`;
    const results = await uploadPaths([
      "ok/1.png",
      "../escape.png",
      "/etc/abs.png",
      "nul\u0000.png",
      "crlf\r\nX-Evil: 1.png",
      "dir\\win.png",
      long,
      "ok/2.png",
    ]);
    expect(results.map((r) => r.status)).toEqual([
      "created",
      "rejected",
      "rejected",
      "rejected",
      "rejected",
      "rejected",
      "rejected",
      "created",
    ]);
    const reasons = results.map((r) => (r.status === "rejected" ? `${r.code}: ${r.reason}` : ""));
    expect(reasons.slice(1, 7)).toEqual([
      'VALIDATION_ERROR: file name contains a ".." segment; paths stay inside the upload',
      'VALIDATION_ERROR: file name is an absolute path (starts with "/")',
      "VALIDATION_ERROR: file name contains the control character U+0000 at position 3",
      "VALIDATION_ERROR: file name contains the control character U+000D at position 4",
      'VALIDATION_ERROR: file name contains "\\": separate folders with "/"',
      "VALIDATION_ERROR: file name has the name of 260 bytes (UTF-8); at most 255 per segment are allowed",
    ]);
    expect((await list()).items.map((i) => i.fileName)).toEqual(["ok/1.png", "ok/2.png"]);
  });
});

describe("renaming (PATCH fileName)", () => {
  const patch = (id: number, fileName: unknown) =>
    request(t.app).patch(`/api/v1/images/${id}`).send({ fileName });

  it.each([
    ["a 5 MB name", "x".repeat(5 * 1024 * 1024), /longer than 1024 bytes/],
    ["NUL", "a\u0000.png", /control character U\+0000/],
    ["CR LF", "a.png\r\nSet-Cookie: x", /control character U\+000D/],
    ["a .. segment", "../../etc/passwd", /"\.\." segment/],
    ["an absolute path", "/var/x.png", /absolute path/],
    ["a drive", "C:/x.png", /absolute path/],
    ["an empty name", "", /must not be empty/],
    ["a trailing slash", "cam_a/", /ends with "\/"/],
  ])("refuses %s with 400 on body.fileName and changes nothing", async (_what, fileName, why) => {
    const [img] = created(await uploadPaths(["orig.png"]));
    const err = expectError(await patch(img!.id, fileName), 400, "VALIDATION_ERROR");
    expect(issuePaths(err.details)).toEqual(["body.fileName"]);
    expect((err.details as { message: string }[]).map((d) => d.message).join()).toMatch(why);
    const after = await request(t.app).get(`/api/v1/images/${img!.id}`);
    expect(after.body.fileName).toBe("orig.png");
  });

  it("accepts a relative path up to the documented length, and the name order follows the new name", async () => {
    const [a, b] = created(await uploadPaths(["a.png", "b.png"]));
    const res = await patch(a!.id, "z/a.png");
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.fileName).toBe("z/a.png");
    expect((await list()).items.map((i) => i.id)).toEqual([b!.id, a!.id]);
    // Five segments, 1,024 bytes in all: the most a path may hold.
    const longest = `${Array.from({ length: 4 }, () => "d".repeat(200)).join("/")}/${"e".repeat(216)}.png`;
    expect(longest.length).toBe(MAX_PATH_BYTES);
    expect((await patch(b!.id, longest)).status).toBe(200);
    expectError(await patch(b!.id, `d${longest}`), 400, "VALIDATION_ERROR");
  });
});

describe("library order", () => {
  it("lists in natural file-name order by default (img2 before img10, case folded, folders together)", async () => {
    created(await uploadPaths(FOLDER));
    expect((await list()).items.map((i) => i.fileName)).toEqual(NATURAL);
    expect(await walk({ limit: 2 })).toEqual(NATURAL);
    expect(await walk({ limit: 4, order: "desc" })).toEqual([...NATURAL].reverse());
    // An offset (a jump in the grid) lands where the cursors would.
    expect((await list({ limit: 2, offset: 3 })).items.map((i) => i.fileName)).toEqual(NATURAL.slice(3, 5));
  });

  it("sorts by added, status, annotations and last edited, each paged without gaps or repeats", async () => {
    const images = created(await uploadPaths(FOLDER));
    const id = (name: string) => images.find((i) => i.fileName === name)!.id;
    const label = await createLabel(t.app, projectId, { name: "car" });
    const annotate = async (name: string, n: number) => {
      const annotations = Array.from({ length: n }, (_, k) => ({
        id: `a${id(name)}-${k}`,
        labelId: label.id,
        geometry: { type: "box", x: k, y: 0, width: 1, height: 1 },
      }));
      const res = await request(t.app)
        .put(`/api/v1/images/${id(name)}/annotations`)
        .send({ baseRevision: 0, annotations, tags: [] });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
    };
    await annotate("img10.png", 3);
    await annotate("cam_b/0001.png", 1);
    await annotate("Img1.png", 3);
    await request(t.app)
      .patch(`/api/v1/images/${id("img2.png")}`)
      .send({ status: "done" })
      .expect(200);
    await request(t.app)
      .patch(`/api/v1/images/${id("cam_a/0002.png")}`)
      .send({ status: "skipped" })
      .expect(200);
    await request(t.app)
      .patch(`/api/v1/images/${id("cam_b/0001.png")}`)
      .send({ status: "in_progress" })
      .expect(200);

    expect(await walk({ sort: "added", limit: 4 })).toEqual(FOLDER);
    expect(await walk({ sort: "added", order: "desc", limit: 4 })).toEqual([...FOLDER].reverse());
    // Saving shapes moved the annotated images from new to in progress.
    // new, in progress (by name), done, skipped.
    const byStatus = [
      "cam_a/0001.png",
      "cam_b/0001.png",
      "Img1.png",
      "img10.png",
      "img2.png",
      "cam_a/0002.png",
    ];
    expect(await walk({ sort: "status", limit: 2 })).toEqual(byStatus);
    expect(await walk({ sort: "status", order: "desc", limit: 5 })).toEqual([...byStatus].reverse());
    // Most annotated first by default. Descending is the exact reverse of ascending, ties included
    // (ties by name: reversed too), so one index serves both directions.
    const byCount = [
      "img10.png",
      "Img1.png",
      "cam_b/0001.png",
      "img2.png",
      "cam_a/0002.png",
      "cam_a/0001.png",
    ];
    expect(await walk({ sort: "annotations", limit: 2 })).toEqual(byCount);
    expect(await walk({ sort: "annotations", order: "asc", limit: 3 })).toEqual([...byCount].reverse());
    // Most recently edited first by default (status changes and saves both count).
    const byEdit = [
      "cam_b/0001.png",
      "cam_a/0002.png",
      "img2.png",
      "Img1.png",
      "img10.png",
      "cam_a/0001.png",
    ];
    expect(await walk({ sort: "edited", limit: 2 })).toEqual(byEdit);
    expect(await walk({ sort: "edited", order: "asc", limit: 4 })).toEqual([...byEdit].reverse());
    // Sort and filter together.
    expect(await walk({ sort: "annotations", status: "in_progress", limit: 1 })).toEqual([
      "img10.png",
      "Img1.png",
      "cam_b/0001.png",
    ]);
    expect(await walk({ sort: "status", status: "in_progress", limit: 2 })).toEqual([
      "cam_b/0001.png",
      "Img1.png",
      "img10.png",
    ]);
    expect(await walk({ sort: "edited", q: "cam", limit: 1 })).toEqual([
      "cam_b/0001.png",
      "cam_a/0002.png",
      "cam_a/0001.png",
    ]);
  });

  it("refuses a cursor of another order (or a made-up one) on query.cursor", async () => {
    created(await uploadPaths(["1.png", "2.png", "3.png"]));
    const byName = await list({ limit: 1 });
    const err = expectError(
      await request(t.app)
        .get(`/api/v1/projects/${projectId}/images`)
        .query({ sort: "edited", cursor: byName.nextCursor! }),
      400,
      "VALIDATION_ERROR",
    );
    expect(err.message).toMatch(/continues the order sort=name&order=asc, not sort=edited&order=desc/);
    expect(issuePaths(err.details)).toEqual(["query.cursor"]);
    for (const cursor of [
      Buffer.from("i:2").toString("base64url"),
      Buffer.from('["name","asc",3,1]').toString("base64url"),
      Buffer.from('["name","asc","k"]').toString("base64url"),
      "%%%",
    ]) {
      const e = expectError(
        await request(t.app).get(`/api/v1/projects/${projectId}/images`).query({ cursor }),
        400,
        "VALIDATION_ERROR",
      );
      expect(issuePaths(e.details)).toEqual(["query.cursor"]);
    }
    const bad = expectError(
      await request(t.app).get(`/api/v1/projects/${projectId}/images`).query({ sort: "size" }),
      400,
      "VALIDATION_ERROR",
    );
    expect(issuePaths(bad.details)).toEqual(["query.sort"]);
  });

  it("orders in SQLite exactly as compareNatural orders in JavaScript", async () => {
    const names = [
      "img10.png",
      "img2.png",
      "IMG2.png",
      "img02.png",
      "\u00e9cole.png",
      "ecole.png",
      "Ecole2.png",
      "cam/1.png",
      "cam-b/1.png",
      "cam_a/1.png",
      "a b.png",
      "a.png",
      "\uff41.png",
      "\u{1f600}.png",
      "x99999999999999999999.png",
      "x100000000000000000000.png",
    ];
    created(await uploadPaths(names));
    expect(await walk({ limit: 5 })).toEqual([...names].sort(compareNatural));
  });
});

describe("neighbours follow the library", () => {
  const neighbours = async (id: number, query: Record<string, string> = {}) => {
    const res = await request(t.app).get(`/api/v1/images/${id}/neighbours`).query(query);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body as {
      previousId: number | null;
      nextId: number | null;
      nextNewId: number | null;
      position: number;
      total: number;
    };
  };

  it("steps in natural order by default, and in the sort, status and search given", async () => {
    const images = created(await uploadPaths(FOLDER));
    const id = (name: string) => images.find((i) => i.fileName === name)!.id;
    // Upload order put img10 before img2; the library (and so the editor) goes img2 -> img10.
    expect(await neighbours(id("img2.png"))).toEqual({
      previousId: id("Img1.png"),
      nextId: id("img10.png"),
      nextNewId: id("img10.png"),
      position: 5,
      total: 6,
    });
    expect(await neighbours(id("img10.png"))).toMatchObject({
      nextId: null,
      nextNewId: id("cam_a/0001.png"),
    });
    expect(await neighbours(id("img2.png"), { order: "desc" })).toMatchObject({
      previousId: id("img10.png"),
      nextId: id("Img1.png"),
      position: 2,
    });
    expect(await neighbours(id("img2.png"), { sort: "added" })).toMatchObject({
      previousId: id("cam_a/0002.png"),
      nextId: id("cam_a/0001.png"),
      position: 4,
    });
    expect(await neighbours(id("cam_a/0002.png"), { q: "cam_" })).toEqual({
      previousId: id("cam_a/0001.png"),
      nextId: id("cam_b/0001.png"),
      nextNewId: id("cam_b/0001.png"),
      position: 2,
      total: 3,
    });
    await request(t.app)
      .patch(`/api/v1/images/${id("cam_a/0002.png")}`)
      .send({ status: "done" })
      .expect(200);
    await request(t.app)
      .patch(`/api/v1/images/${id("img2.png")}`)
      .send({ status: "done" })
      .expect(200);
    expect(await neighbours(id("cam_a/0002.png"), { status: "done" })).toMatchObject({
      previousId: null,
      nextId: id("img2.png"),
      position: 1,
      total: 2,
    });
    // Status order: the new ones by name, then the done ones.
    expect(await neighbours(id("cam_a/0002.png"), { sort: "status" })).toMatchObject({
      previousId: id("img10.png"),
      nextId: id("img2.png"),
      position: 5,
    });
    expect(await neighbours(id("img2.png"), { sort: "status", status: "done" })).toMatchObject({
      previousId: id("cam_a/0002.png"),
      nextId: null,
      position: 2,
      total: 2,
    });
  });
});

describe("exports", () => {
  it("carry the relative path in the plan and keep cam_a/0001 and cam_b/0001 apart in every format", async () => {
    const images = created(await uploadPaths(["cam_a/0001.png", "cam_b/0001.png"]));
    const label = await createLabel(t.app, projectId, { name: "car" });
    for (const img of images) {
      const res = await request(t.app)
        .put(`/api/v1/images/${img.id}/annotations`)
        .send({
          baseRevision: 0,
          annotations: [
            {
              id: `a${img.id}`,
              labelId: label.id,
              geometry: { type: "box", x: 1, y: 1, width: 5, height: 5 },
            },
          ],
          tags: [],
        });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
    }
    // What the exporters name files from (SQLite's reader; on both backends the zips below show it).
    if (TEST_BACKEND === "sqlite") {
      const plan = exportRepo(t.db, projectId, ["new", "in_progress", "done", "skipped"]).images(
        new Map([[label.id, 0]]),
      );
      expect(plan.map((r) => r.fileName)).toEqual(["cam_a/0001.png", "cam_b/0001.png"]);
    }

    const originals = await Promise.all(
      images.map(
        async (img) =>
          (await request(t.app).get(`/api/v1/images/${img.id}/file`).buffer(true)).body as Buffer,
      ),
    );
    for (const format of ["coco", "yolo", "voc"]) {
      const res = await getExport(t.app, projectId, `format=${format}`);
      expect(res.status, format).toBe(200);
      const files = await unzip(res.body);
      // VOC writes JPEGImages/<id>.jpg (converted), the others the original bytes.
      const imageEntries = [...files.entries()].filter(([name]) =>
        format === "voc" ? /^JPEGImages\/.+\.jpg$/.test(name) : /\.png$/.test(name),
      );
      // Two image files, each holding one of the two originals: neither overwrote the other.
      expect(imageEntries, format).toHaveLength(2);
      if (format === "voc") expect(new Set(imageEntries.map(([, b]) => b.toString("base64"))).size).toBe(2);
      else
        for (const original of originals)
          expect(
            imageEntries.filter(([, bytes]) => bytes.equals(original)),
            format,
          ).toHaveLength(1);
      // One label file (YOLO) or annotation file (VOC) per image.
      const labelFiles = [...files.keys()].filter((n) => /^(labels|Annotations)\//.test(n));
      if (format !== "coco") expect(new Set(labelFiles).size, format).toBe(2);
      if (format === "coco") {
        const json = [...files.entries()].find(([n]) => n.endsWith(".json") && n.includes("instances"));
        const coco = JSON.parse(json![1].toString("utf8")) as { images: { file_name: string }[] };
        expect(new Set(coco.images.map((i) => i.file_name)).size).toBe(2);
      }
    }
  });
});

describe("migration 0010", () => {
  it("backfills the natural key of existing images", () => {
    const db = openDatabase(path.join(t.dir, "old.sqlite"));
    try {
      migrate(
        db,
        loadMigrations().filter((m) => m.version < 10),
      );
      db.prepare(
        "INSERT INTO projects (name, description, created_at, updated_at) VALUES ('p', '', 'x', 'x')",
      ).run();
      const ins = db.prepare(
        "INSERT INTO images (project_id, sha256, file_name, width, height, format, byte_size, created_at, updated_at) VALUES (1, ?, ?, 1, 1, 'png', 1, 'x', 'x')",
      );
      for (const [i, n] of ["img10.png", "img2.png", "Img1.png"].entries()) ins.run(String(i), n);
      expect(migrate(db)).toContain(10);
      const rows = db.prepare("SELECT file_name, name_key FROM images ORDER BY name_key").all() as {
        file_name: string;
        name_key: string;
      }[];
      expect(rows.map((r) => r.file_name)).toEqual(["Img1.png", "img2.png", "img10.png"]);
      expect(rows.every((r) => r.name_key === naturalSortKey(r.file_name))).toBe(true);
    } finally {
      db.close();
    }
  });
});

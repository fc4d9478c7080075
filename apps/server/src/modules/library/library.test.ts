import fs from "node:fs";
import path from "node:path";
import { BulkResult, FolderList, ImagePage, ProjectStats } from "@labelbench/schema";
import request from "supertest";
import { afterEach, describe, expect, it } from "vitest";
import { originalKey } from "../../storage/keys.js";
import { createLabel, createProject, expectError, issuePaths, uploadImage } from "../../test-support/api.js";
import { TEST_BACKEND } from "../../test-support/app.js";
import { png } from "../../test-support/images.js";
import { fillLibrary } from "../../test-support/library.js";
import { addBox, annotateAndSubmit, makeReviewWorld, type ReviewWorld } from "../../test-support/review.js";
import { unzip } from "../../test-support/zips.js";

let w: ReviewWorld;
afterEach(() => w.t.cleanup());

const NAMES = ["a/x.png", "b/x.png", "a/sub/y.png", "z.png", "a/w.png"];

const bulk = async (body: object, status = 200) => {
  const res = await w.as("admin").post(`/projects/${w.projectId}/images/bulk`, body);
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  return status === 200 ? BulkResult.parse(res.body) : res;
};
const bulkOk = async (body: object) => (await bulk(body)) as BulkResult;
const list = async (query: Record<string, string> = {}) => {
  const res = await w.as("admin").get(`/projects/${w.projectId}/images`).query(query);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return ImagePage.parse(res.body);
};
const stats = async () =>
  ProjectStats.parse((await w.as("admin").get(`/projects/${w.projectId}/stats`)).body);
/** The trigger-kept counts match a count of the rows, per status. */
const expectCountsExact = async () => {
  const rows = await w.t.sql
    .selectFrom("images")
    .select(["status", (eb) => eb.fn.countAll<number>().as("n")])
    .where("project_id", "=", w.projectId)
    .groupBy("status")
    .execute();
  const real = { new: 0, in_progress: 0, done: 0, skipped: 0, total: 0 } as Record<string, number>;
  for (const r of rows) {
    real[r.status] = Number(r.n);
    real.total = (real.total ?? 0) + Number(r.n);
  }
  expect((await list()).counts).toEqual(real);
  const annotations = await w.t.sql
    .selectFrom("images")
    .select(["id", "annotation_count"])
    .where("project_id", "=", w.projectId)
    .execute();
  for (const i of annotations) {
    const n = await w.t.sql
      .selectFrom("annotations")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("image_id", "=", i.id)
      .executeTakeFirstOrThrow();
    expect(i.annotation_count, `image ${i.id}`).toBe(Number(n.n));
  }
};
const idOf = (name: string) => {
  const i = NAMES.indexOf(name);
  const id = w.imageIds[i];
  if (id === undefined) throw new Error(name);
  return id;
};
const tagsOf = async (imageId: number) =>
  (await w.as("admin").get(`/images/${imageId}/annotations`)).body as { revision: number; tags: number[] };

describe("folders", () => {
  it("lists each folder with its images, filters the library to a folder and its sub-folders, and lists tags", async () => {
    w = await makeReviewWorld(5, NAMES);
    const res = await w.as("admin").get(`/projects/${w.projectId}/folders`);
    expect(FolderList.parse(res.body)).toEqual({
      folders: [
        { path: "a/", images: 2 },
        { path: "a/sub/", images: 1 },
        { path: "b/", images: 1 },
      ],
      root: 1,
      total: 5,
    });
    // A member annotator reads them too.
    expect((await w.as("ann1").get(`/projects/${w.projectId}/folders`)).status).toBe(200);
    const a = await list({ folder: "a" });
    expect(a.items.map((i) => i.fileName)).toEqual(["a/sub/y.png", "a/w.png", "a/x.png"]);
    expect(a.counts.total).toBe(3);
    expect(a.items.every((i) => Array.isArray(i.tags) && i.tags.length === 0)).toBe(true);
    expect((await list({ folder: "a/sub/" })).items.map((i) => i.fileName)).toEqual(["a/sub/y.png"]);
    // "a/" is a folder, not a prefix of names: "ab/…" would not be in it.
    expect((await list({ folder: "b" })).items.map((i) => i.fileName)).toEqual(["b/x.png"]);
    const bad = await w.as("admin").get(`/projects/${w.projectId}/images`).query({ folder: "a/../b" });
    expectError(bad, 400, "VALIDATION_ERROR");
  });

  it("filters by folders whose names fold alike, hold numbers, accents or characters beyond the BMP", async () => {
    const names = [
      "Cam/2.png",
      "cam/3.png",
      "cam2/1.png",
      "camx/4.png",
      "📷 cam/1.png",
      "École/5.png",
      "ecole/6.png",
    ];
    w = await makeReviewWorld(names.length, names);
    const inFolder = async (folder: string) => (await list({ folder })).items.map((i) => i.fileName);
    // The name order's key folds "Cam" and "cam" together: the folder is still exact, byte for byte.
    expect(await inFolder("cam")).toEqual(["cam/3.png"]);
    expect(await inFolder("Cam/")).toEqual(["Cam/2.png"]);
    expect(await inFolder("cam2")).toEqual(["cam2/1.png"]);
    // substr counts code points: a folder name with an emoji (two UTF-16 units) matched nothing.
    expect(await inFolder("📷 cam")).toEqual(["📷 cam/1.png"]);
    expect(await inFolder("École")).toEqual(["École/5.png"]);
    expect((await list({ folder: "📷 cam", sort: "edited" })).counts.total).toBe(1);
  });
});

describe("bulk delete", () => {
  it("previews the images and annotations, refuses numbers that changed, deletes, keeps counters exact", async () => {
    w = await makeReviewWorld(5, NAMES);
    expect((await addBox(w, "admin", idOf("a/x.png"))).status).toBe(200);
    expect((await addBox(w, "admin", idOf("a/x.png"), 20)).status).toBe(200);
    expect((await addBox(w, "admin", idOf("b/x.png"))).status).toBe(200);
    const ids = [idOf("a/x.png"), idOf("b/x.png"), 999_999];
    const preview = await bulkOk({ imageIds: ids, action: { kind: "delete" }, dryRun: true });
    expect(preview).toMatchObject({ dryRun: true, matched: 2, annotations: 3 });
    expect(preview.results).toEqual([{ imageId: 999_999, status: "missing", reason: expect.any(String) }]);
    expect((await list()).counts.total).toBe(5);

    // Someone adds a shape after the preview: the confirmed numbers no longer hold.
    expect((await addBox(w, "admin", idOf("b/x.png"), 30)).status).toBe(200);
    const stale = (await bulk(
      { imageIds: ids, action: { kind: "delete", confirm: { images: 2, annotations: 3 } } },
      409,
    )) as { body: { error: { message: string } } };
    expect(stale.body.error.message).toContain("2 images and 4 annotations");
    expect((await list()).counts.total).toBe(5);

    const done = await bulkOk({
      imageIds: ids,
      action: { kind: "delete", confirm: { images: 2, annotations: 4 } },
    });
    expect(done).toMatchObject({ matched: 2, changed: 2, annotations: 4 });
    expect(done.results.map((r) => [r.imageId, r.status])).toEqual([
      [ids[0], "deleted"],
      [ids[1], "deleted"],
      [999_999, "missing"],
    ]);
    expect((await list()).items.map((i) => i.fileName)).toEqual(["a/sub/y.png", "a/w.png", "z.png"]);
    const s = await stats();
    expect(s.totalAnnotations).toBe(0);
    expect(s.labels[0]).toMatchObject({ annotations: 0, images: 0 });
    await expectCountsExact();
  });

  it("deletes by the library's filter, and keeps the files another project's images share", async () => {
    w = await makeReviewWorld(5, NAMES);
    const bytes = await png({ width: 400, height: 300, color: "#102030" }); // image 1's bytes (a/x.png)
    const other = await createProject(w.t.app, "Other");
    const shared = await uploadImage(w.t.app, other.id, { name: "same.png", data: bytes });
    expect(shared.sha256).toBe(
      (await list({ folder: "a/" })).items.find((i) => i.fileName === "a/x.png")?.sha256,
    );
    const onlyHere = (await list({ folder: "a/sub" })).items[0]?.sha256 ?? "";

    const r = await bulkOk({ filter: { folder: "a/" }, action: { kind: "delete" } });
    expect(r).toMatchObject({ matched: 3, changed: 3 });
    expect((await list()).items.map((i) => i.fileName)).toEqual(["b/x.png", "z.png"]);
    // Files go in the background after the reply: wait for the one only this project used.
    const gone = path.join(w.t.filesDir, originalKey(onlyHere));
    for (let i = 0; i < 500 && fs.existsSync(gone); i++) await new Promise((r) => setTimeout(r, 20));
    expect(fs.existsSync(gone)).toBe(false);
    expect(fs.existsSync(path.join(w.t.filesDir, originalKey(shared.sha256)))).toBe(true);
    expect((await request(w.t.app).get(`/api/v1/images/${shared.id}/file`)).status).toBe(200);
    await expectCountsExact();
  });

  it("deletes 10,000 images in one request", async () => {
    w = await makeReviewWorld(1);
    const big = await createProject(w.t.app, "Big");
    await fillLibrary(w.t.sql, w.t.dialect, big.id, 10_000);
    const started = performance.now();
    const res = await w.as("admin").post(`/projects/${big.id}/images/bulk`, {
      filter: { status: "done" },
      action: { kind: "delete" },
    });
    expect(res.status, JSON.stringify(res.body).slice(0, 300)).toBe(200);
    expect(BulkResult.parse(res.body)).toMatchObject({ matched: 2_500, changed: 2_500 });
    const all = await w
      .as("admin")
      .post(`/projects/${big.id}/images/bulk`, { filter: {}, action: { kind: "delete" } });
    expect(all.status).toBe(200);
    expect(all.body.changed).toBe(7_500);
    const ms = performance.now() - started;
    console.log(`bulk delete of 10,000 images (${TEST_BACKEND}): ${ms.toFixed(0)} ms`);
    const page = ImagePage.parse((await w.as("admin").get(`/projects/${big.id}/images`)).body);
    expect(page.counts).toEqual({ new: 0, in_progress: 0, done: 0, skipped: 0, total: 0 });
    // And by ids: 10,000 ids in one request.
    await fillLibrary(w.t.sql, w.t.dialect, big.id, 10_000);
    const ids = (
      await w.t.sql.selectFrom("images").select("id").where("project_id", "=", big.id).execute()
    ).map((r) => r.id);
    const byIds = await w.as("admin").post(`/projects/${big.id}/images/bulk`, {
      imageIds: ids,
      action: { kind: "delete" },
    });
    expect(byIds.status).toBe(200);
    expect(byIds.body.changed).toBe(10_000);
    expect(ImagePage.parse((await w.as("admin").get(`/projects/${big.id}/images`)).body).counts.total).toBe(
      0,
    );
  }, 120_000);
});

describe("bulk status and assignment", () => {
  it("sets the status of a folder's images, per image changed or unchanged, counts exact", async () => {
    w = await makeReviewWorld(5, NAMES);
    await bulkOk({ imageIds: [idOf("a/x.png")], action: { kind: "setStatus", status: "done" } });
    const r = await bulkOk({ filter: { folder: "a/" }, action: { kind: "setStatus", status: "done" } });
    expect(r).toMatchObject({ matched: 3, changed: 2 });
    expect(r.results.find((x) => x.imageId === idOf("a/x.png"))?.status).toBe("unchanged");
    expect((await list()).counts).toMatchObject({ new: 2, done: 3, total: 5 });
    await expectCountsExact();
  });

  it("assigns and unassigns through the review module, which refuses submitted images per image", async () => {
    w = await makeReviewWorld(3);
    expect(
      (await w.as("admin").patch(`/projects/${w.projectId}/review-settings`, { mode: "all" })).status,
    ).toBe(200);
    const [a, b, c] = w.imageIds as [number, number, number];
    await annotateAndSubmit(w, "ann1", c);
    const r = await bulkOk({ imageIds: [a, b, c], action: { kind: "assign", assigneeId: w.users.ann2.id } });
    expect(r.results.map((x) => x.status)).toEqual(["changed", "changed", "refused"]);
    expect(r.results[2]?.reason).toContain("waiting for review");
    expect((await list()).items.filter((i) => i.assigneeId === w.users.ann2.id).map((i) => i.id)).toEqual([
      a,
      b,
    ]);
    const un = await bulkOk({ filter: {}, action: { kind: "assign", assigneeId: null } });
    expect(un.changed).toBe(2);
    expect((await list()).items.every((i) => i.assigneeId !== w.users.ann2.id)).toBe(true);
  });
});

describe("bulk tags", () => {
  it("adds, toggles and removes tags, each changed image at its next revision; an editor's stale save conflicts", async () => {
    w = await makeReviewWorld(5, NAMES);
    const cat = await createLabel(w.t.app, w.projectId, { name: "cat" });
    const [a, b] = [idOf("a/x.png"), idOf("b/x.png")];
    const before = await tagsOf(a);
    const added = await bulkOk({ imageIds: [a, b], action: { kind: "addTags", labelIds: [cat.id] } });
    expect(added.results).toEqual([
      { imageId: a, status: "changed", revision: before.revision + 1, tags: [cat.id] },
      { imageId: b, status: "changed", revision: expect.any(Number), tags: [cat.id] },
    ]);
    expect((await tagsOf(a)).tags).toEqual([cat.id]);
    // The image holds something now: new → in progress, as a save in the editor does.
    expect((await list()).items.find((i) => i.id === a)).toMatchObject({
      status: "in_progress",
      tags: [cat.id],
    });
    // Again: nothing to do, no revision step.
    const again = await bulkOk({ imageIds: [a], action: { kind: "addTags", labelIds: [cat.id] } });
    expect(again.results).toEqual([{ imageId: a, status: "unchanged" }]);
    expect((await tagsOf(a)).revision).toBe(before.revision + 1);

    // An annotator's editor still at the old revision: its save is refused with the current set.
    const stale = await w
      .as("admin")
      .patch(`/images/${a}/annotations`, { baseRevision: before.revision, tags: [] });
    expectError(stale, 409, "REVISION_CONFLICT");
    expect((await tagsOf(a)).tags).toEqual([cat.id]);

    // A toggle over a selection where some hold the tag adds it to the rest; then removes it from all.
    const on = await bulkOk({ filter: { folder: "a/" }, action: { kind: "toggleTag", labelId: cat.id } });
    expect(on).toMatchObject({ toggled: "added", matched: 3, changed: 2 });
    const off = await bulkOk({ filter: { folder: "a/" }, action: { kind: "toggleTag", labelId: cat.id } });
    expect(off).toMatchObject({ toggled: "removed", matched: 3, changed: 3 });
    expect((await tagsOf(a)).tags).toEqual([]);
    expect((await tagsOf(b)).tags).toEqual([cat.id]);
    const removed = await bulkOk({ filter: {}, action: { kind: "removeTags", labelIds: [cat.id] } });
    expect(removed.changed).toBe(1);
    expect((await stats()).labels.find((l) => l.labelId === cat.id)?.tagged).toBe(0);
    await expectCountsExact();
  });

  it("keeps an annotator's tag saved meanwhile: the bulk change merges into the current set", async () => {
    w = await makeReviewWorld(2);
    const cat = await createLabel(w.t.app, w.projectId, { name: "cat" });
    const [a] = w.imageIds as [number];
    const set = await tagsOf(a);
    expect(
      (
        await w
          .as("admin")
          .patch(`/images/${a}/annotations`, { baseRevision: set.revision, tags: [w.labelId] })
      ).status,
    ).toBe(200);
    const r = await bulkOk({ imageIds: [a], action: { kind: "addTags", labelIds: [cat.id] } });
    expect(r.results[0]?.tags).toEqual([w.labelId, cat.id].sort((x, y) => x - y));
  });

  it("sends an accepted image back to review, as an edit in the editor does", async () => {
    w = await makeReviewWorld(2);
    expect(
      (await w.as("admin").patch(`/projects/${w.projectId}/review-settings`, { mode: "all" })).status,
    ).toBe(200);
    const [a] = w.imageIds as [number];
    const work = await annotateAndSubmit(w, "ann1", a);
    const decided = await w
      .as("rev")
      .post(`/images/${a}/decision`, { decision: "accepted", revision: work.revision });
    expect(decided.status, JSON.stringify(decided.body)).toBe(200);
    await bulkOk({ imageIds: [a], action: { kind: "addTags", labelIds: [w.labelId] } });
    expect((await w.as("admin").get(`/images/${a}/work`)).body.reviewState).toBe("pending");
    const history = await w.as("admin").get(`/images/${a}/history`);
    expect(JSON.stringify(history.body)).toContain("returned_by_edit");
  });

  it("never shows an annotator the reference tags of a gold image in the list", async () => {
    w = await makeReviewWorld(2);
    const [a, b] = w.imageIds as [number, number];
    await bulkOk({ imageIds: [a, b], action: { kind: "addTags", labelIds: [w.labelId] } });
    const gold = await w
      .as("admin")
      .post(`/projects/${w.projectId}/images/gold`, { imageIds: [a], gold: "honeypot" });
    expect(gold.status, JSON.stringify(gold.body)).toBe(200);
    const seen = ImagePage.parse((await w.as("ann1").get(`/projects/${w.projectId}/images`)).body).items;
    expect(seen.find((i) => i.id === a)?.tags).toEqual([]);
    expect(seen.find((i) => i.id === b)?.tags).toEqual([w.labelId]);
  });

  it("refuses a label of another project whole, and changes nothing", async () => {
    w = await makeReviewWorld(2);
    const other = await createProject(w.t.app, "Other");
    const foreign = await createLabel(w.t.app, other.id, { name: "dog" });
    const res = (await bulk(
      { imageIds: w.imageIds, action: { kind: "addTags", labelIds: [w.labelId, foreign.id] } },
      400,
    )) as { status: number; body: unknown };
    expectError(res, 400, "VALIDATION_ERROR");
    expect(issuePaths((res.body as { error: { details: unknown } }).error.details)).toEqual([
      "body.action.labelIds",
    ]);
    for (const id of w.imageIds) expect((await tagsOf(id)).tags).toEqual([]);
  });
});

describe("move and rename", () => {
  it("moves images to a folder keeping their names, refusing collisions whole", async () => {
    w = await makeReviewWorld(5, NAMES);
    // a/x.png and b/x.png would both become c/x.png: nothing moves.
    const clash = (await bulk(
      { imageIds: [idOf("a/x.png"), idOf("b/x.png")], action: { kind: "move", folder: "c" } },
      409,
    )) as {
      body: { error: { message: string } };
    };
    expect(clash.body.error.message).toContain('would all be named "c/x.png"');
    // b/x.png into a/ would take a/x.png's name.
    const taken = (await bulk(
      { imageIds: [idOf("b/x.png")], action: { kind: "move", folder: "a/" } },
      409,
    )) as {
      body: { error: { message: string } };
    };
    expect(taken.body.error.message).toContain(`"a/x.png" is already the name of image ${idOf("a/x.png")}`);
    expect((await list()).items.map((i) => i.fileName).sort()).toEqual([...NAMES].sort());

    const moved = await bulkOk({ filter: { folder: "a/" }, action: { kind: "move", folder: "c/d" } });
    expect(moved.results.map((r) => r.fileName).sort()).toEqual(["c/d/w.png", "c/d/x.png", "c/d/y.png"]);
    const folders = FolderList.parse((await w.as("admin").get(`/projects/${w.projectId}/folders`)).body);
    expect(folders.folders).toEqual([
      { path: "b/", images: 1 },
      { path: "c/d/", images: 3 },
    ]);
    // To the root, and back in name order with the natural key updated.
    await bulkOk({ imageIds: [idOf("b/x.png")], action: { kind: "move", folder: "" } });
    expect((await list()).items.map((i) => i.fileName)).toEqual([
      "c/d/w.png",
      "c/d/x.png",
      "c/d/y.png",
      "x.png",
      "z.png",
    ]);
    expectError(
      (await bulk({ imageIds: [idOf("z.png")], action: { kind: "move", folder: "../up" } }, 400)) as {
        status: number;
        body: unknown;
      },
      400,
      "VALIDATION_ERROR",
    );
  });

  it("exports two x.png in different folders under their own paths, and keeps them apart after a move", async () => {
    w = await makeReviewWorld(5, NAMES);
    const names = async (format: string) => {
      const res = await request(w.t.app)
        .get(`/api/v1/projects/${w.projectId}/export?format=${format}`)
        .buffer(true)
        .parse((r, cb) => {
          const chunks: Buffer[] = [];
          r.on("data", (c: Buffer) => chunks.push(c));
          r.on("end", () => cb(null, Buffer.concat(chunks)));
        });
      expect(res.status).toBe(200);
      return [...(await unzip(res.body as Buffer)).keys()].filter(
        (k) => k.startsWith("images/") || k.startsWith("JPEGImages/"),
      );
    };
    expect(await names("coco")).toEqual(
      expect.arrayContaining(["images/train/a/x.png", "images/train/b/x.png", "images/train/a/sub/y.png"]),
    );
    // VOC joins folders into the id: a_x and b_x, still two files.
    const voc = await names("voc");
    expect(voc).toEqual(expect.arrayContaining(["JPEGImages/a_x.jpg", "JPEGImages/b_x.jpg"]));
    // Moved to the root, a/x.png cannot become x.png beside b's (the move is refused), so the
    // export never sees two images named alike from a move.
    await bulk({ imageIds: [idOf("a/x.png"), idOf("b/x.png")], action: { kind: "move", folder: "" } }, 409);
  }, 120_000);

  it("renames one image, refusing a name another image has", async () => {
    w = await makeReviewWorld(5, NAMES);
    const res = await w.as("admin").patch(`/images/${idOf("z.png")}`, { fileName: "a/x.png" });
    expectError(res, 409, "CONFLICT");
    expect(res.body.error.message).toContain(
      `image ${idOf("a/x.png")} of this project is already named "a/x.png"`,
    );
    const ok = await w.as("admin").patch(`/images/${idOf("z.png")}`, { fileName: "a/z2.png" });
    expect(ok.status).toBe(200);
    expect(ok.body.fileName).toBe("a/z2.png");
    // Renaming to its own name is no collision.
    expect((await w.as("admin").patch(`/images/${idOf("z.png")}`, { fileName: "a/z2.png" })).status).toBe(
      200,
    );
  });
});

describe("bad input", () => {
  it("answers 400 for a selection that is neither or both, an unknown action, too many ids; 403 for annotators", async () => {
    w = await makeReviewWorld(2);
    const url = `/projects/${w.projectId}/images/bulk`;
    const cases: object[] = [
      { action: { kind: "delete" } },
      { imageIds: w.imageIds, filter: {}, action: { kind: "delete" } },
      { imageIds: [], action: { kind: "delete" } },
      { imageIds: w.imageIds, action: { kind: "explode" } },
      { imageIds: w.imageIds, action: { kind: "setStatus", status: "finished" } },
      { imageIds: Array.from({ length: 100_001 }, (_, i) => i + 1), action: { kind: "delete" } },
    ];
    for (const body of cases) expectError(await w.as("admin").post(url, body), 400, "VALIDATION_ERROR");
    expectError(
      await w.as("ann1").post(url, { imageIds: w.imageIds, action: { kind: "delete" } }),
      403,
      "FORBIDDEN",
    );
    expect((await list()).counts.total).toBe(2);
    expectError(
      await w.as("admin").post(`/projects/999/images/bulk`, { filter: {}, action: { kind: "delete" } }),
      404,
      "NOT_FOUND",
    );
  });
});

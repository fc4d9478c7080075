import type { DatasetVersion, Image, Label, VersionDiff } from "@labelbench/schema";
import request from "supertest";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { originalKey } from "../../storage/keys.js";
import { createLabel, expectError, uploadImage } from "../../test-support/api.js";
import { makeTestApp, type TestApp } from "../../test-support/app.js";
import { png } from "../../test-support/images.js";
import { getExport, seedZipProject, unzip } from "../../test-support/zips.js";

/**
 * Dataset versions (issue 17) on either backend (LABELBENCH_TEST_BACKEND): a freeze, the bytes of
 * its exports after the live project moved on, the files it keeps, the diff, the numbering.
 */

let t: TestApp;
let projectId: number;
let labels: [Label, Label, Label];
let images: [Image, Image, Image];

const api = (p: string) => `/api/v1${p}`;

/** Replaces an image's shapes and tags (ids given: the diff matches shapes by them). */
const put = async (imageId: number, annotations: unknown[], tags: number[] = []) => {
  const current = await request(t.app).get(api(`/images/${imageId}/annotations`));
  const res = await request(t.app)
    .put(api(`/images/${imageId}/annotations`))
    .send({ baseRevision: current.body.revision, annotations, tags });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
};
const box = (x: number, y: number, width: number, height: number) => ({ type: "box", x, y, width, height });
const shape = (id: string, label: Label, geometry: unknown) => ({ id, labelId: label.id, geometry });

const freeze = async (body: object = {}): Promise<DatasetVersion> => {
  const res = await request(t.app)
    .post(api(`/projects/${projectId}/versions`))
    .send(body);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as DatasetVersion;
};
const diff = async (a: number, b: number | "live", query = ""): Promise<VersionDiff> => {
  const res = await request(t.app).get(api(`/projects/${projectId}/versions/${a}/diff/${b}${query}`));
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body as VersionDiff;
};
const exportOf = async (query: string): Promise<Buffer> => {
  const res = await getExport(t.app, projectId, query);
  expect(res.status, res.status === 200 ? "" : res.body.toString()).toBe(200);
  return res.body as Buffer;
};

/**
 * Three images (two annotated, one tagged and done, one untouched), three labels, a polygon:
 * enough for every format to write each kind of file.
 */
beforeEach(async () => {
  t = await makeTestApp();
  ({ projectId, labels, images } = await seedZipProject(t.app, {
    project: "Versions",
    labels: ["car", "person", "sign"],
    images: ["a.png", "b.jpg", "c.png"],
  }));
  const [car, person, sign] = labels;
  await put(images[0].id, [
    shape("a-car", car, box(0, 0, 40, 20)),
    shape("a-person", person, {
      type: "polygon",
      points: [
        [2, 2],
        [20, 3],
        [10, 15],
      ],
    }),
  ]);
  await put(images[1].id, [shape("b-sign", sign, box(1.5, 2.25, 10, 5))], [car.id]);
  await request(t.app)
    .patch(api(`/images/${images[1].id}`))
    .send({ status: "done" });
});
afterEach(() => t.cleanup());

/** Edits, deletions and uploads in the live project: what months of work do to it. */
const moveOn = async () => {
  const [car, person, sign] = labels;
  await put(images[0].id, [shape("a-car", person, box(1, 1, 30, 10)), shape("a-new", car, box(0, 0, 5, 5))]);
  await request(t.app)
    .patch(api(`/projects/${projectId}/labels/${car.id}`))
    .send({ name: "automobile" });
  // Created before "sign" goes: SQLite would give the newest label's freed id to the next one.
  await createLabel(t.app, projectId, { name: "tree" });
  const del = await request(t.app).delete(
    api(`/projects/${projectId}/labels/${sign.id}?deleteAnnotations=true`),
  );
  expect(del.status, JSON.stringify(del.body)).toBe(204);
  expect((await request(t.app).delete(api(`/images/${images[1].id}`))).status).toBe(204);
  const d = await uploadImage(t.app, projectId, {
    name: "d.png",
    data: await png({ width: 12, height: 12, seed: 4 }),
  });
  await put(d.id, [shape("d-person", person, box(0, 0, 4, 4))]);
  return d;
};

describe("freezing a version", () => {
  it("numbers versions per project, counts images and shapes per label, keeps its note", async () => {
    const v1 = await freeze({ note: "first labelled batch" });
    expect(v1).toMatchObject({
      number: 1,
      note: "first labelled batch",
      split: null,
      seed: null,
      createdBy: expect.any(String),
      counts: {
        images: 3,
        shapes: 3,
        perLabel: [
          { labelId: labels[0].id, name: "car", shapes: 1 },
          { labelId: labels[1].id, name: "person", shapes: 1 },
          { labelId: labels[2].id, name: "sign", shapes: 1 },
        ],
      },
    });
    await moveOn();
    const v2 = await freeze({ note: "after review" });
    expect(v2.number).toBe(2);
    expect(v2.counts.images).toBe(3);
    expect(v2.counts.perLabel.map((l) => [l.name, l.shapes])).toEqual([
      ["automobile", 1],
      ["person", 2],
      ["tree", 0],
    ]);
    // Version 1 is as it was frozen, whatever happened since.
    const again = await request(t.app).get(api(`/projects/${projectId}/versions/1`));
    expect(again.body).toEqual(v1);
    const list = await request(t.app).get(api(`/projects/${projectId}/versions`));
    expect(list.body.items.map((v: DatasetVersion) => v.number)).toEqual([2, 1]);
  });

  it("changes only a note; a deleted version's number is never given again", async () => {
    await freeze({ note: "one" });
    await freeze({ note: "two" });
    const patched = await request(t.app)
      .patch(api(`/projects/${projectId}/versions/1`))
      .send({ note: "renamed" });
    expect(patched.status).toBe(200);
    expect(patched.body.note).toBe("renamed");
    // Only the note changes: nothing else of a version can be sent.
    const other = await request(t.app)
      .patch(api(`/projects/${projectId}/versions/1`))
      .send({ note: "x", number: 7, counts: { images: 0 } });
    expect(other.status).toBe(200);
    expect(other.body).toMatchObject({ number: 1, note: "x", counts: { images: 3, shapes: 3 } });
    expect((await request(t.app).delete(api(`/projects/${projectId}/versions/2`))).status).toBe(204);
    expect((await freeze()).number).toBe(3);
  });

  it("numbers two concurrent freezes 1 and 2", async () => {
    const [a, b] = await Promise.all([
      request(t.app)
        .post(api(`/projects/${projectId}/versions`))
        .send({ note: "a" }),
      request(t.app)
        .post(api(`/projects/${projectId}/versions`))
        .send({ note: "b" }),
    ]);
    expect([a.status, b.status]).toEqual([201, 201]);
    expect([a.body.number, b.body.number].sort()).toEqual([1, 2]);
    expect(a.body.counts.shapes).toBe(3);
    expect(b.body.counts.shapes).toBe(3);
  });

  it("refuses bad input with a clear error", async () => {
    expectError(
      await request(t.app)
        .post(api(`/projects/${projectId}/versions`))
        .send({ note: "x".repeat(2001) }),
      400,
      "VALIDATION_ERROR",
    );
    expectError(
      await request(t.app)
        .post(api(`/projects/${projectId}/versions`))
        .send({ split: "80,30" }),
      400,
      "VALIDATION_ERROR",
    );
    expectError(await request(t.app).post(api("/projects/9999/versions")).send({}), 404, "NOT_FOUND");
    expect((await request(t.app).get(api(`/projects/${projectId}/versions`))).body.items).toEqual([]);
  });
});

// Each case downloads six zips (images included): minutes on a loaded machine, not the default 30 s.
describe("exporting a version (?version=N)", { timeout: 180_000 }, () => {
  for (const format of ["coco", "yolo", "yolo-seg", "voc"] as const)
    it(`${format}: the same bytes before and after the live project moved on`, async () => {
      const liveBefore = await unzip(await exportOf(`format=${format}`));
      await freeze({ note: "frozen" });
      const first = await exportOf(`format=${format}&version=1`);
      const firstExcluded = await exportOf(`format=${format}&version=1&images=exclude&status=done,new`);
      await moveOn();
      await freeze({ note: "later" });
      const later = await exportOf(`format=${format}&version=1`);
      expect(later.equals(first)).toBe(true);
      expect(
        (await exportOf(`format=${format}&version=1&images=exclude&status=done,new`)).equals(firstExcluded),
      ).toBe(true);
      // The same encoders over the frozen rows: every file but the manifest is the live export's
      // of that moment, and the manifest differs only by naming the version.
      const files = await unzip(first);
      expect([...files.keys()]).toEqual([...liveBefore.keys()]);
      for (const [name, bytes] of files)
        if (name !== "manifest.json")
          expect(bytes.equals(liveBefore.get(name) ?? Buffer.alloc(0)), name).toBe(true);
      const manifest = JSON.parse((files.get("manifest.json") ?? Buffer.alloc(0)).toString("utf8"));
      const { version, ...rest } = manifest;
      expect(version).toEqual({ number: 1, createdAt: expect.any(String) });
      expect(rest).toEqual(JSON.parse((liveBefore.get("manifest.json") ?? Buffer.alloc(0)).toString("utf8")));
      // And the live project exports what it is now: not the version.
      expect((await exportOf(`format=${format}`)).equals(first)).toBe(false);
    });

  it("names the version in the download and answers 404 for an unknown one", async () => {
    await freeze();
    const res = await getExport(t.app, projectId, "format=coco&version=1");
    expect(res.headers["content-disposition"]).toContain("Versions-v1-coco.zip");
    const missing = await getExport(t.app, projectId, "format=coco&version=2");
    expect(missing.status).toBe(404);
    expect(JSON.parse(missing.body.toString()).error.code).toBe("NOT_FOUND");
    const bad = await getExport(t.app, projectId, "format=coco&version=0");
    expect(bad.status).toBe(400);
  });

  it("keeps a frozen split for every export of the version, and refuses another", async () => {
    const v = await freeze({ split: "50,50", seed: "s1" });
    expect(v).toMatchObject({ split: "50,50,0", seed: "s1" });
    const first = await unzip(await exportOf("format=yolo&version=1&images=exclude"));
    const manifest = JSON.parse((first.get("manifest.json") ?? Buffer.alloc(0)).toString("utf8"));
    expect(manifest.options).toMatchObject({ split: "50,50,0", seed: "s1" });
    const splitOf = (m: { images: { path: string; split: string }[] }) =>
      Object.fromEntries(m.images.map((i) => [i.path.split("/").pop(), i.split]));
    const frozen = splitOf(manifest);
    expect(new Set(Object.values(frozen))).toEqual(new Set(["train", "val"]));
    // A status filter takes images out; those left keep their frozen split (a live export would re-rank them).
    const done = await unzip(await exportOf("format=yolo&version=1&images=exclude&status=done"));
    const doneManifest = JSON.parse((done.get("manifest.json") ?? Buffer.alloc(0)).toString("utf8"));
    for (const [name, split] of Object.entries(splitOf(doneManifest))) expect(split).toBe(frozen[name]);
    const refused = await getExport(t.app, projectId, "format=yolo&version=1&split=80,20");
    expect(refused.status).toBe(400);
    expect(JSON.parse(refused.body.toString()).error.message).toContain("froze its split (50,50,0");
  });
});

describe("the files a version keeps", () => {
  it("keeps an image's file after the live image is deleted, until the version goes", async () => {
    await freeze();
    const sha = images[1].sha256;
    const withImages = await exportOf("format=coco&version=1");
    expect((await request(t.app).delete(api(`/images/${images[1].id}`))).status).toBe(204);
    expect(await t.storage.stat(originalKey(sha))).not.toBeNull();
    await t.app.files.sweep();
    expect(await t.storage.stat(originalKey(sha))).not.toBeNull();
    const later = await exportOf("format=coco&version=1");
    expect(later.equals(withImages)).toBe(true);
    expect((await unzip(later)).get("images/train/b.jpg")?.length).toBeGreaterThan(0);
    // Deleting the version lets the file go: nothing references it any more.
    expect((await request(t.app).delete(api(`/projects/${projectId}/versions/1`))).status).toBe(204);
    expect(await t.storage.stat(originalKey(sha))).toBeNull();
    // A file still used by the live project stays.
    expect(await t.storage.stat(originalKey(images[0].sha256))).not.toBeNull();
  });
});

describe("comparing versions", () => {
  it("counts images and shapes added, removed, changed, per label, with a page of changed images", async () => {
    await freeze();
    const d = await moveOn();
    await freeze();
    const [car, person, sign] = labels;
    const expected = {
      from: 1,
      to: 2,
      // b.jpg deleted, d.png added, a.png changed, c.png untouched.
      images: { added: 1, removed: 1, changed: 1, unchanged: 1 },
      // a-new and d-person added; a-person removed, and b-sign (its image and its label went);
      // a-car moved and relabeled.
      shapes: { added: 2, removed: 2, changed: 1, relabeled: 1 },
      perLabel: [
        { labelId: car.id, name: "automobile", added: 1, removed: 0, changed: 0 },
        { labelId: person.id, name: "person", added: 1, removed: 1, changed: 1 },
        { labelId: expect.any(Number), name: "tree", added: 0, removed: 0, changed: 0 },
        { labelId: sign.id, name: "sign", added: 0, removed: 1, changed: 0 },
      ],
    };
    const d12 = await diff(1, 2);
    expect(d12).toMatchObject(expected);
    expect(d12.perLabel.map((l) => l.name)).toEqual(["automobile", "person", "tree", "sign"]);
    expect(d12.changedImages).toEqual({
      total: 3,
      offset: 0,
      limit: 100,
      items: [
        {
          imageId: images[0].id,
          fileName: "a.png",
          change: "changed",
          shapesAdded: 1,
          shapesRemoved: 1,
          shapesChanged: 1,
          live: true,
        },
        {
          imageId: images[1].id,
          fileName: "b.jpg",
          change: "removed",
          shapesAdded: 0,
          shapesRemoved: 1,
          shapesChanged: 0,
          live: false,
        },
        {
          imageId: d.id,
          fileName: "d.png",
          change: "added",
          shapesAdded: 1,
          shapesRemoved: 0,
          shapesChanged: 0,
          live: true,
        },
      ],
    });
    // Against the live project: the same, as nothing moved since version 2.
    expect(await diff(1, "live")).toMatchObject({ ...expected, to: "live" });
    // The other way round, additions become removals.
    expect((await diff(2, 1)).shapes).toEqual({
      added: 2,
      removed: 2,
      changed: 1,
      relabeled: 1,
      attributesChanged: 0,
    });
    // A version against itself: nothing changed.
    expect((await diff(2, 2)).images).toEqual({ added: 0, removed: 0, changed: 0, unchanged: 3 });
    // Pages.
    const page = await diff(1, 2, "?offset=1&limit=1");
    expect(page.changedImages.items.map((i) => i.fileName)).toEqual(["b.jpg"]);
    expect(page.changedImages.total).toBe(3);
  });

  it("counts a shape whose attribute values changed as changed, per label too", async () => {
    const truck = await createLabel(t.app, projectId, {
      name: "truck",
      attributes: [
        { name: "occluded", kind: "checkbox" },
        { name: "colour", kind: "choice", values: ["red", "green"], default: "green" },
      ],
    });
    const g = box(1, 1, 3, 3);
    await put(images[2].id, [
      { ...shape("t1", truck, g), attributes: { occluded: false, colour: "red" } },
      { ...shape("t2", truck, box(5, 5, 3, 3)), attributes: { occluded: false, colour: "red" } },
    ]);
    await freeze();
    // Same ids, labels and geometry; one shape's values change.
    await put(images[2].id, [
      { ...shape("t1", truck, g), attributes: { occluded: true, colour: "red" } },
      { ...shape("t2", truck, box(5, 5, 3, 3)), attributes: { occluded: false, colour: "red" } },
    ]);
    const expectOne = (d: VersionDiff) => {
      expect(d.shapes).toEqual({ added: 0, removed: 0, changed: 1, relabeled: 0, attributesChanged: 1 });
      expect(d.perLabel.find((l) => l.labelId === truck.id)).toMatchObject({
        added: 0,
        removed: 0,
        changed: 1,
        attributesChanged: 1,
      });
      expect(d.images).toMatchObject({ changed: 1 });
      expect(d.changedImages.items).toEqual([
        expect.objectContaining({ fileName: "c.png", change: "changed", shapesChanged: 1 }),
      ]);
    };
    // Against the live project, then between two frozen versions, both ways.
    expectOne(await diff(1, "live"));
    await freeze();
    expectOne(await diff(1, 2));
    expectOne(await diff(2, 1));
    // Values taken off a shape (none left) are a change as well.
    await put(images[2].id, [
      shape("t1", truck, g),
      { ...shape("t2", truck, box(5, 5, 3, 3)), attributes: { occluded: false, colour: "red" } },
    ]);
    expect((await diff(2, "live")).shapes.attributesChanged).toBe(1);
  });

  it("sees a tag change as a changed image", async () => {
    await freeze();
    await put(images[2].id, [], [labels[1].id]);
    const d = await diff(1, "live");
    expect(d.images).toEqual({ added: 0, removed: 0, changed: 1, unchanged: 2 });
    expect(d.changedImages.items[0]).toMatchObject({
      fileName: "c.png",
      change: "changed",
      shapesChanged: 0,
    });
  });

  it("answers 404 for an unknown version and 400 for bad parameters", async () => {
    await freeze();
    expectError(await request(t.app).get(api(`/projects/${projectId}/versions/2`)), 404, "NOT_FOUND");
    expectError(await request(t.app).get(api(`/projects/${projectId}/versions/1/diff/3`)), 404, "NOT_FOUND");
    expectError(
      await request(t.app).get(api(`/projects/${projectId}/versions/5/diff/live`)),
      404,
      "NOT_FOUND",
    );
    for (const bad of ["0/diff/live", "1/diff/latest", "x/diff/1", "1/diff/01", "1/diff/-1"])
      expectError(
        await request(t.app).get(api(`/projects/${projectId}/versions/${bad}`)),
        400,
        "VALIDATION_ERROR",
      );
    expectError(
      await request(t.app).get(api(`/projects/${projectId}/versions/1/diff/live?limit=0`)),
      400,
      "VALIDATION_ERROR",
    );
    expectError(await request(t.app).delete(api(`/projects/${projectId}/versions/4`)), 404, "NOT_FOUND");
  });
});

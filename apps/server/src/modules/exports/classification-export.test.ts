import { ImportReport, type Label } from "@labelbench/schema";
import request from "supertest";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createLabel, createProject, expectError, uploadImage } from "../../test-support/api.js";
import { makeTestApp, type TestApp } from "../../test-support/app.js";
import { gif, jpeg, png } from "../../test-support/images.js";
import { getExport, unzip } from "../../test-support/zips.js";

/**
 * The classification exports (issue 18): a CSV of every image's tags and the ImageNet folder
 * layout, both over the tag labels only, live and from a dataset version, and the CSV back in.
 */
let t: TestApp;
let projectId: number;
let labels: Record<"car" | "indoor" | "outdoor" | "slash", Label>;
let ids: number[];

const tag = async (imageId: number, tags: number[], annotations: unknown[] = []) => {
  const current = await request(t.app).get(`/api/v1/images/${imageId}/annotations`);
  const res = await request(t.app)
    .put(`/api/v1/images/${imageId}/annotations`)
    .send({ baseRevision: current.body.revision, annotations, tags });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
};

const exported = async (query: string, id = projectId) => {
  const res = await getExport(t.app, id, query);
  expect(res.status, res.body.toString().slice(0, 500)).toBe(200);
  return { zip: res.body, files: await unzip(res.body), headers: res.headers };
};
const text = (files: Map<string, Buffer>, p: string) => files.get(p)?.toString("utf8");

beforeEach(async () => {
  t = await makeTestApp();
  projectId = (await createProject(t.app, "Scenes")).id;
  labels = {
    car: await createLabel(t.app, projectId, { name: "car", scope: "shapes" }),
    indoor: await createLabel(t.app, projectId, { name: "indoor", scope: "tags" }),
    outdoor: await createLabel(t.app, projectId, { name: "Outdoor" }),
    slash: await createLabel(t.app, projectId, { name: "night/dark", scope: "tags" }),
  };
  const images = [
    await uploadImage(t.app, projectId, {
      name: "a.jpg",
      data: await jpeg({ width: 20, height: 10, seed: 1 }),
    }),
    await uploadImage(t.app, projectId, {
      name: "b.png",
      data: await png({ width: 12, height: 12, seed: 2 }),
    }),
    await uploadImage(t.app, projectId, { name: "c.gif", data: await gif({ width: 8, height: 8 }) }),
    await uploadImage(t.app, projectId, {
      name: "none.jpg",
      data: await jpeg({ width: 9, height: 9, seed: 4 }),
    }),
    await uploadImage(t.app, projectId, {
      name: "two.jpg",
      data: await jpeg({ width: 9, height: 9, seed: 5 }),
    }),
  ];
  ids = images.map((i) => i.id);
  await tag(
    ids[0] as number,
    [labels.indoor.id],
    [{ id: "s1", labelId: labels.car.id, geometry: { type: "box", x: 1, y: 1, width: 4, height: 4 } }],
  );
  await tag(ids[1] as number, [labels.outdoor.id]);
  await tag(ids[2] as number, [labels.slash.id]);
  await tag(ids[4] as number, [labels.indoor.id, labels.slash.id]);
});
afterEach(() => t.cleanup());

describe("classification-csv export", () => {
  it("writes one row per image with its tags, the tag labels only, and the images", async () => {
    const { files, headers } = await exported("format=classification-csv&images=include");
    expect(headers["content-disposition"]).toContain("Scenes-classification-csv.zip");
    expect(text(files, "labels.txt")).toBe("indoor\nOutdoor\nnight/dark\n");
    expect(text(files, "classification.csv")).toBe(
      [
        "image,labels",
        "images/a.jpg,indoor",
        "images/b.png,Outdoor",
        "images/c.gif,night/dark",
        "images/none.jpg,",
        "images/two.jpg,indoor;night/dark",
        "",
      ].join("\n"),
    );
    expect([...files.keys()].filter((p) => p.startsWith("images/")).sort()).toEqual([
      "images/a.jpg",
      "images/b.png",
      "images/c.gif",
      "images/none.jpg",
      "images/two.jpg",
    ]);
    const report = JSON.parse(text(files, "export-report.json") ?? "{}") as { items: { code: string }[] };
    expect(report.items.map((i) => i.code)).toContain("SHAPES_NOT_WRITTEN_CLASSIFICATION");
  });

  it("adds a split column when the export has splits", async () => {
    const { files } = await exported("format=classification-csv&images=exclude&split=60,40");
    const rows = text(files, "classification.csv")?.trim().split("\n") ?? [];
    expect(rows[0]).toBe("image,labels,split");
    expect(
      rows
        .slice(1)
        .map((r) => r.slice(r.lastIndexOf(",") + 1))
        .sort(),
    ).toEqual(["train", "train", "train", "val", "val"]);
  });

  it("imports back: a new project gets the images, the labels and every tag; its export has the same bytes", async () => {
    const first = await exported("format=classification-csv&images=include");
    const other = (await createProject(t.app, "Copy")).id;
    const res = await request(t.app)
      .post(`/api/v1/projects/${other}/import`)
      .set("Content-Type", "application/zip")
      .send(first.zip);
    expect(res.status, JSON.stringify(res.body).slice(0, 2000)).toBe(200);
    const report = ImportReport.parse(res.body);
    expect(report.format).toBe("classification-csv");
    const again = await exported("format=classification-csv&images=include", other);
    expect(text(again.files, "classification.csv")).toBe(text(first.files, "classification.csv"));
    expect(text(again.files, "labels.txt")).toBe(text(first.files, "labels.txt"));
    // Created as whole-image tags, as the dataset used them: they list in the tag panel, not the palette.
    const labels = (await request(t.app).get(`/api/v1/projects/${other}/labels`)).body.items as Label[];
    expect(labels.map((l) => [l.name, l.scope])).toEqual([
      ["indoor", "tags"],
      ["Outdoor", "tags"],
      ["night/dark", "tags"],
    ]);
  }, 180_000);
});

describe("imagenet export", () => {
  it("puts each single-tag image in <split>/<class>/, names the images it leaves out, GIF as PNG", async () => {
    const { files } = await exported("format=imagenet&images=include");
    expect(text(files, "labels.txt")).toBe("indoor\nOutdoor\nnight/dark\n");
    expect([...files.keys()].filter((p) => p.startsWith("train/")).sort()).toEqual([
      "train/Outdoor/b.png",
      "train/indoor/a.jpg",
      "train/night_dark/c.png",
    ]);
    const png = files.get("train/night_dark/c.png");
    expect(png?.subarray(1, 4).toString("latin1")).toBe("PNG");
    const report = JSON.parse(text(files, "export-report.json") ?? "{}") as {
      items: { code: string; examples: { image: string }[] }[];
    };
    const names = (code: string) => report.items.find((i) => i.code === code)?.examples.map((e) => e.image);
    expect(names("IMAGE_WITHOUT_TAG")).toEqual(["none.jpg"]);
    expect(names("IMAGE_WITH_SEVERAL_TAGS")).toEqual(["two.jpg"]);
    expect(names("CLASS_FOLDER_RENAMED")).toEqual(["night_dark/"]);
  });

  it("a version exports what it froze: its tags and its labels' scope, the same bytes on every download", async () => {
    const res = await request(t.app).post(`/api/v1/projects/${projectId}/versions`).send({});
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const number = (res.body as { number: number }).number;
    const before = await exported(`format=imagenet&images=exclude&version=${number}`);
    // The live project moves on: a tag changes, a label is renamed, a shape-only label takes tags too.
    await tag(ids[3] as number, [labels.indoor.id]);
    for (const [label, body] of [
      [labels.slash, { name: "night" }],
      [labels.car, { scope: "both" }],
    ] as const) {
      const patch = await request(t.app).patch(`/api/v1/projects/${projectId}/labels/${label.id}`).send(body);
      expect(patch.status, JSON.stringify(patch.body)).toBe(200);
    }
    const live = await exported("format=imagenet&images=exclude");
    expect(text(live.files, "labels.txt")).toBe("car\nindoor\nOutdoor\nnight\n");
    const after = await exported(`format=imagenet&images=exclude&version=${number}`);
    expect(after.zip.equals(before.zip)).toBe(true);
    expect(text(after.files, "labels.txt")).toBe("indoor\nOutdoor\nnight/dark\n");
  }, 180_000);

  it("refuses an unknown format with the list of formats", async () => {
    const res = await getExport(t.app, projectId, "format=imagefolder");
    expectError({ status: res.status, body: JSON.parse(res.body.toString("utf8")) }, 400, "VALIDATION_ERROR");
    expect(res.body.toString("utf8")).toContain("imagenet");
  });
});

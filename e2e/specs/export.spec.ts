import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { apiPath } from "@labelbench/schema";
import { type APIRequestContext, expect, test } from "@playwright/test";
import {
  createLabels,
  createProject,
  listLabels,
  putAnnotations,
  setImageStatus,
  uploadFiles,
} from "../helpers/api";
import { drag, expectSaved, openEditor, shapes } from "../helpers/editor-page";
import { imageFile } from "../helpers/images";
import { shot } from "../helpers/screens";
import { unzip } from "../helpers/zip";

const text = (files: Map<string, Buffer>, p: string) => {
  const b = files.get(p);
  if (!b) throw new Error(`${p} is not in the zip; it holds ${[...files.keys()].join(", ")}`);
  return b.toString("utf8");
};

const exportBytes = async (request: APIRequestContext, projectId: number, query: string) => {
  const res = await request.get(`${apiPath("exportDataset", { projectId })}?${query}`);
  expect(res.status()).toBe(200);
  return res.body();
};

test("annotate, export from the Export page, check the zip, import it elsewhere, get the same bytes back", async ({
  page,
  request,
}) => {
  const project = await createProject(request, `Export e2e ${Date.now()}`, "Street scenes");
  await createLabels(request, project.id, ["car", "hot dog"]);
  const [car, dog] = await listLabels(request, project.id);
  const uploaded = await uploadFiles(request, project.id, [
    await imageFile("street one.png", { width: 320, height: 240, seed: 1 }),
    await imageFile("park.png", { width: 200, height: 100, seed: 2 }),
    await imageFile("empty.png", { width: 100, height: 100, seed: 3 }),
  ]);
  const ids = uploaded.map((r) => {
    if (r.status !== "created") throw new Error(JSON.stringify(r));
    return r.image.id;
  });
  const [streetId, parkId] = ids as [number, number, number];

  // ---- Annotate in the browser: one box on the street photo ----
  await openEditor(page, project.id, streetId);
  await page.keyboard.press("b");
  await drag(page, [40, 30], [200, 150]);
  await expectSaved(page);
  const [drawn] = await shapes(page);
  if (drawn?.geometry.type !== "box") throw new Error(`expected a drawn box, got ${JSON.stringify(drawn)}`);
  // ---- and a polygon through the API ----
  await putAnnotations(request, parkId, [
    {
      labelId: dog!.id,
      geometry: {
        type: "polygon",
        points: [
          [20, 10],
          [180, 20],
          [100, 90],
        ],
      },
    },
  ]);
  await setImageStatus(request, streetId, "done");

  // ---- The Export page ----
  await page.goto(`/projects/${project.id}/export`);
  await expect(page.getByRole("heading", { name: "Export", level: 1 })).toBeVisible();
  await expect(page.getByText("3 images selected")).toBeVisible();
  await expect(page.getByText("1 image nobody has opened yet is included")).toBeVisible();
  await shot(page, "export-01-page", { fullPage: true });

  await page.getByRole("radio", { name: /YOLO segmentation/ }).check();
  await page.getByRole("button", { name: "80 / 10 / 10" }).click();
  await page.getByLabel("Seed").fill("e2e");
  // A split that does not add up is explained and blocks the download.
  await page.getByLabel("Test %").fill("5");
  await expect(page.getByText("Train, validation and test add up to 95%, not 100%.").first()).toBeVisible();
  await expect(page.getByRole("button", { name: "Download zip" })).toBeDisabled();
  await page.getByLabel("Test %").fill("10");
  await expect(page.getByRole("button", { name: "Download zip" })).toBeEnabled();

  const curl = page.locator(".export-curl");
  await expect(curl).toContainText(
    `/api/v1/projects/${project.id}/export?format=yolo-seg&split=80,10,10&seed=e2e`,
  );
  await expect(curl).toContainText('-H "Authorization: Bearer $LABELBENCH_TOKEN"');

  const downloading = page.waitForEvent("download");
  await page.getByRole("button", { name: "Download zip" }).click();
  const download = await downloading;
  expect(download.suggestedFilename()).toBe(`${project.name}-yolo-seg.zip`);
  const file = path.join(os.tmpdir(), `lb-e2e-${Date.now()}.zip`);
  await download.saveAs(file);
  await expect(page.getByRole("status").filter({ hasText: "Saved" })).toBeVisible();
  await shot(page, "export-02-downloaded");

  // ---- What the user got ----
  const zipBytes = fs.readFileSync(file);
  const files = await unzip(file);
  fs.rmSync(file, { force: true });
  const manifest = JSON.parse(text(files, "manifest.json"));
  expect(manifest.format).toBe("yolo-seg");
  expect(manifest.options).toMatchObject({ split: "80,10,10", seed: "e2e", images: "include" });
  expect(manifest.labels.map((l: { name: string; classId: number }) => [l.classId, l.name])).toEqual([
    [0, "car"],
    [1, "hot dog"],
  ]);
  expect(manifest.counts.images.total).toBe(3);
  expect(manifest.counts.annotations.total).toBe(2);
  const yaml = text(files, "data.yaml");
  expect(yaml).toContain('names:\n  0: "car"\n  1: "hot dog"\n');

  const splitOf = (name: string) =>
    (manifest.images as { path: string; split: string }[]).find((i) => i.path.endsWith(`/${name}`))?.split;
  // The box drawn in the browser, as 4 normalized corners of the 320x240 image.
  const g = drawn.geometry;
  const n = (v: number, size: number) => (Math.round((v / size) * 1e6) / 1e6).toFixed(6);
  const corners = [
    [g.x, g.y],
    [g.x + g.width, g.y],
    [g.x + g.width, g.y + g.height],
    [g.x, g.y + g.height],
  ]
    .map(([x, y]) => `${n(x!, 320)} ${n(y!, 240)}`)
    .join(" ");
  expect(text(files, `labels/${splitOf("street one.png")}/street one.txt`)).toBe(`0 ${corners}\n`);
  expect(car?.id).toBe(drawn.labelId);
  expect(text(files, `labels/${splitOf("park.png")}/park.txt`)).toBe(
    "1 0.100000 0.100000 0.900000 0.200000 0.500000 0.900000\n",
  );
  // The image nobody opened is still there, with an empty label file (a background image).
  expect(text(files, `labels/${splitOf("empty.png")}/empty.txt`)).toBe("");
  expect(files.get(`images/${splitOf("empty.png")}/empty.png`)?.length).toBeGreaterThan(0);
  const report = JSON.parse(text(files, "export-report.json"));
  expect(report.items.map((i: { code: string }) => i.code)).toContain("BOX_AS_POLYGON");

  // ---- Import the download into a new project from its Export page: check, then import ----
  const copy = await createProject(request, `Export e2e copy ${Date.now()}`);
  await page.goto(`/projects/${copy.id}/export`);
  await page.getByLabel("Dataset files").setInputFiles({
    name: "dataset.zip",
    mimeType: "application/zip",
    buffer: zipBytes,
  });
  await page.getByRole("button", { name: "Check (dry run)" }).click();
  await expect(page.getByText("Ready to import: nothing has changed yet.")).toBeVisible();
  await expect(page.getByRole("cell", { name: "will be created" }).first()).toBeVisible();
  await shot(page, "export-03-import-checked", { fullPage: true });
  await page.getByRole("button", { name: "Import", exact: true }).click();
  await expect(page.getByText("Imported.")).toBeVisible();
  await shot(page, "export-04-imported", { fullPage: true });

  // The copy exports to the very same bytes.
  const again = await exportBytes(request, copy.id, "format=yolo-seg&split=80,10,10&seed=e2e");
  expect(again.equals(zipBytes)).toBe(true);
});

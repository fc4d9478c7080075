import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { apiPath } from "@labelbench/schema";
import { type APIRequestContext, expect, type Page, test } from "@playwright/test";
import { createLabels, createProject, listLabels, uploadFiles } from "../helpers/api";
import { at, editorState, expectSaved, openEditor, shapes } from "../helpers/editor-page";
import { imageFile } from "../helpers/images";
import { shot } from "../helpers/screens";
import { unzip } from "../helpers/zip";

/**
 * Issue 17's loop in a real browser: export the project as COCO (the ids a model trains and predicts
 * against), import the model's COCO results through the Predictions page (dry run, then import), then
 * in the editor move the slider, accept one, reject one, edit one by dragging it, accept all above the
 * slider; the COCO export afterwards holds exactly the accepted and edited shapes.
 */

interface CocoFile {
  images: { id: number; file_name: string }[];
  categories: { id: number; name: string }[];
  annotations: { image_id: number; category_id: number; bbox: number[] }[];
}

const exportCoco = async (request: APIRequestContext, projectId: number): Promise<CocoFile> => {
  const res = await request.get(`${apiPath("exportDataset", { projectId })}?format=coco`);
  expect(res.status()).toBe(200);
  const file = path.join(os.tmpdir(), `pred-e2e-${Date.now()}.zip`);
  fs.writeFileSync(file, await res.body());
  const files = await unzip(file);
  const json = files.get("annotations/instances_train.json");
  if (!json) throw new Error(`no COCO file in the export: ${[...files.keys()].join(", ")}`);
  return JSON.parse(json.toString("utf8")) as CocoFile;
};

const visibleCount = async (page: Page) =>
  Number(await page.getByTestId("predictions-visible").textContent());

test("import COCO results, decide in the editor, export exactly what was accepted", async ({
  page,
  request,
}) => {
  const project = await createProject(request, `Predictions e2e ${Date.now()}`, "Model-assisted labeling");
  await createLabels(request, project.id, ["car", "person"]);
  const labels = await listLabels(request, project.id);
  const car = labels.find((l) => l.name === "car");
  if (!car) throw new Error("no car label");
  const [uploaded] = await uploadFiles(request, project.id, [
    await imageFile("street.png", { width: 400, height: 300, seed: 7 }),
  ]);
  if (uploaded?.status !== "created") throw new Error(JSON.stringify(uploaded));
  const imageId = uploaded.image.id;

  // ---- What the model was trained on: the project's own COCO export, whose ids its results use ----
  const before = await exportCoco(request, project.id);
  const cocoImage = before.images.find((i) => i.file_name.endsWith("street.png"));
  const catId = (name: string) => before.categories.find((c) => c.name === name)?.id;
  if (!cocoImage || catId("car") === undefined || catId("person") === undefined)
    throw new Error(`export without the image or categories: ${JSON.stringify(before)}`);
  const det = (category: string, bbox: number[], score: number) => ({
    image_id: cocoImage.id,
    category_id: catId(category),
    bbox,
    score,
  });
  const results = [
    det("car", [20, 20, 80, 60], 0.95), // accepted with Enter
    det("person", [150, 40, 60, 120], 0.85), // rejected with Delete
    det("car", [250, 30, 100, 70], 0.75), // edited: dragged 20 right, 10 down
    det("car", [40, 180, 90, 60], 0.6), // accepted with "accept all above the slider"
    det("person", [300, 200, 50, 50], 0.3), // below the slider: never accepted
  ];
  const resultsFile = path.join(os.tmpdir(), `results-${Date.now()}.json`);
  fs.writeFileSync(resultsFile, JSON.stringify(results));

  // ---- The Predictions page: dry run, then import ----
  await page.goto(`/projects/${project.id}/predictions`);
  await expect(page.getByRole("heading", { name: "Predictions", level: 1 })).toBeVisible();
  await page.getByRole("button", { name: "Import predictions" }).first().click();
  const dialog = page.getByRole("dialog", { name: "Import predictions" });
  await dialog.getByLabel("Predictions file").setInputFiles(resultsFile);
  await dialog.getByLabel("Format").selectOption("coco-results");
  await dialog.getByLabel("Model name").fill("detector");
  await dialog.getByLabel("Model version").fill("v1");
  await expect(dialog.getByRole("button", { name: "Import", exact: true })).toBeDisabled();
  await dialog.getByRole("button", { name: /Check \(dry run\)/ }).click();
  const report = dialog.getByTestId("prediction-import-report");
  await expect(report.getByTestId("report-read")).toHaveText("5");
  await expect(report.getByTestId("report-imported")).toHaveText("5");
  await expect(report).toContainText("would be imported");
  await shot(page, "predictions-import-dry-run");
  await dialog.getByRole("button", { name: "Import", exact: true }).click();
  await expect(report).toContainText("5 predictions on 1 image imported");
  await dialog.getByRole("button", { name: "Done" }).click();
  const row = page.getByRole("row", { name: /detector/ });
  await expect(row.getByTestId("run-pending")).toHaveText("5");

  // ---- The editor ----
  await openEditor(page, project.id, imageId);
  const panel = page.getByTestId("prediction-panel");
  await expect(panel).toBeVisible();
  await expect.poll(() => visibleCount(page)).toBe(5);
  await panel.getByLabel("Minimum score for detector v1").fill("0.5");
  await expect.poll(() => visibleCount(page)).toBe(4);
  await shot(page, "predictions-editor");

  // Step to the best one and accept it.
  await page.keyboard.press("]");
  await expect(page.getByTestId("prediction-focus")).toContainText("car 0.95");
  await page.keyboard.press("Enter");
  await expect.poll(() => visibleCount(page)).toBe(3);
  // The focus moved on to the next by score: reject it.
  await expect(page.getByTestId("prediction-focus")).toContainText("person 0.85");
  await page.keyboard.press("Delete");
  await expect.poll(() => visibleCount(page)).toBe(2);
  // Then the next: drag it (an edit accepts it as edited).
  await expect(page.getByTestId("prediction-focus")).toContainText("car 0.75");
  const from = await at(page, 300, 65);
  const to = await at(page, 320, 75);
  await page.mouse.move(from.x, from.y);
  await page.mouse.down();
  await page.mouse.move(to.x, to.y, { steps: 8 });
  await page.mouse.up();
  await expect.poll(() => visibleCount(page)).toBe(1);
  // Everything left above the slider, at once.
  await page.keyboard.press("Escape");
  await page.keyboard.press("Shift+Enter");
  await expect.poll(() => visibleCount(page)).toBe(0);
  await expectSaved(page);
  const inEditor = await shapes(page);
  expect(inEditor.map((s) => s.predictionId !== undefined)).toEqual([true, true, true]);
  expect(await editorState(page, (s) => s.doc.shapes.size)).toBe(3);

  // The run's counts follow the decisions (read again after them).
  await expect(panel.getByTestId("count-rejected")).toHaveText("1", { timeout: 10_000 });
  await expect(panel.getByTestId("count-edited")).toHaveText("1");
  await expect(panel.getByTestId("count-accepted")).toHaveText("2");
  await expect(panel.getByTestId("count-pending")).toHaveText("1");
  await panel.getByText("Calibration").click();
  await expect(panel.getByTestId(/calibration-summary-/)).toContainText("Not enough decisions yet (4 of");
  await shot(page, "predictions-run-panel");

  // ---- The export holds exactly the accepted and edited shapes ----
  const after = await exportCoco(request, project.id);
  const boxes = after.annotations
    .map((a) => ({ category: a.category_id, bbox: a.bbox.map((v) => Math.round(v * 100) / 100) }))
    .sort((a, b) => (a.bbox[0] as number) - (b.bbox[0] as number));
  expect(boxes).toEqual([
    { category: catId("car"), bbox: [20, 20, 80, 60] },
    { category: catId("car"), bbox: [40, 180, 90, 60] },
    { category: catId("car"), bbox: [270, 40, 100, 70] },
  ]);

  // ---- The Predictions page after the decisions ----
  await page.goto(`/projects/${project.id}/predictions`);
  await expect(page.getByRole("row", { name: /detector/ }).getByTestId("run-pending")).toHaveText("1");
  await shot(page, "predictions-page");
  await page.getByRole("button", { name: "Delete detector v1" }).click();
  const confirm = page.getByRole("dialog", { name: /Delete detector v1/ });
  await expect(confirm).toContainText("Removes 1 pending prediction; 4 decided stay");
  await shot(page, "predictions-delete");
  await confirm.getByRole("button", { name: "Delete run" }).click();
  await expect(page.getByText("No predictions yet")).toBeVisible();
  // Decided predictions stay as annotations.
  expect((await exportCoco(request, project.id)).annotations).toHaveLength(3);
});

test("a run's Open in the editor opens its first image with pending predictions; D and A step only through those", async ({
  page,
  request,
}) => {
  const project = await createProject(request, `Predictions walk ${Date.now()}`);
  await createLabels(request, project.id, ["car"]);
  const uploaded = await uploadFiles(
    request,
    project.id,
    await Promise.all(["a.png", "b.png", "c.png", "d.png"].map((n, i) => imageFile(n, { seed: i + 2 }))),
  );
  const [, b, c, d] = uploaded.map((u) => (u.status === "created" ? u.image.id : 0)) as [
    number,
    number,
    number,
    number,
  ];
  // The model predicted on b and d only: a and c hold no work of this run.
  const coco = await exportCoco(request, project.id);
  const idOf = (name: string) => coco.images.find((i) => i.file_name.endsWith(name))?.id;
  const carId = coco.categories.find((c) => c.name === "car")?.id;
  const imported = await request.post(
    `${apiPath("importPredictions", { projectId: project.id })}?modelName=walker&modelVersion=v7`,
    {
      data: ["b.png", "d.png"].map((n) => ({
        image_id: idOf(n),
        category_id: carId,
        bbox: [20, 20, 80, 60],
        score: 0.9,
      })),
    },
  );
  expect(imported.status(), await imported.text()).toBe(200);
  const runId = ((await imported.json()) as { runId: number }).runId;

  await page.goto(`/projects/${project.id}/predictions`);
  await page.getByRole("button", { name: "Open in the editor: walker v7" }).click();
  await expect(page).toHaveURL(new RegExp(`/images/${b}\\?predictionRun=${runId}$`));
  await expect(page.getByTestId("status-position")).toHaveText("1 / 2");
  await expect(page.getByTestId("status-position")).toHaveAttribute(
    "title",
    "Position among the images with pending predictions of this run",
  );
  await page.keyboard.press("d");
  await expect(page).toHaveURL(new RegExp(`/images/${d}\\?predictionRun=${runId}$`));
  await expect(page.getByTestId("status-position")).toHaveText("2 / 2");
  await shot(page, "predictions-run-walk");
  await page.keyboard.press("a");
  await expect(page).toHaveURL(new RegExp(`/images/${b}\\?predictionRun=${runId}$`));

  // The run panel's switch walks every image again, and back to the run's pending work.
  const walk = page.getByRole("button", {
    name: "Step only through images with pending predictions of walker v7",
  });
  await expect(walk).toHaveAttribute("aria-pressed", "true");
  await walk.click();
  await expect(page).toHaveURL(new RegExp(`/images/${b}$`));
  await expect(page.getByTestId("status-position")).toHaveText("2 / 4");
  await page.keyboard.press("d");
  await expect(page).toHaveURL(new RegExp(`/images/${c}$`));
  await page.keyboard.press("a");
  await expect(page).toHaveURL(new RegExp(`/images/${b}$`));
  await page
    .getByRole("button", { name: "Step only through images with pending predictions of walker v7" })
    .click();
  await expect(page).toHaveURL(new RegExp(`/images/${b}\\?predictionRun=${runId}$`));
  await expect(page.getByTestId("status-position")).toHaveText("1 / 2");

  // The library under the same filter: the run's two images, the filter named, and cleared.
  await page.goto(`/projects/${project.id}/images?predictionRun=${runId}`);
  await expect(page.locator(".tile[data-image-id]")).toHaveCount(2);
  await expect(page.getByTestId("run-filter")).toHaveText(/Pending predictions of walker v7/);
  await expect(page.getByText("2 images with pending predictions of the run")).toBeVisible();
  await shot(page, "predictions-run-library-filter");
  await page
    .getByRole("button", { name: "Show every image, not only those with pending predictions" })
    .click();
  await expect(page.locator(".tile[data-image-id]")).toHaveCount(4);
  await expect(page.getByTestId("run-filter")).toHaveCount(0);
  await expect(page.getByText("4 images in this project")).toBeVisible();
});

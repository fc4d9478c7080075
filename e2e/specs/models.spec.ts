import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { ImagePredictions, ModelEvaluation, PredictionImportReport } from "@labelbench/schema";
import { type APIRequestContext, expect, test } from "@playwright/test";
import { createLabels, createProject, putAnnotations, uploadFiles } from "../helpers/api";
import { imageFile } from "../helpers/images";
import { shot } from "../helpers/screens";
import { unzip } from "../helpers/zip";

/**
 * Issue 17: the queue's active-learning order in the project settings, and the Models page (one
 * row per model version and the learning curve) over a real scene: gold images with reference
 * boxes, two model versions' predictions imported as COCO results, decisions taken through the API,
 * and the figures the page shows checked against values worked out by hand for that scene.
 */

const stamp = Date.now();

test("a manager orders the queue by uncertainty; the setting is kept and said in words", async ({
  page,
  request,
}) => {
  const project = await createProject(request, `Active learning ${stamp}`);
  await createLabels(request, project.id, ["car", "person"]);
  await page.goto(`/projects/${project.id}/settings`);
  const form = page.getByRole("form", { name: "Queue order" });
  await expect(form.getByText("The queue hands out images in the library's name order.")).toBeVisible();
  await form.getByRole("radio", { name: /Most uncertain first/ }).check();
  await form.getByLabel("Uncertainty", { exact: true }).selectOption("margin");
  await expect(form.getByLabel("Model version", { exact: true })).toHaveValue("");
  await form.getByLabel("Label diversity (hand-outs)").fill("25");
  await form.getByRole("button", { name: "Save" }).click();
  await expect(form.getByText("A whole number of hand-outs from 0 (pure uncertainty) to 20.")).toBeVisible();
  await form.getByLabel("Label diversity (hand-outs)").fill("1");
  await expect(
    form.getByText(
      "The queue hands out the closest call between the top two scores first (margin) by the newest model version, never the same top predicted label again within 1 hand-out while other labels have images; images without its predictions come last.",
    ),
  ).toBeVisible();
  await form.getByRole("button", { name: "Save" }).click();
  await expect(page.getByText("Queue order saved")).toBeVisible();
  await shot(page, "models-01-queue-order", { fullPage: true });
  const saved = await (await request.get(`/api/v1/projects/${project.id}/active-learning`)).json();
  expect(saved).toEqual({ order: "uncertainty", measure: "margin", runId: null, diversity: 1 });
  await page.reload();
  await expect(
    page.getByRole("form", { name: "Queue order" }).getByLabel("Uncertainty", { exact: true }),
  ).toHaveValue("margin");
});

const API = "/api/v1";

type Box = [number, number, number, number];

/** COCO's 95% Wilson interval for k of n, as the Acceptance column's title prints it (whole percents). */
const wilsonText = (k: number, n: number) => {
  const z = 1.959963984540054;
  const p = k / n;
  const denom = 1 + (z * z) / n;
  const centre = (p + (z * z) / (2 * n)) / denom;
  const half = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / denom;
  const pc = (x: number) => (x * 100).toFixed(0);
  return `${pc(p)}%, 95% interval ${pc(centre - half)}–${pc(centre + half)}%, n = ${n} decided predictions`;
};

/** The project's own COCO export: its image ids by file name (what a model trained on it predicts with). */
const exportIds = async (request: APIRequestContext, projectId: number) => {
  const res = await request.get(`${API}/projects/${projectId}/export?format=coco`);
  expect(res.ok(), await res.text().catch(() => "")).toBe(true);
  const file = path.join(os.tmpdir(), `lb-e2e-models-${Date.now()}.zip`);
  fs.writeFileSync(file, await res.body());
  const files = await unzip(file);
  fs.rmSync(file, { force: true });
  const json = files.get("annotations/instances_train.json");
  if (!json)
    throw new Error(`no annotations/instances_train.json in the export: ${[...files.keys()].join(", ")}`);
  const coco = JSON.parse(json.toString("utf8")) as {
    images: { id: number; file_name: string }[];
    categories: { id: number; name: string }[];
  };
  const byName = new Map(coco.images.map((i) => [i.file_name.split("/").pop() ?? i.file_name, i.id]));
  const category = new Map(coco.categories.map((c) => [c.name, c.id]));
  return { byName, category };
};

const importResults = async (
  request: APIRequestContext,
  projectId: number,
  version: string,
  results: { image_id: number; category_id: number; bbox: Box; score: number }[],
) => {
  const res = await request.post(
    `${API}/projects/${projectId}/predictions/import?modelName=detector&modelVersion=${version}`,
    { data: results },
  );
  expect(res.status(), await res.text()).toBe(200);
  const report = PredictionImportReport.parse(await res.json());
  expect(report.detections.imported).toBe(results.length);
  if (report.runId === null) throw new Error("the import made no run");
  return report.runId;
};

test("the Models page: an empty project says what to do; two imported versions show their gold AP and acceptance", async ({
  page,
  request,
}) => {
  const project = await createProject(request, `Models ${stamp}`);
  await page.goto(`/projects/${project.id}/models`);
  await expect(page.getByRole("heading", { name: "Models", level: 1 })).toBeVisible();
  await expect(page.getByText("No model version yet")).toBeVisible();

  // ---- The scene: three gold images with one reference car each, and one work image ----
  const [car] = await createLabels(request, project.id, ["car"]);
  if (!car) throw new Error("no label");
  const names = ["g1.png", "g2.png", "g3.png", "w1.png"];
  const uploaded = await uploadFiles(
    request,
    project.id,
    await Promise.all(names.map((n, i) => imageFile(n, { seed: i + 11 }))),
  );
  const ids = uploaded.map((u) => (u.status === "created" ? u.image.id : 0));
  expect(ids.every((id) => id > 0)).toBe(true);
  const [g1, g2, g3, w1] = ids as [number, number, number, number];
  const reference: Box[] = [
    [20, 30, 120, 80],
    [150, 40, 100, 100],
    [60, 100, 90, 60],
  ];
  for (const [i, id] of [g1, g2, g3].entries())
    await putAnnotations(request, id, [
      {
        labelId: car.id,
        geometry: {
          type: "box",
          x: reference[i]?.[0] ?? 0,
          y: reference[i]?.[1] ?? 0,
          width: reference[i]?.[2] ?? 0,
          height: reference[i]?.[3] ?? 0,
        },
      },
    ]);
  const gold = await request.post(`${API}/projects/${project.id}/images/gold`, {
    data: { imageIds: [g1, g2, g3], gold: "honeypot" },
  });
  expect(gold.status(), await gold.text()).toBe(200);

  // ---- Two versions' predictions, as COCO results against the project's own export ids ----
  const { byName, category } = await exportIds(request, project.id);
  const img = (name: string) => {
    const id = byName.get(name);
    if (id === undefined) throw new Error(`${name} is not in the export`);
    return id;
  };
  const carId = category.get("car") ?? 0;
  const det = (name: string, bbox: Box, score: number) => ({
    image_id: img(name),
    category_id: carId,
    bbox,
    score,
  });
  // v1: exact on g1 and g2, a miss (no overlap) on g3 scoring lowest; three boxes on the work image.
  const v1 = await importResults(request, project.id, "v1", [
    det("g1.png", reference[0] as Box, 0.9),
    det("g2.png", reference[1] as Box, 0.8),
    det("g3.png", [200, 10, 60, 40], 0.7),
    det("w1.png", [10, 10, 100, 50], 0.95),
    det("w1.png", [150, 120, 60, 60], 0.85),
    det("w1.png", [200, 20, 40, 40], 0.4),
  ]);
  // v2: exact on every gold image.
  await importResults(request, project.id, "v2", [
    det("g1.png", reference[0] as Box, 0.9),
    det("g2.png", reference[1] as Box, 0.85),
    det("g3.png", reference[2] as Box, 0.8),
  ]);

  // ---- People decide on v1's work-image predictions: one accepted as is, one edited, one rejected ----
  const onWork = ImagePredictions.parse(await (await request.get(`${API}/images/${w1}/predictions`)).json())
    .predictions.filter((p) => p.runId === v1)
    .sort((a, b) => b.score - a.score);
  const [exact, edited, rejected] = onWork;
  if (!exact || !edited || !rejected)
    throw new Error(`expected three predictions of v1 on w1, got ${onWork.length}`);
  const save = await request.patch(`${API}/images/${w1}/annotations`, {
    data: {
      baseRevision: 0,
      upsert: [
        {
          id: "accepted-1",
          labelId: car.id,
          geometry: { type: "box", x: 10, y: 10, width: 100, height: 50 },
          predictionId: exact.id,
        },
        // Half as wide: IoU with the prediction 0.5, an edit of 0.5.
        {
          id: "edited-1",
          labelId: car.id,
          geometry: { type: "box", x: 150, y: 120, width: 30, height: 60 },
          predictionId: edited.id,
        },
      ],
    },
  });
  expect(save.status(), await save.text()).toBe(200);
  const decided = await request.post(`${API}/images/${w1}/predictions/decisions`, {
    data: { reject: [rejected.id] },
  });
  expect(decided.status(), await decided.text()).toBe(200);

  // ---- What the page must show, worked out by hand ----
  // v1 on the gold: detections by score TP, TP, FP against 3 references at every IoU threshold
  // (exact or no overlap): recall 1/3, 2/3, 2/3 at precision 1, 1, 2/3. COCO's 101-point
  // interpolated precision is 1 for recall thresholds 0, 0.01, …, 0.66 (67 of them) and 0 above
  // the reached recall 2/3: AP = 67/101 at IoU .50 and at every threshold, so mAP too.
  const v1Ap = (67 / 101).toFixed(3);
  // v2: every reference found first, nothing else: AP 1 everywhere.
  const v2Ap = (1).toFixed(3);
  // Acceptance of v1: (accepted 1 + edited 1) / decided 3; mean edit (0 + 0.5) / 2.
  const api = ModelEvaluation.parse(
    await (await request.get(`${API}/projects/${project.id}/model-evaluation`)).json(),
  );
  expect(api.goldImages).toBe(3);

  await page.reload();
  const table = page.getByRole("table", { name: "Model versions" });
  await expect(table.getByRole("row")).toHaveCount(3);
  const row1 = table.getByRole("row", { name: /^detector v1 / });
  const row2 = table.getByRole("row", { name: /^detector v2 / });
  const cells = (row: typeof row1) => row.getByRole("cell");
  // Columns: Gold, mAP, AP50, Acceptance, Mean edit, Seconds / image.
  await expect(cells(row1).nth(0)).toContainText("3 img");
  await expect(cells(row1).nth(0)).toContainText("3 shapes");
  await expect(cells(row1).nth(1)).toHaveText(v1Ap);
  await expect(cells(row1).nth(2)).toHaveText(v1Ap);
  await expect(cells(row2).nth(1)).toHaveText(v2Ap);
  await expect(cells(row2).nth(2)).toHaveText(v2Ap);
  await expect(row1.getByRole("img", { name: wilsonText(2, 3) })).toBeVisible();
  await expect(cells(row1).nth(3)).toContainText("67%");
  await expect(cells(row1).nth(3)).toContainText("n 3");
  await expect(
    row1.getByRole("img", { name: /^0\.25, 95% interval .*, n = 2 accepted predictions$/ }),
  ).toBeVisible();
  // v2: nothing decided yet, said with its n.
  await expect(
    row2.getByRole("img", { name: "Nothing measured yet (n = 0 decided predictions)" }),
  ).toBeVisible();
  await expect(
    page.getByRole("img", {
      name: `Learning curve over 2 versions: mAP from ${v1Ap} (v1) to ${v2Ap} (v2)`,
    }),
  ).toBeVisible();
  await shot(page, "models-02-learning-curve", { fullPage: true });
});

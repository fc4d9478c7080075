import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { apiPath } from "@labelbench/schema";
import { expect, test } from "@playwright/test";
import { createProject, listLabels, uploadFiles } from "../helpers/api";
import { imageFile } from "../helpers/images";
import { shot } from "../helpers/screens";
import { unzip } from "../helpers/zip";

const API = "/api/v1";

test("classification exports: the CSV of tags from the Export page imports back to the same bytes; ImageNet folders", async ({
  page,
  request,
}) => {
  const project = await createProject(request, `Classify e2e ${Date.now()}`);
  for (const [name, scope] of [
    ["indoor", "tags"],
    ["outdoor", "tags"],
    ["car", "shapes"],
  ] as const) {
    const res = await request.post(`${API}/projects/${project.id}/labels`, { data: { name, scope } });
    expect(res.status()).toBe(201);
  }
  const [indoor, outdoor] = await listLabels(request, project.id);
  const uploaded = await uploadFiles(request, project.id, [
    await imageFile("kitchen.png", { width: 64, height: 48, seed: 1 }),
    await imageFile("street.png", { width: 64, height: 48, seed: 2 }),
    await imageFile("porch.png", { width: 64, height: 48, seed: 3 }),
  ]);
  const ids = uploaded.map((r) => {
    if (r.status !== "created") throw new Error(JSON.stringify(r));
    return r.image.id;
  });
  const tagsOf = [[indoor?.id], [outdoor?.id], [indoor?.id, outdoor?.id]];
  for (const [i, id] of ids.entries()) {
    const res = await request.put(`${API}/images/${id}/annotations`, {
      data: { baseRevision: 0, annotations: [], tags: tagsOf[i] },
    });
    expect(res.status(), await res.text()).toBe(200);
  }

  await page.goto(`/projects/${project.id}/export`);
  await page.getByRole("radio", { name: /Classification CSV/ }).check();
  await expect(page.locator(".export-curl")).toContainText("format=classification-csv");
  await shot(page, "export-classification-01-page", { fullPage: true });
  const downloading = page.waitForEvent("download");
  await page.getByRole("button", { name: "Download zip" }).click();
  const download = await downloading;
  expect(download.suggestedFilename()).toBe(`${project.name}-classification-csv.zip`);
  const file = path.join(os.tmpdir(), `lb-e2e-classification-${Date.now()}.zip`);
  await download.saveAs(file);
  const zipBytes = fs.readFileSync(file);
  const files = await unzip(file);
  fs.rmSync(file, { force: true });
  const csv = files.get("classification.csv")?.toString("utf8");
  expect(csv).toBe(
    "image,labels\nimages/kitchen.png,indoor\nimages/street.png,outdoor\nimages/porch.png,indoor;outdoor\n",
  );
  expect(files.get("labels.txt")?.toString("utf8")).toBe("indoor\noutdoor\n");

  // Into a new project from its Export page: the CSV is detected, the images and tags come with it.
  const copy = await createProject(request, `Classify e2e copy ${Date.now()}`);
  await page.goto(`/projects/${copy.id}/export`);
  await page.getByLabel("Dataset files").setInputFiles({
    name: "classes.zip",
    mimeType: "application/zip",
    buffer: zipBytes,
  });
  await page.getByRole("button", { name: "Check (dry run)" }).click();
  await expect(page.getByText("Ready to import: nothing has changed yet.")).toBeVisible();
  await expect(page.getByText(/Classification CSV/).first()).toBeVisible();
  await page.getByRole("button", { name: "Import", exact: true }).click();
  await expect(page.getByText("Imported.")).toBeVisible();
  await shot(page, "export-classification-02-imported", { fullPage: true });
  const again = await request.get(
    `${apiPath("exportDataset", { projectId: copy.id })}?format=classification-csv`,
  );
  expect(again.status()).toBe(200);
  const againFile = path.join(os.tmpdir(), `lb-e2e-classification-again-${Date.now()}.zip`);
  fs.writeFileSync(againFile, await again.body());
  const againFiles = await unzip(againFile);
  fs.rmSync(againFile, { force: true });
  expect(againFiles.get("classification.csv")?.toString("utf8")).toBe(csv);

  // The ImageNet layout: the single-tag images in their label's folder, the two-tag one named in the report.
  const imagenet = await request.get(
    `${apiPath("exportDataset", { projectId: project.id })}?format=imagenet`,
  );
  const inFile = path.join(os.tmpdir(), `lb-e2e-imagenet-${Date.now()}.zip`);
  fs.writeFileSync(inFile, await imagenet.body());
  const layout = await unzip(inFile);
  fs.rmSync(inFile, { force: true });
  expect([...layout.keys()].filter((p) => p.startsWith("train/")).sort()).toEqual([
    "train/indoor/kitchen.png",
    "train/outdoor/street.png",
  ]);
  expect(layout.get("export-report.json")?.toString("utf8")).toContain('"image": "porch.png"');
});

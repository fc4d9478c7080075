import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { AnnotationSet, apiPath } from "@labelbench/schema";
import { expect, test } from "@playwright/test";
import { createLabels, createProject, listLabels, putAnnotations, uploadFiles } from "../helpers/api";
import { drag, expectSaved, openEditor } from "../helpers/editor-page";
import { imageFile } from "../helpers/images";
import { openProjectPage } from "../helpers/nav";
import { shot } from "../helpers/screens";
import { unzip } from "../helpers/zip";

/** A COCO annotation as the comparison needs it: image, category and box. */
const cocoShapes = (doc: {
  images: { id: number; file_name: string }[];
  categories: { id: number; name: string }[];
  annotations: { image_id: number; category_id: number; bbox: number[] }[];
}) =>
  doc.annotations
    .map((a) => ({
      image: doc.images.find((i) => i.id === a.image_id)?.file_name,
      label: doc.categories.find((c) => c.id === a.category_id)?.name,
      bbox: a.bbox,
    }))
    .sort((x, y) => `${x.image}${x.label}${x.bbox}`.localeCompare(`${y.image}${y.label}${y.bbox}`));

test("freeze a version, edit, freeze again, compare, and download version 1 as it was frozen", async ({
  page,
  request,
}) => {
  const project = await createProject(request, `Versions e2e ${Date.now()}`);
  await createLabels(request, project.id, ["car", "person"]);
  const [car, person] = await listLabels(request, project.id);
  if (!car || !person) throw new Error("labels not created");
  const uploaded = await uploadFiles(request, project.id, [
    await imageFile("street.png", { width: 320, height: 240, seed: 11 }),
    await imageFile("park.png", { width: 200, height: 100, seed: 12 }),
  ]);
  const [streetId, parkId] = uploaded.map((r) => {
    if (r.status !== "created") throw new Error(JSON.stringify(r));
    return r.image.id;
  }) as [number, number];
  await putAnnotations(request, streetId, [
    { labelId: car.id, geometry: { type: "box", x: 10, y: 20, width: 100, height: 50 } },
  ]);
  await putAnnotations(request, parkId, [
    { labelId: person.id, geometry: { type: "box", x: 5, y: 5, width: 30, height: 60 } },
    { labelId: car.id, geometry: { type: "box", x: 100, y: 10, width: 40, height: 20 } },
  ]);

  // ---- Version 1, frozen from the Versions page ----
  await page.goto(`/projects/${project.id}`);
  await openProjectPage(page, "Versions");
  await expect(page.getByRole("heading", { name: "Versions", level: 1 })).toBeVisible();
  await expect(page.getByText("No version yet")).toBeVisible();
  await page.getByRole("textbox", { name: "Note" }).fill("first batch");
  await page.getByRole("button", { name: "Freeze version" }).click();
  const v1 = page.getByRole("listitem", { name: "Version 1" });
  await expect(v1).toContainText("first batch");
  await expect(v1).toContainText("2 images · 3 shapes");
  const frozen = await Promise.all(
    [streetId, parkId].map(async (id) =>
      AnnotationSet.parse(await (await request.get(apiPath("getAnnotations", { imageId: id }))).json()),
    ),
  );

  // ---- The project moves on: a box drawn in the editor, a shape deleted, a label renamed ----
  await openEditor(page, project.id, streetId);
  await page.keyboard.press("b");
  await drag(page, [60, 60], [180, 160]);
  await expectSaved(page);
  const street = AnnotationSet.parse(
    await (await request.get(apiPath("getAnnotations", { imageId: streetId }))).json(),
  );
  const drawnLabel = street.annotations.find((a) => a.id !== frozen[0]?.annotations[0]?.id)?.labelId;
  await putAnnotations(request, parkId, [
    {
      id: frozen[1]?.annotations[0]?.id,
      labelId: person.id,
      geometry: { type: "box", x: 5, y: 5, width: 30, height: 60 },
    },
  ]);
  await request.patch(apiPath("updateLabel", { projectId: project.id, labelId: car.id }), {
    data: { name: "vehicle" },
  });

  // ---- Version 2 ----
  await page.goto(`/projects/${project.id}/versions`);
  await page.getByRole("textbox", { name: "Note" }).fill("after the editor pass");
  await page.getByRole("button", { name: "Freeze version" }).click();
  const v2 = page.getByRole("listitem", { name: "Version 2" });
  await expect(v2).toContainText("after the editor pass");
  await expect(v2).toContainText("2 images · 3 shapes");
  await expect(page.getByRole("listitem", { name: "Version 1" })).toContainText("2 images · 3 shapes");

  // ---- Compare 1 with 2: one shape added (street), one removed (park), per label ----
  await page
    .getByRole("listitem", { name: "Version 1" })
    .getByRole("button", { name: "Compare with…" })
    .click();
  await page.getByLabel("Compare with").selectOption("2");
  const diff = page.getByTestId("version-diff");
  await expect(diff.locator(".diff-totals")).toContainText("Shapes+1 −1 ~0");
  await expect(diff.locator(".diff-totals")).toContainText("Images+0 −0 ~2 · 0 unchanged");
  const perLabel = diff.getByRole("table", { name: "Shape changes per label" });
  // The park's car went; the box drawn on the street counts under the label it was drawn with.
  if (drawnLabel === car.id) {
    await expect(perLabel.getByRole("row", { name: /vehicle/ })).toContainText(/vehicle\s*1\s*1\s*0/);
    await expect(perLabel.getByRole("row")).toHaveCount(2);
  } else {
    await expect(perLabel.getByRole("row", { name: /vehicle/ })).toContainText(/vehicle\s*0\s*1\s*0/);
    await expect(perLabel.getByRole("row", { name: /person/ })).toContainText(/person\s*1\s*0\s*0/);
    await expect(perLabel.getByRole("row")).toHaveCount(3);
  }
  const changed = diff.getByRole("list", { name: "Changed images" });
  await expect(changed.getByRole("listitem")).toHaveCount(2);
  await expect(changed.getByRole("link", { name: "street.png" })).toHaveAttribute(
    "href",
    `/projects/${project.id}/images/${streetId}`,
  );
  await shot(page, "versions-01-compare", { fullPage: true });

  // ---- Version 1's COCO export: what was frozen, and the same bytes as the API gives ----
  const downloading = page.waitForEvent("download");
  await page.getByRole("button", { name: "Download version 1 as COCO" }).click();
  const download = await downloading;
  expect(download.suggestedFilename()).toBe(`${project.name}-v1-coco.zip`);
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "lb-versions-")), "v1.zip");
  await download.saveAs(file);
  const files = await unzip(file);
  const coco = JSON.parse(files.get("annotations/instances_train.json")?.toString("utf8") ?? "null");
  const labelName = new Map([
    [car.id, "car"],
    [person.id, "person"],
  ]);
  const expected = frozen.flatMap((set, i) =>
    set.annotations.map((a) => {
      if (a.geometry.type !== "box") throw new Error("boxes only here");
      return {
        image: i === 0 ? "street.png" : "park.png",
        label: labelName.get(a.labelId),
        bbox: [a.geometry.x, a.geometry.y, a.geometry.width, a.geometry.height],
      };
    }),
  );
  expect(cocoShapes(coco)).toEqual(
    expected.sort((x, y) => `${x.image}${x.label}${x.bbox}`.localeCompare(`${y.image}${y.label}${y.bbox}`)),
  );
  expect(coco.categories.map((c: { name: string }) => c.name)).toEqual(["car", "person"]);
  const viaApi = await request.get(
    `${apiPath("exportDataset", { projectId: project.id })}?format=coco&version=1`,
  );
  expect(Buffer.compare(await viaApi.body(), fs.readFileSync(file))).toBe(0);

  // ---- The Export page offers the version too ----
  await page.goto(`/projects/${project.id}/export?version=1`);
  await expect(page.getByLabel("Export from")).toHaveValue("1");
  await expect(page.locator(".export-facts")).toContainText("Version 1");
  await shot(page, "versions-02-export-page", { fullPage: true });
});

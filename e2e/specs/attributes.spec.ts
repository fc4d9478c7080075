import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { AnnotationSet, apiPath } from "@labelbench/schema";
import { type APIRequestContext, expect, test } from "@playwright/test";
import { createLabels, createProject, listLabels, uploadFiles } from "../helpers/api";
import { drag, expectSaved, openEditor, shapes } from "../helpers/editor-page";
import { imageFile } from "../helpers/images";
import { shot } from "../helpers/screens";
import { unzip } from "../helpers/zip";

/**
 * Attributes per label and tag-only labels (issue 18), as a user meets them: defined on the labels
 * page, set in the editor's side panel and by key, written into COCO and VOC, imported back.
 */
const exportZip = async (request: APIRequestContext, projectId: number, query: string) => {
  const res = await request.get(`${apiPath("exportDataset", { projectId })}?${query}`);
  expect(res.status()).toBe(200);
  return res.body();
};
/** The zip's files (the zip helper reads from a file). */
const filesOf = async (zip: Buffer) => {
  const file = path.join(os.tmpdir(), `lb-e2e-attributes-${Date.now()}-${Math.random()}.zip`);
  fs.writeFileSync(file, zip);
  try {
    return await unzip(file);
  } finally {
    fs.rmSync(file, { force: true });
  }
};
const text = (files: Map<string, Buffer>, p: string) => {
  const b = files.get(p);
  if (!b) throw new Error(`${p} is not in the zip; it holds ${[...files.keys()].join(", ")}`);
  return b.toString("utf8");
};

test("define attributes, set them by panel and by key, export COCO and VOC, import them back", async ({
  page,
  request,
}) => {
  const project = await createProject(request, `Attributes e2e ${Date.now()}`);
  await createLabels(request, project.id, ["car", "sunny"]);
  const [image] = await uploadFiles(request, project.id, [
    await imageFile("street.png", { width: 320, height: 240, seed: 4 }),
  ]);
  if (image?.status !== "created") throw new Error(JSON.stringify(image));

  // ---- The labels page: two attributes on car, sunny for image tags only ----
  await page.goto(`/projects/${project.id}/labels`);
  await page.getByRole("combobox", { name: "Where sunny applies" }).selectOption("tags");
  await expect(page.getByRole("combobox", { name: "Where sunny applies" })).toHaveValue("tags");
  await page.getByRole("button", { name: "Attributes of car" }).click();
  await page.getByRole("button", { name: "Add attribute" }).click();
  await page.getByRole("textbox", { name: "Attribute 1 name" }).fill("occluded");
  await page.getByRole("button", { name: "Add attribute" }).click();
  await page.getByRole("textbox", { name: "Attribute 2 name" }).fill("colour");
  await page.getByRole("combobox", { name: "Attribute 2 kind" }).selectOption("choice");
  await page.getByRole("textbox", { name: "Attribute 2 choices" }).fill("red, blue, white");
  await page.getByRole("textbox", { name: "Attribute 2 default" }).fill("red");
  await shot(page, "attributes-01-labels-page", { fullPage: true });
  await page.getByRole("button", { name: "Save attributes" }).click();
  await expect(page.getByRole("button", { name: "Attributes of car" })).toHaveText("2 attributes");
  const [car, sunny] = await listLabels(request, project.id);
  expect(car?.attributes.map((a) => [a.name, a.kind])).toEqual([
    ["occluded", "checkbox"],
    ["colour", "choice"],
  ]);
  expect(sunny?.scope).toBe("tags");

  // ---- The editor: sunny is a tag, not a drawing label ----
  await openEditor(page, project.id, image.image.id);
  await expect(page.getByTestId("label-car")).toBeVisible();
  await expect(page.getByTestId("label-sunny")).toHaveCount(0);
  await expect(page.getByTestId("tag-sunny")).toBeVisible();
  await page.getByTestId("tag-sunny").click();

  // A drawn box starts with the defaults; the panel and Alt+1 change them.
  await page.keyboard.press("b");
  await drag(page, [40, 30], [200, 150]);
  const panel = page.getByRole("region", { name: "Attributes" });
  await expect(panel).toBeVisible();
  await expect(panel.getByRole("checkbox", { name: "occluded" })).not.toBeChecked();
  await expect(panel.getByRole("combobox", { name: "colour" })).toHaveValue("red");
  await panel.getByRole("combobox", { name: "colour" }).selectOption("blue");
  await page.locator(".ed-canvas").hover();
  await page.keyboard.press("Alt+1");
  await expect(panel.getByRole("checkbox", { name: "occluded" })).toBeChecked();
  await expect(page.getByTestId("shape-attributes")).toHaveText("occluded · blue");
  await expectSaved(page);
  await shot(page, "attributes-02-editor-panel");
  const [drawn] = await shapes(page);
  expect(drawn?.attributes).toEqual({ occluded: true, colour: "blue" });

  // ---- COCO and VOC hold the values ----
  const coco = await filesOf(await exportZip(request, project.id, "format=coco"));
  const instances = JSON.parse(text(coco, "annotations/instances_train.json"));
  expect(instances.annotations[0].attributes).toEqual({ occluded: true, colour: "blue" });
  const voc = await filesOf(await exportZip(request, project.id, "format=voc&images=exclude"));
  const xml = text(voc, "Annotations/street.xml");
  expect(xml).toContain("<occluded>1</occluded>");
  expect(xml).toContain("<attribute><name>colour</name><value>blue</value></attribute>");

  // ---- Import the COCO zip into a fresh project: the values come back ----
  const copy = await createProject(request, `Attributes e2e copy ${Date.now()}`);
  const res = await request.post(`${apiPath("importDataset", { projectId: copy.id })}`, {
    headers: { "Content-Type": "application/zip" },
    data: await exportZip(request, project.id, "format=coco"),
  });
  expect(res.status(), await res.text()).toBe(200);
  const images = (await (await request.get(`/api/v1/projects/${copy.id}/images`)).json()).items as {
    id: number;
  }[];
  const set = AnnotationSet.parse(
    await (await request.get(`/api/v1/images/${images[0]?.id}/annotations`)).json(),
  );
  expect(set.annotations[0]?.attributes).toEqual({ occluded: true, colour: "blue" });
  await openEditor(page, copy.id, images[0]?.id as number);
  await expect(page.getByTestId("shape-attributes")).toHaveText("occluded · blue");
});

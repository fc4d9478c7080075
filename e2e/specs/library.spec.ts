import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect, type Page, test } from "@playwright/test";
import {
  createLabels,
  createProject,
  listLabels,
  putAnnotations,
  setImageStatus,
  uploadFiles,
} from "../helpers/api";
import { waitForImage } from "../helpers/editor-page";
import { imageFile, makeTestImage, notAnImage } from "../helpers/images";
import { openProjectPage } from "../helpers/nav";
import { shot } from "../helpers/screens";

// The smallest screen the app promises to work on.
test.use({ viewport: { width: 1280, height: 720 } });

const labelRow = (page: Page, name: string) =>
  page.locator("li.label-row", { has: page.getByLabel(`Name of ${name}`) });

test("a data scientist sets up a project: labels, upload, filters, label deletion, all persisted", async ({
  page,
  request,
}) => {
  // ---- Projects: empty state, then create one ----
  await page.goto("/");
  await expect(page.getByRole("heading", { name: "Projects" })).toBeVisible();
  const projectName = `Street scenes ${Date.now()}`;
  await shot(page, "01-projects");
  await page.getByRole("button", { name: "New project" }).first().click();
  const create = page.getByRole("dialog", { name: "New project" });
  await create.getByLabel("Name").fill(projectName);
  await create.getByLabel("Description").fill("Cars, pedestrians and cyclists in city traffic.");
  await shot(page, "02-create-project");
  await create.getByRole("button", { name: "Create project" }).click();
  await expect(page).toHaveURL(/\/projects\/\d+$/);
  const projectId = Number(page.url().split("/").pop());
  await expect(page.getByRole("heading", { name: "Set up this project in two steps" })).toBeVisible();
  await shot(page, "03-overview-new");

  // ---- Labels: paste three, colour and hotkey ----
  await openProjectPage(page, "Labels");
  await expect(page).toHaveURL(`/projects/${projectId}/labels`);
  await expect(page.getByRole("heading", { name: "No labels yet" })).toBeVisible();
  await page.getByRole("button", { name: "Paste a list of names" }).click();
  const bulk = page.getByRole("dialog", { name: "Paste a list of labels" });
  await bulk.getByLabel("Label names, one per line").fill("car\npedestrian\n\ncyclist\nCar\n");
  await expect(bulk.getByText("1 line skipped")).toBeVisible();
  await expect(bulk.getByText("repeated in the list")).toBeVisible();
  await shot(page, "04-bulk-paste");
  await bulk.getByRole("button", { name: "Add 3 labels" }).click();
  await expect(bulk).toBeHidden();
  await expect(page.locator("li.label-row")).toHaveCount(3);

  // Colour from the palette.
  await page.getByRole("button", { name: /^Colour of cyclist/ }).click();
  await page
    .getByRole("dialog", { name: "Colour for cyclist" })
    .getByRole("button", { name: "#59a14f" })
    .click();
  await expect(page.getByRole("button", { name: "Colour of cyclist: #59a14f" })).toBeVisible();

  // Hotkeys: an editor shortcut and another label's key are refused with a message.
  const cyclistKey = page.getByLabel("Hotkey for cyclist");
  await cyclistKey.fill("b");
  await expect(labelRow(page, "cyclist").getByRole("alert")).toHaveText(
    `"b" is reserved for the editor's Box tool`,
  );
  await page.getByLabel("Hotkey for pedestrian").fill("2");
  await expect(page.getByLabel("Hotkey for pedestrian")).toHaveValue("2");
  await expect
    .poll(async () => (await listLabels(request, projectId)).find((l) => l.name === "pedestrian")?.hotkey)
    .toBe("2");
  await cyclistKey.fill("2");
  await expect(labelRow(page, "cyclist").getByRole("alert")).toHaveText(
    `"2" is already the hotkey of "pedestrian"`,
  );
  await shot(page, "05-labels-hotkey-refused");
  await cyclistKey.fill("1");
  await expect(labelRow(page, "cyclist").getByRole("alert")).toHaveCount(0);
  await expect
    .poll(async () => (await listLabels(request, projectId)).find((l) => l.name === "cyclist")?.hotkey)
    .toBe("1");
  await page.getByLabel("New label name").focus();
  await shot(page, "06-labels");

  // ---- Images: upload five files, one of them not an image ----
  await openProjectPage(page, "Images");
  await expect(page.getByRole("heading", { name: "Drop images or folders here" })).toBeVisible();
  await shot(page, "07-images-empty");
  const files = [
    await imageFile("street_01.jpg", { seed: 1 }),
    await imageFile("street_02.png", { seed: 2 }),
    await imageFile("street_03.png", { seed: 3, width: 400, height: 300 }),
    notAnImage("street_04.jpg"),
    await imageFile("street_05.webp", { seed: 5 }),
  ];
  await page.getByTestId("upload-files-input").setInputFiles(files);
  const dock = page.getByRole("region", { name: "Upload" });
  await expect(dock.getByText("Upload finished")).toBeVisible();
  await expect(dock.getByText("4 added")).toBeVisible();
  await expect(dock.getByText("1 rejected")).toBeVisible();
  // The rejection names the file and carries the server's reason.
  const rejected = dock.locator(".upload-result", { hasText: "street_04.jpg" });
  await expect(rejected).toContainText("Rejected");
  await expect(rejected).toContainText("not a supported image");
  await expect(page.locator("a.tile")).toHaveCount(4);
  await shot(page, "08-upload-results");
  await dock.getByRole("button", { name: "Done" }).click();
  await expect(dock).toBeHidden();

  // ---- Filter by status (statuses set through the API, as annotators would) ----
  const ids = await page
    .locator("a.tile")
    .evaluateAll((els) => els.map((e) => Number(e.getAttribute("data-image-id"))));
  expect(ids).toHaveLength(4);
  await setImageStatus(request, ids[0] as number, "done");
  await setImageStatus(request, ids[1] as number, "in_progress");
  await page.reload();
  const filters = page.getByRole("navigation", { name: "Filter by status" });
  await expect(filters.getByRole("link", { name: /^Done/ })).toContainText("1");
  await filters.getByRole("link", { name: /^Done/ }).click();
  await expect(page).toHaveURL(`/projects/${projectId}/images?status=done`);
  await expect(page.locator("a.tile")).toHaveCount(1);
  await expect(page.locator("a.tile")).toContainText("Done");
  await filters.getByRole("link", { name: /^New/ }).click();
  await expect(page.locator("a.tile")).toHaveCount(2);
  await page.getByLabel("Search file names").fill("street_05");
  await expect(page).toHaveURL(`/projects/${projectId}/images?status=new&q=street_05`);
  await expect(page.locator("a.tile")).toHaveCount(1);
  await expect(page.locator("a.tile")).toContainText("street_05.webp");
  await shot(page, "09-images-filtered");
  // A shared link opens the same view.
  await page.goto(`/projects/${projectId}/images?status=in_progress`);
  await expect(page.locator("a.tile")).toHaveCount(1);
  await expect(filters.getByRole("link", { name: /^In progress/ })).toHaveAttribute("aria-current", "page");
  await filters.getByRole("link", { name: /^All/ }).click();
  await expect(page.locator("a.tile")).toHaveCount(4);
  await shot(page, "10-images");

  // ---- Delete a label in use, moving its annotations to another label ----
  const labels = await listLabels(request, projectId);
  const car = labels.find((l) => l.name === "car");
  if (!car) throw new Error("label car missing");
  await putAnnotations(request, ids[0] as number, [
    { labelId: car.id, geometry: { type: "box", x: 10, y: 10, width: 50, height: 40 } },
    { labelId: car.id, geometry: { type: "box", x: 100, y: 60, width: 30, height: 30 } },
  ]);
  await openProjectPage(page, "Labels");
  await expect(labelRow(page, "car")).toContainText("2 annotations");
  await page.getByRole("button", { name: "Delete car" }).click();
  const del = page.getByRole("dialog", { name: 'Delete "car"?' });
  await expect(del).toContainText('"car" is used by 2 annotations');
  await del.getByLabel("Move annotations to").selectOption({ label: "cyclist" });
  await shot(page, "11-delete-label-in-use");
  await del.getByRole("button", { name: "Move annotations and delete" }).click();
  await expect(del).toBeHidden();
  await expect(page.locator("li.label-row")).toHaveCount(2);
  await expect(labelRow(page, "cyclist")).toContainText("2 annotations");

  // ---- Reload: everything is on the server ----
  await page.reload();
  await expect(page.locator("li.label-row")).toHaveCount(2);
  await expect(page.getByLabel("Name of pedestrian")).toBeVisible();
  await expect(page.getByLabel("Name of car")).toHaveCount(0);
  await expect(page.getByLabel("Hotkey for cyclist")).toHaveValue("1");
  await expect(page.getByLabel("Hotkey for pedestrian")).toHaveValue("2");
  await expect(page.getByRole("button", { name: "Colour of cyclist: #59a14f" })).toBeVisible();
  await expect(labelRow(page, "cyclist")).toContainText("2 annotations");

  await openProjectPage(page, "Overview");
  await expect(page.getByRole("list", { name: "Annotations per label" })).toContainText("cyclist");
  await expect(page.locator(".kpi", { hasText: "Images" })).toContainText("4");
  await shot(page, "12-overview");

  await page.goto(`/projects/${projectId}/images`);
  await expect(page.locator("a.tile")).toHaveCount(4);
  await expect(page.locator("a.tile", { hasText: "street_01.jpg" })).toContainText("2 annotations");

  await page.goto("/");
  await expect(page.getByRole("link", { name: projectName })).toBeVisible();
  await shot(page, "13-projects");
});

test("dropping files on the library uploads them; rename and delete a project name what is lost", async ({
  page,
  request,
}) => {
  const project = await createProject(request, `Drop target ${Date.now()}`);
  await page.goto(`/projects/${project.id}/images`);
  await expect(page.getByRole("heading", { name: "Drop images or folders here" })).toBeVisible();
  const a = await imageFile("drop_a.png", { seed: 11 });
  const b = await imageFile("drop_b.png", { seed: 12 });
  // A real drag from the OS cannot be scripted; a drop event with the same DataTransfer shape can.
  await page.evaluate(
    ([fa, fb]) => {
      const dt = new DataTransfer();
      for (const f of [fa, fb]) {
        if (!f) continue;
        const bytes = Uint8Array.from(atob(f.b64), (c) => c.charCodeAt(0));
        dt.items.add(new File([bytes], f.name, { type: "image/png" }));
      }
      const target = document.querySelector("main");
      if (!target) throw new Error("no main");
      for (const type of ["dragenter", "dragover", "drop"]) {
        target.dispatchEvent(new DragEvent(type, { dataTransfer: dt, bubbles: true, cancelable: true }));
      }
    },
    [a, b].map((f) => ({ name: f.name, b64: f.buffer.toString("base64") })),
  );
  const dock = page.getByRole("region", { name: "Upload" });
  await expect(dock.getByText("2 added")).toBeVisible();
  await expect(page.locator("a.tile")).toHaveCount(2);

  // A duplicate upload is reported as such, not added twice.
  await uploadFiles(request, project.id, [a]).then((r) => expect(r[0]?.status).toBe("duplicate"));

  await page.goto("/");
  await page.getByRole("button", { name: `Rename ${project.name}` }).click();
  const rename = page.getByRole("dialog", { name: "Rename project" });
  await rename.getByLabel("Name").fill(`${project.name} (renamed)`);
  await rename.getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("link", { name: `${project.name} (renamed)` })).toBeVisible();

  await page.getByRole("button", { name: `Delete ${project.name} (renamed)` }).click();
  const del = page.getByRole("dialog", { name: `Delete "${project.name} (renamed)"?` });
  await expect(del.getByRole("list", { name: "What will be deleted" })).toContainText("2 images");
  await expect(del.getByRole("list", { name: "What will be deleted" })).toContainText("0 annotations");
  await shot(page, "14-delete-project");
  await del.getByRole("button", { name: "Delete project" }).click();
  await expect(page.getByRole("link", { name: `${project.name} (renamed)` })).toHaveCount(0);
  await page.goto(`/projects/${project.id}`);
  await expect(page.getByRole("heading", { name: "This project does not exist" })).toBeVisible();
});

test("keyboard: reorder labels with arrows, walk the grid, open an image; server refusals arrive as toasts", async ({
  page,
  request,
}) => {
  const project = await createProject(request, `Keyboard ${Date.now()}`);
  await createLabels(request, project.id, ["alpha", "beta", "gamma"]);
  await uploadFiles(
    request,
    project.id,
    await Promise.all(Array.from({ length: 9 }, (_, i) => imageFile(`kb_${i + 1}.png`, { seed: 20 + i }))),
  );

  // Reorder with the keyboard: the handle takes arrow keys; the new order is on the server.
  await page.goto(`/projects/${project.id}/labels`);
  await page.getByRole("button", { name: /^Reorder alpha/ }).focus();
  await page.keyboard.press("ArrowDown");
  await expect(page.getByRole("button", { name: /^Reorder alpha, position 2 of 3/ })).toBeFocused();
  await expect
    .poll(async () => (await listLabels(request, project.id)).map((l) => l.name))
    .toEqual(["beta", "alpha", "gamma"]);
  await shot(page, "15-labels-keyboard-focus");

  // And with the mouse: drag gamma's handle onto the top half of the first row.
  const firstRow = page.locator("li.label-row").first();
  await page
    .getByRole("button", { name: /^Reorder gamma/ })
    .dragTo(firstRow, { targetPosition: { x: 200, y: 5 } });
  const names = page.locator("li.label-row input[aria-label^='Name of']");
  await expect
    .poll(() => names.evaluateAll((els) => els.map((e) => (e as HTMLInputElement).value)))
    .toEqual(["gamma", "beta", "alpha"]);
  await expect
    .poll(async () => (await listLabels(request, project.id)).map((l) => l.name))
    .toEqual(["gamma", "beta", "alpha"]);

  // The colour picker: palette, system picker and hex field.
  await page.getByRole("button", { name: /^Colour of beta/ }).click();
  const picker = page.getByRole("dialog", { name: "Colour for beta" });
  await picker.getByLabel("Hex colour").fill("#123abc");
  await picker.getByLabel("Hex colour").press("Enter");
  await expect(page.getByRole("button", { name: "Colour of beta: #123abc" })).toBeVisible();
  await shot(page, "15b-colour-picker");
  await page.keyboard.press("Escape");
  await expect(picker).toBeHidden();

  // A refusal only the server can know (another tab took the name meanwhile) shows its message.
  await createLabels(request, project.id, ["delta"]);
  await page.getByLabel("New label name").fill("delta");
  await page.keyboard.press("Enter");
  const toast = page.getByRole("alert").filter({ hasText: "Could not add the label" });
  await expect(toast).toContainText('a label named "delta" already exists in this project');
  await shot(page, "16-error-toast");

  // The grid is one tab stop; arrows move between tiles; Enter opens the editor's URL.
  await page.goto(`/projects/${project.id}/images?status=new`);
  const first = page.locator("a.tile").first();
  await first.focus();
  await page.keyboard.press("ArrowRight");
  await expect(page.locator('a.tile[data-index="1"]')).toBeFocused();
  await page.keyboard.press("End");
  await expect(page.locator('a.tile[data-index="8"]')).toBeFocused();
  await expect(page.locator('a.tile[tabindex="0"]')).toHaveCount(1);
  await shot(page, "17-images-keyboard-focus");
  const id = await page.locator('a.tile[data-index="8"]').getAttribute("data-image-id");
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(`/projects/${project.id}/images/${id}?status=new`);
});

test("a folder upload keeps sub-folder paths in natural order; sorting; the editor's previous/next follow the library", async ({
  page,
  request,
}) => {
  const project = await createProject(request, `Folders ${Date.now()}`);
  // A camera folder as it sits on disk: two sub-folders with the same file name, img2 and img10.
  const root = mkdtempSync(path.join(os.tmpdir(), "lb-e2e-folder-"));
  const names = ["cam_b/0001.jpg", "img10.jpg", "cam_a/0001.jpg", "img2.jpg"];
  try {
    for (const [i, n] of names.entries()) {
      mkdirSync(path.dirname(path.join(root, "shoot", n)), { recursive: true });
      writeFileSync(path.join(root, "shoot", n), await makeTestImage({ seed: 40 + i, format: "jpeg" }));
    }
    await page.goto(`/projects/${project.id}/images`);
    await page.getByTestId("upload-folder-input").setInputFiles(path.join(root, "shoot"));
    const dock = page.getByRole("region", { name: "Upload" });
    await expect(dock.getByText("4 added")).toBeVisible();
    await dock.getByRole("button", { name: "Done" }).click();
  } finally {
    rmSync(root, { recursive: true, force: true });
  }

  const tiles = page.locator("a.tile");
  const shown = () => page.locator("a.tile .tile__name").allTextContents();
  const natural = ["shoot/cam_a/0001.jpg", "shoot/cam_b/0001.jpg", "shoot/img2.jpg", "shoot/img10.jpg"];
  await expect(tiles).toHaveCount(4);
  // Paths kept (two distinct 0001.jpg), listed in natural order (img2 before img10).
  expect(await shown()).toEqual(natural);
  const idOf = Object.fromEntries(
    await tiles.evaluateAll((els) =>
      els.map((e) => [
        e.querySelector(".tile__name")?.textContent ?? "",
        Number(e.getAttribute("data-image-id")),
      ]),
    ),
  ) as Record<string, number>;
  await shot(page, "15-library-folder-natural-order");

  // Search by a folder's name.
  await page.getByLabel("Search file names").fill("cam_a");
  await expect(tiles).toHaveCount(1);
  expect(await shown()).toEqual(["shoot/cam_a/0001.jpg"]);
  await page.getByLabel("Search file names").fill("");
  await expect(tiles).toHaveCount(4);

  // Sort by annotations: most first, then the reverse.
  const labels = await createLabels(request, project.id, ["car"]);
  const box = {
    labelId: labels[0]!.id,
    geometry: { type: "box" as const, x: 5, y: 5, width: 20, height: 20 },
  };
  await putAnnotations(request, idOf["shoot/img10.jpg"]!, [box, box]);
  await putAnnotations(request, idOf["shoot/cam_b/0001.jpg"]!, [box]);
  await page.getByLabel("Sort images by").selectOption({ label: "Annotations" });
  await expect(page).toHaveURL(`/projects/${project.id}/images?sort=annotations`);
  await expect
    .poll(shown)
    .toEqual(["shoot/img10.jpg", "shoot/cam_b/0001.jpg", "shoot/img2.jpg", "shoot/cam_a/0001.jpg"]);
  await page.getByRole("button", { name: /^Descending/ }).click();
  await expect(page).toHaveURL(`/projects/${project.id}/images?sort=annotations&order=asc`);
  const fewestFirst = ["shoot/cam_a/0001.jpg", "shoot/img2.jpg", "shoot/cam_b/0001.jpg", "shoot/img10.jpg"];
  await expect.poll(shown).toEqual(fewestFirst);
  await shot(page, "16-library-sorted-by-annotations");

  // The editor, opened from this view, steps through the images in the view's order.
  await tiles.first().click();
  await waitForImage(page, idOf["shoot/cam_a/0001.jpg"]!);
  await expect(page).toHaveURL(/\?sort=annotations&order=asc$/);
  await expect(page.getByTestId("status-position")).toHaveText("1 / 4");
  for (const [i, name] of fewestFirst.slice(1).entries()) {
    await page.keyboard.press("d");
    await waitForImage(page, idOf[name]!);
    await expect(page.getByTestId("status-position")).toHaveText(`${i + 2} / 4`);
  }
  await expect(page).toHaveURL(
    `/projects/${project.id}/images/${idOf["shoot/img10.jpg"]}?sort=annotations&order=asc`,
  );
  await page.keyboard.press("a");
  await waitForImage(page, idOf["shoot/cam_b/0001.jpg"]!);

  // The default order is the natural one: from img2 the next image is img10, the previous cam_b.
  await page.goto(`/projects/${project.id}/images`);
  await tiles.nth(2).click();
  await waitForImage(page, idOf["shoot/img2.jpg"]!);
  await expect(page.getByTestId("status-position")).toHaveText("3 / 4");
  await page.keyboard.press("d");
  await waitForImage(page, idOf["shoot/img10.jpg"]!);
  await page.keyboard.press("a");
  await waitForImage(page, idOf["shoot/img2.jpg"]!);
  await page.keyboard.press("a");
  await waitForImage(page, idOf["shoot/cam_b/0001.jpg"]!);
  await expect(page.getByTestId("status-position")).toHaveText("2 / 4");
});

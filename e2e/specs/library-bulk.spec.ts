import { API_BASE, BulkResult, FolderList, ImagePage } from "@labelbench/schema";
import { type APIRequestContext, expect, type Page, test } from "@playwright/test";
import { createLabels, createProject, putAnnotations, uploadFiles } from "../helpers/api";
import { imageFile } from "../helpers/images";
import { shot } from "../helpers/screens";

/** Issue 18: managing the library's images, folders, and grid classification. */

const uploadNumbered = async (request: APIRequestContext, projectId: number, n: number, size = 96) => {
  const ids: number[] = [];
  for (let first = 0; first < n; first += 50) {
    const files = await Promise.all(
      Array.from({ length: Math.min(50, n - first) }, (_, k) =>
        imageFile(`img${String(first + k + 1).padStart(3, "0")}.png`, {
          seed: first + k + 1,
          width: size,
          height: Math.round(size * 0.75),
        }),
      ),
    );
    for (const r of await uploadFiles(request, projectId, files)) {
      if (r.status !== "created") throw new Error(JSON.stringify(r));
      ids.push(r.image.id);
    }
  }
  return ids;
};

const allImages = async (request: APIRequestContext, projectId: number) => {
  const res = await request.get(`${API_BASE}/projects/${projectId}/images?limit=500`);
  expect(res.ok()).toBe(true);
  return ImagePage.parse(await res.json());
};

const tile = (page: Page, name: string) => page.locator(".tile[data-image-id]", { hasText: name });

test("select with shift-click and delete, the confirmation naming images and annotations; move to a folder and browse the tree; rename", async ({
  page,
  request,
}) => {
  const project = await createProject(request, `Library bulk ${Date.now()}`);
  const [car] = await createLabels(request, project.id, ["car"]);
  if (!car) throw new Error("no label");
  const ids = await uploadNumbered(request, project.id, 12);
  const box = (x: number) => ({
    labelId: car.id,
    geometry: { type: "box" as const, x, y: 2, width: 20, height: 20 },
  });
  await putAnnotations(request, ids[0] as number, [box(1), box(30)]);
  await putAnnotations(request, ids[2] as number, [box(5)]);

  await page.goto(`/projects/${project.id}/images`);
  await expect(page.locator(".tile[data-image-id]")).toHaveCount(12);
  // Click the first tile's checkbox, shift-click the fourth: a range of four.
  await tile(page, "img001.png").getByTestId("tile-select").click();
  await tile(page, "img004.png").click({ modifiers: ["Shift"] });
  await expect(page.getByTestId("selection-count")).toHaveText("4 images selected");
  // Ctrl-click toggles one more in, and out again.
  await tile(page, "img006.png").click({ modifiers: ["Control"] });
  await expect(page.getByTestId("selection-count")).toHaveText("5 images selected");
  await tile(page, "img006.png").click({ modifiers: ["Control"] });
  await expect(page.getByTestId("selection-count")).toHaveText("4 images selected");
  await shot(page, "library-bulk-01-selection");

  await page.getByRole("button", { name: "Delete…" }).click();
  const confirm = page.getByRole("dialog", { name: "Delete 4 images and their 3 annotations?" });
  await expect(confirm).toBeVisible();
  await shot(page, "library-bulk-02-delete-confirmation");
  await confirm.getByRole("button", { name: "Delete 4 images" }).click();
  await expect(confirm).toBeHidden();
  await expect(page.locator(".tile[data-image-id]")).toHaveCount(8);
  expect((await allImages(request, project.id)).items.map((i) => i.fileName)).toEqual([
    "img005.png",
    "img006.png",
    "img007.png",
    "img008.png",
    "img009.png",
    "img010.png",
    "img011.png",
    "img012.png",
  ]);

  // Move four to cam_a/day1 and two to cam_b.
  await tile(page, "img005.png").getByTestId("tile-select").click();
  await tile(page, "img008.png").click({ modifiers: ["Shift"] });
  await page.getByRole("button", { name: "Move to…" }).click();
  const move = page.getByRole("dialog", { name: "Move 4 images to a folder" });
  await move.getByLabel("Folder").fill("cam_a/day1");
  await move.getByRole("button", { name: "Move" }).click();
  await expect(move).toBeHidden();
  await tile(page, "img009.png").getByTestId("tile-select").click();
  await tile(page, "img010.png").click({ modifiers: ["Shift"] });
  await page.getByRole("button", { name: "Move to…" }).click();
  await page.getByRole("dialog", { name: "Move 2 images to a folder" }).getByLabel("Folder").fill("cam_b");
  await page
    .getByRole("dialog", { name: "Move 2 images to a folder" })
    .getByRole("button", { name: "Move" })
    .click();

  const tree = page.getByRole("tree", { name: "Folders" });
  await expect(tree.getByRole("treeitem", { name: "cam_a, 4 images" })).toBeVisible();
  await expect(tree.getByRole("treeitem", { name: "cam_b, 2 images" })).toBeVisible();
  await expect(tree.getByRole("treeitem", { name: "All images, 8 images" })).toBeVisible();
  await tree.getByRole("button", { name: "Expand cam_a" }).click();
  await tree.getByRole("treeitem", { name: "day1, 4 images" }).click();
  await expect(page).toHaveURL(/folder=cam_a%2Fday1%2F/);
  await expect(page.locator(".tile[data-image-id]")).toHaveCount(4);
  await shot(page, "library-bulk-03-folder-tree");
  // Collapse by keyboard, and back to everything.
  await tree.getByRole("treeitem", { name: "cam_a, 4 images" }).focus();
  await page.keyboard.press("ArrowLeft");
  await expect(tree.getByRole("treeitem", { name: "day1, 4 images" })).toBeHidden();
  await tree.getByRole("treeitem", { name: "All images, 8 images" }).click();
  await expect(page.locator(".tile[data-image-id]")).toHaveCount(8);

  const folders = FolderList.parse(
    await (await request.get(`${API_BASE}/projects/${project.id}/folders`)).json(),
  );
  expect(folders).toEqual({
    folders: [
      { path: "cam_a/day1/", images: 4 },
      { path: "cam_b/", images: 2 },
    ],
    root: 2,
    total: 8,
  });

  // Rename one: a name in use is refused with the other image named; a free one is taken.
  await tile(page, "img011.png").getByTestId("tile-select").click();
  await page.getByRole("button", { name: "Rename" }).click();
  const rename = page.getByRole("dialog", { name: "Rename image" });
  await rename.getByLabel("File name").fill("cam_b/img009.png");
  await rename.getByRole("button", { name: "Rename" }).click();
  await expect(rename.getByText(/already named "cam_b\/img009.png"/)).toBeVisible();
  await rename.getByLabel("File name").fill("cam_b/img011.png");
  await rename.getByRole("button", { name: "Rename" }).click();
  await expect(rename).toBeHidden();
  await expect
    .poll(async () => (await allImages(request, project.id)).items.map((i) => i.fileName))
    .toContain("cam_b/img011.png");
});

test("grid classification: 200 images tagged by keyboard only, verified through the API", async ({
  page,
  request,
}) => {
  const project = await createProject(request, `Classify ${Date.now()}`);
  const [cat, dog] = await createLabels(request, project.id, ["cat", "dog"]);
  if (!cat || !dog) throw new Error("no labels");
  for (const [l, key] of [
    [cat, "1"],
    [dog, "2"],
  ] as const)
    expect(
      (
        await request.patch(`${API_BASE}/projects/${project.id}/labels/${l.id}`, { data: { hotkey: key } })
      ).ok(),
    ).toBe(true);
  await uploadNumbered(request, project.id, 200, 64);

  await page.goto(`/projects/${project.id}/images?view=classify`);
  const panel = page.getByRole("complementary", { name: "Classify" });
  await expect(panel.getByRole("button", { name: /cat/ })).toBeVisible();
  const first = tile(page, "img001.png");
  await expect(first).toBeVisible();
  // Into the grid by keyboard: the grid is one tab stop.
  await first.focus();

  // Ctrl+A selects all 200 matching; "1" tags them all with cat.
  await page.keyboard.press("Control+a");
  await expect(page.getByTestId("selection-count")).toHaveText("All 200 matching images selected");
  await page.keyboard.press("1");
  await expect(first.getByTestId("tile-tags")).toHaveText("cat");
  await expect(tile(page, "img020.png").getByTestId("tile-tags")).toHaveText("cat");
  // Tagged images are in progress now, and the status tabs say so without a reload.
  await expect(
    page.getByRole("navigation", { name: "Filter by status" }).getByRole("link", { name: /In progress/ }),
  ).toContainText("200");

  // Escape clears; Shift+arrows select ten from the focused image; "2" tags them dog.
  await page.keyboard.press("Escape");
  await expect(page.getByTestId("selection-count")).toBeHidden();
  await first.focus();
  for (let i = 0; i < 9; i++) await page.keyboard.press("Shift+ArrowRight");
  await expect(page.getByTestId("selection-count")).toHaveText("10 images selected");
  await page.keyboard.press("2");
  await expect(tile(page, "img010.png").getByTestId("tile-tags")).toHaveText("catdog");
  await shot(page, "library-bulk-04-classify-grid");

  // Nothing selected: a key tags the focused image; X toggles one image into the selection.
  await page.keyboard.press("Escape");
  await page.keyboard.press("ArrowDown");
  const focusedId = Number(await page.evaluate(() => document.activeElement?.getAttribute("data-image-id")));
  await page.keyboard.press("1");
  await expect(page.locator(`.tile[data-image-id="${focusedId}"] [data-testid="tile-tags"]`)).toHaveCount(0);
  await page.keyboard.press("ArrowRight");
  const pickedId = Number(await page.evaluate(() => document.activeElement?.getAttribute("data-image-id")));
  await page.keyboard.press("x");
  await expect(page.getByTestId("selection-count")).toHaveText("1 image selected");
  await page.keyboard.press("2");
  await expect(page.locator(`.tile[data-image-id="${pickedId}"] [data-testid="tile-tags"]`)).toHaveText(
    "catdog",
  );

  const images = (await allImages(request, project.id)).items;
  expect(images).toHaveLength(200);
  const withTag = (id: number) => images.filter((i) => i.tags?.includes(id)).length;
  expect(withTag(cat.id)).toBe(199);
  expect(withTag(dog.id)).toBe(11);
  expect(images.find((i) => i.id === focusedId)?.tags).toEqual([]);
  // Each tagged image moved to its next revision (and so is "in progress").
  expect(images.filter((i) => i.status === "in_progress")).toHaveLength(200);
  // The action answered per image: a toggle over the page through the API agrees with the grid.
  const again = BulkResult.parse(
    await (
      await request.post(`${API_BASE}/projects/${project.id}/images/bulk`, {
        data: { filter: {}, action: { kind: "toggleTag", labelId: dog.id }, dryRun: true },
      })
    ).json(),
  );
  expect(again).toMatchObject({ toggled: "added", matched: 200, changed: 189 });
});

import { type APIRequestContext, expect, test } from "@playwright/test";
import { E2E_ADMIN } from "../auth-state";
import { type SeededProject, seedProject } from "../helpers/editor-fixtures";
import { click, drag, expectSaved, openEditor, shapes } from "../helpers/editor-page";

/**
 * Geometry rules as a person meets them in the editor: a self-crossing polygon is refused with the
 * reason on screen, and a micro-drag of the box tool draws nothing.
 */
test.describe.configure({ mode: "serial" });
test.use({ storageState: { cookies: [], origins: [] } });
const signIn = async (request: APIRequestContext) => {
  const r = await request.post("/api/v1/auth/login", { data: E2E_ADMIN });
  expect(r.ok(), `sign-in failed: ${r.status()} ${await r.text()}`).toBe(true);
};

let p: SeededProject;

test.beforeAll(async ({ request }) => {
  await signIn(request);
  p = await seedProject(request, { name: "Geometry e2e", images: 1 });
});

test.beforeEach(async ({ page }) => {
  await signIn(page.request);
  await page.setViewportSize({ width: 1280, height: 720 });
});

test("closing a self-crossing polygon shows why it is refused, and drawing goes on", async ({ page }) => {
  await openEditor(page, p.projectId, p.imageIds[0] as number);
  await expectSaved(page);
  await page.keyboard.press("p");
  for (const [x, y] of [
    [100, 100],
    [300, 250],
    [300, 100],
    [100, 250],
  ] as const)
    await click(page, x, y);
  await page.keyboard.press("Enter");
  const message = page.getByTestId("editor-message");
  await expect(message).toContainText(
    "Polygon refused: polygon outline crosses itself: edge 0 (points 0-1) crosses edge 2 (points 2-3) at (200, 175)",
  );
  await page.screenshot({ path: "e2e/screenshots/geometry-self-crossing.png" });
  expect(await shapes(page)).toEqual([]);
  // Still drawing: take the last vertex back and close where the outline stays simple.
  await page.keyboard.press("Backspace");
  await click(page, 100, 100);
  expect((await shapes(page)).map((s) => s.geometry.type)).toEqual(["polygon"]);
  await expectSaved(page);
});

test("a box-tool drag of a few screen pixels is a click: no box", async ({ page }) => {
  await openEditor(page, p.projectId, p.imageIds[0] as number);
  await expectSaved(page);
  const before = (await shapes(page)).length;
  await page.keyboard.press("b");
  // 3 screen pixels each way, whatever the zoom.
  const scale = await page.evaluate(() => window.__labelbench!.editor.getState().viewport.scale);
  await drag(page, [400, 300], [400 + 3 / scale, 300 + 3 / scale], 3);
  expect(await shapes(page)).toHaveLength(before);
  await expect(page.getByTestId("editor-message")).toHaveCount(0);
  await drag(page, [400, 300], [460, 340]);
  expect(await shapes(page)).toHaveLength(before + 1);
});

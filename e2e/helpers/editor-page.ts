import type { Shape } from "@labelbench/editor";
import { expect, type Page } from "@playwright/test";
// The hook's type, and with it `window.__labelbench`, from the page that sets it.
import type { LabelbenchHook } from "../../apps/web/src/editor/test-hook";

/**
 * Drives the editor page through real pointer and key input and reads its state through the test
 * hook `window.__labelbench` (excalidraw's `window.h` habit): input like a user, assertions on state.
 */

/** A shape as the hook's editor state holds it. */
export type HookShape = Shape;
type HookState = ReturnType<LabelbenchHook["editor"]["getState"]>;

export const editorUrl = (projectId: number, imageId: number) => `/projects/${projectId}/images/${imageId}`;

export const waitForImage = async (page: Page, imageId: number) => {
  await page.waitForFunction(
    (id) =>
      window.__labelbench?.editor.getState().image?.id === id && window.__labelbench.saveState.imageId === id,
    imageId,
  );
};

export const openEditor = async (page: Page, projectId: number, imageId: number) => {
  await page.goto(editorUrl(projectId, imageId));
  await waitForImage(page, imageId);
};

/** Page coordinates of an image pixel, through the editor's camera. */
export const at = async (page: Page, x: number, y: number) => {
  const v = await page.evaluate(() => window.__labelbench!.editor.getState().viewport);
  const box = await page.getByTestId("editor-stage").boundingBox();
  if (!box) throw new Error("the editor stage is not on screen");
  return { x: box.x + x * v.scale + v.offsetX, y: box.y + y * v.scale + v.offsetY };
};

export const drag = async (page: Page, from: [number, number], to: [number, number], steps = 8) => {
  const a = await at(page, from[0], from[1]);
  const b = await at(page, to[0], to[1]);
  await page.mouse.move(a.x, a.y);
  await page.mouse.down();
  await page.mouse.move(b.x, b.y, { steps });
  await page.mouse.up();
};

export const click = async (
  page: Page,
  x: number,
  y: number,
  opts: { modifiers?: ("Shift" | "Alt")[] } = {},
) => {
  const p = await at(page, x, y);
  for (const m of opts.modifiers ?? []) await page.keyboard.down(m);
  await page.mouse.click(p.x, p.y);
  for (const m of opts.modifiers ?? []) await page.keyboard.up(m);
};

export const dblclick = async (page: Page, x: number, y: number) => {
  const p = await at(page, x, y);
  await page.mouse.dblclick(p.x, p.y);
};

export const shapes = (page: Page): Promise<HookShape[]> =>
  page.evaluate(() => [...window.__labelbench!.editor.getState().doc.shapes.values()]);

export const selection = (page: Page): Promise<string[]> =>
  page.evaluate(() => [...window.__labelbench!.editor.getState().selection]);

export const editorState = <T>(page: Page, pick: (s: HookState) => T): Promise<T> =>
  page.evaluate(`(${pick.toString()})(window.__labelbench.editor.getState())`) as Promise<T>;

export const saveKind = (page: Page) =>
  page.evaluate(() => window.__labelbench?.saveState.status?.kind ?? null);

export const expectSaved = async (page: Page, timeout = 15_000) => {
  await expect.poll(() => saveKind(page), { timeout }).toBe("saved");
  await expect(page.getByTestId("save-state")).toHaveText(/Saved/);
};

/** The editor keeps geometry in floating point; the API may round-trip it exactly. */
export const roundGeometry = (g: HookShape["geometry"] | Record<string, unknown>) =>
  JSON.parse(JSON.stringify(g, (_k, v) => (typeof v === "number" ? Math.round(v * 1000) / 1000 : v)));

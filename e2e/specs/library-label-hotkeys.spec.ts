import { expect, test } from "@playwright/test";
import { E2E_ADMIN } from "../auth-state";
import { seedProject } from "../helpers/editor-fixtures";
import { editorState, openEditor } from "../helpers/editor-page";
import { shot } from "../helpers/screens";

/**
 * Issue 18: a label hotkey that one of the user's own keys takes. The editor says which, and that
 * the user's key wins; pressing it runs their command, and the label is still a click away.
 */
test.use({ storageState: { cookies: [], origins: [] } });
const API = "/api/v1";

test("the editor names the label hotkeys the user's keys take, and the user's key wins", async ({ page }) => {
  const r = await page.request.post(`${API}/auth/login`, { data: E2E_ADMIN });
  expect(r.ok()).toBe(true);
  // "3" is the hotkey of the label "sign"; this user gave it to the box tool.
  const put = await page.request.put(`${API}/me/keymap`, { data: { bindings: { "tool.box": ["Digit3"] } } });
  expect(put.ok(), await put.text()).toBe(true);
  try {
    const p = await seedProject(page.request, { name: `Label keys e2e ${Date.now()}`, images: 1 });
    await openEditor(page, p.projectId, p.imageIds[0] as number);
    const note = page.getByTestId("label-key-note");
    await expect(note).toContainText("3 (sign) is your key for Box tool");
    await expect(note).toContainText("Your key wins");
    await expect(page.getByTestId("key-taken-sign")).toBeVisible();
    await shot(page, "library-label-hotkeys-01-editor");

    await page.keyboard.press("v");
    await page.keyboard.press("3");
    await expect.poll(() => editorState(page, (s) => s.tool.id)).toBe("box");
    const sign = p.labels.find((l) => l.name === "sign");
    expect(await editorState(page, (s) => s.activeLabelId)).not.toBe(sign?.id);
    await page.getByTestId("label-sign").click();
    await expect.poll(() => editorState(page, (s) => s.activeLabelId)).toBe(sign?.id);
  } finally {
    await page.request.put(`${API}/me/keymap`, { data: { bindings: {} } });
  }
});

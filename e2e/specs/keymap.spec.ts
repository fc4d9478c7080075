import { type APIRequestContext, expect, type Page, test } from "@playwright/test";
import { E2E_ADMIN } from "../auth-state";
import { makePng, seedProject } from "../helpers/editor-fixtures";
import { editorState, openEditor, waitForImage } from "../helpers/editor-page";
import { shot } from "../helpers/screens";

/**
 * Issue 18, "Your own keys" and "Large label sets": a user rebinds editor commands on their keymap
 * page (a taken key refused with the other command's name) and uses them in the editor; a project of
 * 1,000 labels is worked by typing in the palette's filter and by a two-key chord.
 */
test.describe.configure({ mode: "serial" });
test.use({ storageState: { cookies: [], origins: [] } });

const API = "/api/v1";
const signIn = async (request: APIRequestContext) => {
  const r = await request.post(`${API}/auth/login`, { data: E2E_ADMIN });
  expect(r.ok(), `sign-in failed: ${r.status()} ${await r.text()}`).toBe(true);
};

test.beforeEach(async ({ page }) => {
  await signIn(page.request);
  // Each test starts from the default keys.
  expect((await page.request.put(`${API}/me/keymap`, { data: { bindings: {} } })).ok()).toBe(true);
  page.on("pageerror", (e) => console.log("pageerror:", e.message));
});

const row = (page: Page, commandId: string) => page.getByTestId(`keymap-${commandId}`);

test("rebind the box tool and next image on the keymap page, then use the new keys in the editor", async ({
  page,
}) => {
  const p = await seedProject(page.request, { name: "Keymap e2e", images: 2 });

  // The account menu leads to the page.
  await page.goto("/");
  await page.getByRole("button", { name: /^Account:/ }).click();
  await page.getByRole("link", { name: "Keyboard shortcuts" }).click();
  await expect(page.getByRole("heading", { name: "Keyboard shortcuts", level: 1 })).toBeVisible();
  await expect(row(page, "tool.box")).toContainText("B");

  // Box tool → K.
  await page.getByRole("button", { name: "Change Box tool", exact: true }).click();
  await expect(page.getByRole("status").first()).toContainText("Press the new key combination");
  await page.keyboard.press("k");
  await expect(page.getByText("Box tool: K")).toBeVisible();
  await expect(row(page, "tool.box").locator("kbd")).toHaveText(["K"]);
  await expect(row(page, "tool.box")).toContainText("changed");

  // A taken key is refused with the other command's name; the keys stay as they were.
  await page.getByRole("button", { name: "Change Polygon tool", exact: true }).click();
  await page.keyboard.press("Control+z");
  // Said in the command's row, where the user is looking.
  await expect(row(page, "tool.polygon").getByRole("alert")).toHaveText("Ctrl+Z is already Undo");
  await shot(page, "keymap-conflict");
  await expect(row(page, "tool.polygon").locator("kbd")).toHaveText(["P"]);

  // Escape cancels a capture.
  await page.getByRole("button", { name: "Change Polygon tool", exact: true }).click();
  await page.keyboard.press("Escape");
  await expect(row(page, "tool.polygon").locator("kbd")).toHaveText(["P"]);

  // Next image → J (replacing D and →).
  await page.getByRole("button", { name: "Change Next image", exact: true }).click();
  await page.keyboard.press("j");
  await expect(row(page, "nav.next").locator("kbd")).toHaveText(["J"]);
  await shot(page, "keymap-page", { fullPage: true });

  // Saved on the server, as codes.
  const saved = await (await page.request.get(`${API}/me/keymap`)).json();
  expect(saved.bindings).toEqual({ "tool.box": ["KeyK"], "nav.next": ["KeyJ"] });

  // The editor opens with them: B no longer picks the box tool, K does.
  await openEditor(page, p.projectId, p.imageIds[0] as number);
  await page.keyboard.press("b");
  expect(await editorState(page, (s) => s.tool.id)).toBe("select");
  await page.keyboard.press("k");
  expect(await editorState(page, (s) => s.tool.id)).toBe("box");
  await page.keyboard.press("v");

  // D no longer goes to the next image; J does.
  await page.keyboard.press("d");
  await page.waitForTimeout(300);
  expect(await editorState(page, (s) => s.image?.id)).toBe(p.imageIds[0]);
  await page.keyboard.press("j");
  await waitForImage(page, p.imageIds[1] as number);
  await expect(page.getByTestId("status-position")).toHaveText("2 / 2");

  // The overlay lists the user's keys.
  await page.keyboard.press("?");
  const overlay = page.getByRole("dialog", { name: "Keyboard shortcuts" });
  await expect(overlay).toBeVisible();
  const boxRow = overlay.locator(".ed-help__row", { hasText: "Box tool" });
  await expect(boxRow.locator("kbd")).toHaveText(["K"]);
  await expect(overlay.locator(".ed-help__row", { hasText: /^Next image \(/ }).locator("kbd")).toHaveText([
    "J",
  ]);
  await shot(page, "keymap-overlay");
  await page.keyboard.press("Escape");

  // Reset all: the defaults again, on the server too.
  await page.goto("/settings/keys");
  await page.getByRole("button", { name: "Reset all to defaults" }).click();
  await expect(row(page, "tool.box").locator("kbd")).toHaveText(["B"]);
  expect((await (await page.request.get(`${API}/me/keymap`)).json()).bindings).toEqual({});
});

test("1,000 labels: the palette filters as you type, Enter picks, and a chord hotkey picks a label", async ({
  page,
}) => {
  // A thousand labels to create and list, on a shared machine.
  test.setTimeout(150_000);
  const request = page.request;
  const created = await request.post(`${API}/projects`, { data: { name: "Large label set e2e" } });
  const projectId = (await created.json()).id as number;
  const names = Array.from({ length: 1000 }, (_, i) => `species-${String(i + 1).padStart(4, "0")}`);
  const bulk = await request.post(`${API}/projects/${projectId}/labels/bulk`, { data: { names } });
  expect(bulk.ok(), await bulk.text()).toBe(true);
  const labels = (await (await request.get(`${API}/projects/${projectId}/labels`)).json()).items as {
    id: number;
    name: string;
  }[];
  expect(labels).toHaveLength(1000);
  const idOf = (name: string) => labels.find((l) => l.name === name)?.id;
  // A chord hotkey: Q, then 7.
  const chord = await request.patch(`${API}/projects/${projectId}/labels/${idOf("species-0500")}`, {
    data: { hotkey: "q7" },
  });
  expect(chord.ok(), await chord.text()).toBe(true);
  const up = await request.post(`${API}/projects/${projectId}/images`, {
    multipart: { files: { name: "forest.png", mimeType: "image/png", buffer: makePng(640, 480, 7) } },
  });
  const imageId = (await up.json()).results[0].image.id as number;

  await openEditor(page, projectId, imageId);
  const palette = page.getByTestId("label-palette");
  // Windowed: a thousand labels, a screenful of rows.
  await expect(palette.locator("li").first()).toBeVisible();
  expect(await palette.locator("li").count()).toBeLessThan(80);

  // `/` focuses the filter; a substring finds the label; Enter picks it and gives the keys back.
  await page.keyboard.press("/");
  const filter = page.getByRole("searchbox", { name: "Find a label" });
  await expect(filter).toBeFocused();
  await page.keyboard.type("0777");
  await expect(palette.locator("li")).toHaveCount(1);
  await expect(palette).toContainText("species-0777");
  await shot(page, "palette-filtered");
  await page.keyboard.press("Enter");
  expect(await editorState(page, (s) => s.activeLabelId)).toBe(idOf("species-0777"));
  await expect(filter).not.toBeFocused();
  await expect(filter).toHaveValue("");

  // Arrows move the highlight: "species-001" lists species-0010, species-0011, … in set order.
  await page.keyboard.press("/");
  await page.keyboard.type("species-001");
  await page.keyboard.press("ArrowDown");
  await page.keyboard.press("Enter");
  expect(await editorState(page, (s) => s.activeLabelId)).toBe(idOf("species-0011"));

  // Escape clears the filter and leaves the box.
  await page.keyboard.press("/");
  await page.keyboard.type("zebra");
  await expect(page.getByText('No label matches "zebra".')).toBeVisible();
  await page.keyboard.press("Escape");
  await expect(filter).toHaveValue("");
  await expect(filter).not.toBeFocused();

  // The chord: Q shows the pending hint, 7 picks the label.
  await page.keyboard.press("q");
  const hint = page.getByTestId("chord-hint");
  await expect(hint).toBeVisible();
  await expect(hint).toContainText("species-0500");
  await shot(page, "chord-hint");
  await page.keyboard.press("7");
  await expect(hint).toBeHidden();
  expect(await editorState(page, (s) => s.activeLabelId)).toBe(idOf("species-0500"));

  // The labels page: the set is searched, and a chord is typed as the hotkey.
  const opened = Date.now();
  await page.goto(`/projects/${projectId}/labels`);
  // The first hundred rows, the rest by search or on request.
  await expect(page.getByRole("button", { name: "Show all 1000" })).toBeVisible({ timeout: 30_000 });
  await expect(page.locator('input[aria-label="Name of species-0100"]')).toBeAttached();
  await expect(page.locator('input[aria-label="Name of species-0101"]')).not.toBeAttached();
  console.log(`labels page with 1,000 labels listed in ${Date.now() - opened} ms`);
  const find = page.getByRole("searchbox", { name: "Find a label" });
  await find.fill("0042");
  await expect(page.getByRole("status").filter({ hasText: "1 of 1000" })).toBeVisible();
  const hotkey = page.getByRole("textbox", { name: "Hotkey for species-0042" });
  await hotkey.click();
  await page.keyboard.type("w4");
  await expect
    .poll(async () => {
      const all = (await (await request.get(`${API}/projects/${projectId}/labels`)).json()).items as {
        name: string;
        hotkey: string | null;
      }[];
      return all.find((l) => l.name === "species-0042")?.hotkey;
    })
    .toBe("w4");
  await shot(page, "labels-page-filtered");
  // A key that would start that chord is refused with the label's name.
  await find.fill("0043");
  await page.getByRole("textbox", { name: "Hotkey for species-0043" }).click();
  await page.keyboard.type("w");
  await expect(page.getByText(`"w" clashes with "species-0042"'s "w4"`)).toBeVisible();
});

import { type APIRequestContext, type Browser, expect, type Page, type Route, test } from "@playwright/test";
import { E2E_ADMIN } from "../auth-state";
import { getAnnotations, type SeededProject, seedProject } from "../helpers/editor-fixtures";
import { drag, expectSaved, openEditor, shapes, waitForImage } from "../helpers/editor-page";

/**
 * The editor session around the canvas: whose unsaved work it is, coming back online, and what the
 * editor says when it cannot do what was asked.
 */
test.describe.configure({ mode: "serial" });
test.use({ storageState: { cookies: [], origins: [] } });

const API = "/api/v1";
const PASSWORD = "session-password-123";
const ANNOTATOR = { email: "session-annotator@labelbench.test", password: PASSWORD };
const MANAGER = { email: "session-manager@labelbench.test", password: PASSWORD };

const signIn = async (request: APIRequestContext, who: { email: string; password: string }) => {
  const r = await request.post(`${API}/auth/login`, { data: who });
  expect(r.ok(), `sign-in of ${who.email} failed: ${r.status()} ${await r.text()}`).toBe(true);
};

/** Creates the user (or finds them on a retry against the same server); returns the id. */
const ensureUser = async (admin: APIRequestContext, who: { email: string }, role: string) => {
  const r = await admin.post(`${API}/users`, {
    data: { email: who.email, password: PASSWORD, name: role, role },
  });
  if (r.status() === 201) return (await r.json()).id as number;
  const list = (await (await admin.get(`${API}/users`)).json()) as { items: { id: number; email: string }[] };
  const id = list.items.find((u) => u.email === who.email)?.id;
  expect(id, `creating ${who.email} answered ${r.status()}`).toBeDefined();
  return id!;
};

const freshContext = (browser: Browser) =>
  browser.newContext({ storageState: { cookies: [], origins: [] }, viewport: { width: 1280, height: 720 } });

/** Writes to annotations fail as if the network were gone; reads go through. */
const offline = async (route: Route) => {
  if (route.request().method() !== "GET") await route.abort("internetdisconnected");
  else await route.continue();
};

let p: SeededProject;

const pageShot = (page: Page, name: string) => page.screenshot({ path: `e2e/screenshots/${name}.png` });

test.beforeAll(async ({ request }) => {
  await signIn(request, E2E_ADMIN);
  p = await seedProject(request, { name: "Editor session e2e", images: 2 });
  const annotatorId = await ensureUser(request, ANNOTATOR, "annotator");
  await ensureUser(request, MANAGER, "manager");
  const m = await request.post(`${API}/projects/${p.projectId}/members`, { data: { userId: annotatorId } });
  expect(m.status(), await m.text()).toBe(201);
});

test("offline edits belong to their author: the next account on this browser neither sees nor sends them; the author gets them back", async ({
  browser,
}) => {
  const imageId = p.imageIds[0]!;
  const ctx = await freshContext(browser);

  // The annotator draws two boxes offline and closes the tab.
  const annotatorTab = await ctx.newPage();
  await signIn(annotatorTab.request, ANNOTATOR);
  await annotatorTab.route("**/api/v1/images/*/annotations", offline);
  await openEditor(annotatorTab, p.projectId, imageId);
  await annotatorTab.keyboard.press("b");
  await drag(annotatorTab, [40, 40], [120, 100]);
  await drag(annotatorTab, [200, 40], [280, 100]);
  await expect(annotatorTab.getByTestId("save-state")).toHaveText(/Offline — 2 changes pending/);
  await annotatorTab.close();

  // The manager signs in on the same browser and opens the same image: nothing of the annotator's.
  const managerTab = await ctx.newPage();
  await signIn(managerTab.request, MANAGER);
  await openEditor(managerTab, p.projectId, imageId);
  await expectSaved(managerTab);
  expect(await shapes(managerTab)).toEqual([]);
  await expect(managerTab.getByTestId("notice").filter({ hasText: "Restored" })).toHaveCount(0);
  // Background saves of stored copies would have gone out by now.
  await managerTab.waitForTimeout(1500);
  expect((await getAnnotations(managerTab.request, imageId)).annotations).toEqual([]);
  expect(await managerTab.evaluate(() => window.__labelbench!.saveState.totalChanges)).toBe(0);
  // The manager's own box is saved as theirs.
  await managerTab.keyboard.press("b");
  await drag(managerTab, [300, 300], [380, 380]);
  await expectSaved(managerTab);
  await managerTab.close();

  // The annotator signs in again: their boxes come back, merged with the manager's, saved as theirs.
  const backTab = await ctx.newPage();
  await signIn(backTab.request, ANNOTATOR);
  await openEditor(backTab, p.projectId, imageId);
  await expect(backTab.getByTestId("notice").filter({ hasText: "Restored 2 unsaved changes" })).toBeVisible();
  await expectSaved(backTab);
  const server = await getAnnotations(backTab.request, imageId);
  const authors = (server.annotations as { createdBy?: string | null }[]).map((a) => a.createdBy);
  expect(authors).toEqual([MANAGER.email, ANNOTATOR.email, ANNOTATOR.email]);
  expect(await shapes(backTab)).toHaveLength(3);
  await ctx.close();
});

test("offline, draw, go to the next image, back online: the editor recovers by itself", async ({ page }) => {
  await signIn(page.request, E2E_ADMIN);
  const [first, second] = [p.imageIds[0]!, p.imageIds[1]!];
  // The next image is not in the preload cache (its prefetch failed), as after a longer time offline.
  let down = false;
  let secondReachable = false;
  await page.route("**/api/v1/**", async (route) => {
    const url = route.request().url();
    if (down || (!secondReachable && new RegExp(`/images/${second}(/|$|\\?)`).test(url)))
      await route.abort("internetdisconnected");
    else await route.continue();
  });
  await openEditor(page, p.projectId, first);
  await expectSaved(page);
  await expect(page.getByTestId("status-file")).toHaveText("street-01.png");

  down = true;
  await page.keyboard.press("b");
  await drag(page, [420, 200], [500, 280]);
  await expect(page.getByTestId("save-state")).toHaveText(/Offline — 1 change pending/);
  await page.keyboard.press("d");
  await expect(page.getByRole("alert").filter({ hasText: "cannot reach the server" })).toBeVisible();
  // Not the previous image's name under another image's address.
  await expect(page.getByTestId("status-file")).toHaveText("");
  await pageShot(page, "editor-offline-next");

  // Back online: no click, no navigation by hand.
  down = false;
  secondReachable = true;
  await page.evaluate(() => window.dispatchEvent(new Event("online")));
  await waitForImage(page, second);
  await expect(page.getByRole("alert").filter({ hasText: "cannot reach the server" })).toHaveCount(0);
  await expect(page.getByTestId("status-file")).toHaveText("street-02.png");
  await expectSaved(page);
  await expect(page.getByTestId("status-position")).toHaveText(/2 \/ 2/);
  // The box drawn offline on the first image was saved meanwhile.
  await expect
    .poll(async () => (await getAnnotations(page.request, first)).annotations.length, { timeout: 10_000 })
    .toBe(4);
  expect(await page.evaluate(() => window.__labelbench!.saveState.totalChanges)).toBe(0);
});

test("the box tool on a polygon-only label says why nothing is drawn", async ({ page }) => {
  await signIn(page.request, E2E_ADMIN);
  const r = await page.request.post(`${API}/projects/${p.projectId}/labels`, {
    data: { name: "road", color: "#a855f7", hotkey: "4", shapeTypes: ["polygon"] },
  });
  expect(r.status(), await r.text()).toBe(201);
  const imageId = p.imageIds[1]!;
  await openEditor(page, p.projectId, imageId);
  await expectSaved(page);
  const before = (await shapes(page)).length;
  // Chosen with its key, with the box tool already on: said at once, not only at the next press.
  await page.keyboard.press("b");
  await page.keyboard.press("4");
  await expect(page.getByTestId("editor-message")).toHaveText(/Label 'road' does not allow boxes/);
  await drag(page, [60, 300], [160, 400]);
  await expect(page.getByTestId("editor-message")).toHaveText(/Label 'road' does not allow boxes/);
  expect(await shapes(page)).toHaveLength(before);
  // Chosen in the palette, then the box tool: said when the tool is picked.
  await page.keyboard.press("v");
  await page.keyboard.press("1");
  await page.getByTestId("label-road").click();
  await page.keyboard.press("b");
  await expect(page.getByTestId("editor-message")).toHaveText(/Label 'road' does not allow boxes/);
  // Twice in a row: said again, not hidden by the first message's timer.
  await drag(page, [60, 300], [160, 400]);
  await drag(page, [60, 300], [160, 400]);
  await expect(page.getByTestId("editor-message")).toHaveText(/Label 'road' does not allow boxes/);
  expect(await shapes(page)).toHaveLength(before);
  await pageShot(page, "editor-box-on-polygon-label");
});

test("the address of an image that does not exist says so, with a way back to the library", async ({
  page,
}) => {
  await signIn(page.request, E2E_ADMIN);
  await page.goto(`/projects/${p.projectId}/images/987654`);
  const alert = page.getByRole("alert").filter({ hasText: "Image 987654 does not exist" });
  await expect(alert).toBeVisible();
  await expect(page.getByText("This project has no labels yet")).toHaveCount(0);
  await expect(page.getByText("Loading…")).toHaveCount(0);
  await expect(page.getByText("Loading image…")).toHaveCount(0);
  await pageShot(page, "editor-missing-image");
  await alert.getByRole("link", { name: "Back to the library" }).click();
  await expect(page).toHaveURL(new RegExp(`/projects/${p.projectId}/images$`));
});

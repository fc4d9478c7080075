import { API_BASE, ImageWork } from "@labelbench/schema";
import { type Browser, type BrowserContext, expect, type Page, test } from "@playwright/test";
import { seedProject } from "../helpers/editor-fixtures";
import { editorState, expectSaved, selection, waitForImage } from "../helpers/editor-page";
import { shot } from "../helpers/screens";

/**
 * Review mode in the editor (issue 15): an annotator submits with Ctrl+Enter; a reviewer opens the
 * image from the review queue in review mode (read-only), steps through its objects with Tab, and
 * rejects it with a reason and a comment; the annotator then sees the rejection in the editor.
 */

const API = API_BASE;
const PASSWORD = "e2e-review-password-1";
const stamp = Date.now();
const ANNOTATOR = { name: "Ada Annot", email: `ada-${stamp}@labelbench.test` };
const REVIEWER = { name: "Rita Review", email: `rita-${stamp}@labelbench.test` };
const NO_SESSION = { cookies: [], origins: [] };

/** A browser context signed in as `email` (through the API: the sign-in page is auth.spec's subject). */
const signedIn = async (browser: Browser, email: string): Promise<BrowserContext> => {
  const context = await browser.newContext({ storageState: NO_SESSION });
  const r = await context.request.post(`${API}/auth/login`, { data: { email, password: PASSWORD } });
  expect(r.ok(), await r.text()).toBe(true);
  return context;
};

const workOf = async (page: Page, imageId: number) => {
  const r = await page.request.get(`${API}/images/${imageId}/work`);
  expect(r.ok(), await r.text()).toBe(true);
  return ImageWork.parse(await r.json());
};

test("review mode: submit, step through the objects read-only, reject with a reason; the author sees it", async ({
  page,
  browser,
}) => {
  // Set-up as the admin: a project reviewing every submission, an annotator and a reviewer in it.
  const p = await seedProject(page.request, {
    name: `Review mode ${stamp}`,
    images: 2,
    width: 1600,
    height: 1200,
  });
  const settings = await page.request.patch(`${API}/projects/${p.projectId}/review-settings`, {
    data: { mode: "all" },
  });
  expect(settings.ok(), await settings.text()).toBe(true);
  const ids: Record<string, number> = {};
  for (const [who, role] of [
    [ANNOTATOR, "annotator"],
    [REVIEWER, "reviewer"],
  ] as const) {
    const u = await page.request.post(`${API}/users`, { data: { ...who, role, password: PASSWORD } });
    expect(u.status(), await u.text()).toBe(201);
    const userId = (await u.json()).id as number;
    ids[role] = userId;
    const m = await page.request.post(`${API}/projects/${p.projectId}/members`, { data: { userId } });
    expect(m.ok(), await m.text()).toBe(true);
  }
  const [first, second] = p.imageIds as [number, number];
  const car = p.labels[0]!.id;

  // The annotator draws three objects (one of them small) through the API, then submits in the editor.
  const ada = await signedIn(browser, ANNOTATOR.email);
  const adaPage = await ada.newPage();
  const put = await adaPage.request.put(`${API}/images/${first}/annotations`, {
    data: {
      baseRevision: 0,
      tags: [],
      annotations: [
        { labelId: car, geometry: { type: "box", x: 100, y: 100, width: 400, height: 300 } },
        { labelId: car, geometry: { type: "box", x: 1300, y: 900, width: 12, height: 8 } },
        { labelId: car, geometry: { type: "box", x: 700, y: 200, width: 200, height: 500 } },
      ],
    },
  });
  expect(put.ok(), await put.text()).toBe(true);
  await adaPage.goto(`/projects/${p.projectId}/images/${first}`);
  await waitForImage(adaPage, first);
  await expectSaved(adaPage);
  await adaPage.keyboard.press("Control+Enter");
  await expect.poll(async () => (await workOf(adaPage, first)).reviewState).toBe("pending");
  // Nothing assigned and no queue: the library's next image comes next.
  await waitForImage(adaPage, second);

  // The reviewer opens it in review mode: read-only, the decision bar, the review keys.
  const rita = await signedIn(browser, REVIEWER.email);
  const ritaPage = await rita.newPage();
  await ritaPage.goto(`/projects/${p.projectId}/images/${first}?mode=review`);
  await waitForImage(ritaPage, first);
  const bar = ritaPage.getByTestId("review-bar");
  await expect(bar).toBeVisible();
  await expect(ritaPage.getByTestId("review-state")).toHaveText(/Waiting for review · attempt 1/);
  await expect(ritaPage.getByTestId("review-mode")).toHaveText("Read-only");
  await expect(ritaPage.getByTestId("mark-done")).toHaveCount(0);

  // Tab steps through the objects, each selected, centred and readable (the small one ≥ 120 px).
  const stage = (await ritaPage.getByTestId("editor-stage").boundingBox())!;
  const shapeIds = await editorState(ritaPage, (s) => [...s.doc.shapes.keys()]);
  for (const [i, id] of shapeIds.entries()) {
    await ritaPage.keyboard.press("Tab");
    await expect.poll(() => selection(ritaPage)).toEqual([id]);
    const framed = await ritaPage.evaluate((sid) => {
      const s = window.__labelbench!.editor.getState();
      const g = s.doc.shapes.get(sid)!.geometry as { x: number; y: number; width: number; height: number };
      const v = s.viewport;
      return {
        cx: (g.x + g.width / 2) * v.scale + v.offsetX,
        cy: (g.y + g.height / 2) * v.scale + v.offsetY,
        w: g.width * v.scale,
        h: g.height * v.scale,
      };
    }, id);
    expect(Math.abs(framed.cx - stage.width / 2)).toBeLessThan(1);
    expect(Math.abs(framed.cy - stage.height / 2)).toBeLessThan(1);
    expect(Math.max(framed.w, framed.h)).toBeGreaterThanOrEqual(119.5);
    expect(framed.h).toBeLessThanOrEqual(stage.height);
    if (i === 1) await shot(ritaPage, "review-mode-small-object");
  }
  await ritaPage.keyboard.press("Shift+Tab");
  await expect.poll(() => selection(ritaPage)).toEqual([shapeIds[1]]);

  // Read-only: a delete is refused and says how to fix.
  await ritaPage.keyboard.press("Delete");
  await expect(ritaPage.getByText("Read-only: press E to fix")).toBeVisible();
  expect(await editorState(ritaPage, (s) => s.doc.shapes.size)).toBe(3);

  // The shortcut overlay lists the review keys.
  await ritaPage.keyboard.press("?");
  const help = ritaPage.getByTestId("shortcuts");
  await expect(help.getByText(/^Accept \(after a fix/)).toBeVisible();
  await expect(help.getByText(/^Reject: pick the reasons/)).toBeVisible();
  await expect(help.getByText(/^Fix: make the image editable/)).toBeVisible();
  await expect(help.getByText("Next object (centred, readable)")).toBeVisible();
  await shot(ritaPage, "review-mode-shortcuts");
  await ritaPage.keyboard.press("Escape");

  // X: the reason picker; a reason (key 1), a comment, Enter rejects.
  await ritaPage.keyboard.press("x");
  const dialog = ritaPage.getByTestId("reject-dialog");
  await expect(dialog).toBeVisible();
  await ritaPage.keyboard.press("Enter");
  await expect(dialog.getByRole("alert")).toHaveText(/Pick at least one reason/);
  await ritaPage.keyboard.press("1");
  await dialog.getByTestId("reject-comment").fill("The sign on the right is not labelled");
  await shot(ritaPage, "review-mode-reject");
  await ritaPage.keyboard.press("Enter");
  await expect(dialog).toBeHidden();
  await expect.poll(async () => (await workOf(ritaPage, first)).reviewState).toBe("rejected");
  // Nothing else waits in the queue: the editor says so.
  await expect(ritaPage.getByTestId("notice").filter({ hasText: "Nothing else is waiting" })).toBeVisible();
  await shot(ritaPage, "review-mode-after-reject");

  // The author sees the rejection, with the reviewer's reason and comment, in the status area.
  await adaPage.goto(`/projects/${p.projectId}/images/${first}`);
  await waitForImage(adaPage, first);
  await expect(adaPage.getByTestId("status-work")).toHaveText(
    "Rework: rejected by Rita Review (attempt 1) — Missing objects, “The sign on the right is not labelled”",
  );
  await shot(adaPage, "review-mode-author-rework");
  await ada.close();
  await rita.close();
});

test("a decision that lost to another reviewer's names them and reloads; an annotator's save on a held image names the holder", async ({
  page,
  browser,
}) => {
  const s = `${stamp}-b`;
  const p = await seedProject(page.request, { name: `Review races ${s}`, images: 2 });
  const patch = await page.request.patch(`${API}/projects/${p.projectId}/review-settings`, {
    data: { mode: "all" },
  });
  expect(patch.ok(), await patch.text()).toBe(true);
  const users: Record<string, { id: number; email: string }> = {};
  for (const [key, name, role] of [
    ["ann1", "Ann First", "annotator"],
    ["ann2", "Ann Second", "annotator"],
    ["rev", "Rex Viewer", "reviewer"],
  ] as const) {
    const email = `${key}-${s}@labelbench.test`;
    const u = await page.request.post(`${API}/users`, { data: { email, name, role, password: PASSWORD } });
    expect(u.status(), await u.text()).toBe(201);
    const id = (await u.json()).id as number;
    users[key] = { id, email };
    await page.request.post(`${API}/projects/${p.projectId}/members`, { data: { userId: id } });
  }
  const [first, second] = p.imageIds as [number, number];
  const car = p.labels[0]!.id;

  // The second image is assigned to Ann First; Ann Second's edit of it is refused, named, and kept.
  const assign = await page.request.post(`${API}/projects/${p.projectId}/assignments`, {
    data: { assigneeId: users.ann1!.id, imageIds: [second] },
  });
  expect(assign.ok(), await assign.text()).toBe(true);
  const ann2 = await signedIn(browser, users.ann2!.email);
  const ann2Page = await ann2.newPage();
  await ann2Page.goto(`/projects/${p.projectId}/images/${second}`);
  await waitForImage(ann2Page, second);
  await ann2Page.keyboard.press("b");
  const stage = (await ann2Page.getByTestId("editor-stage").boundingBox())!;
  await ann2Page.mouse.move(stage.x + 200, stage.y + 200);
  await ann2Page.mouse.down();
  await ann2Page.mouse.move(stage.x + 320, stage.y + 300, { steps: 6 });
  await ann2Page.mouse.up();
  const held = ann2Page.getByTestId("held-by");
  await expect(held).toHaveText(
    /Not saved: This image is assigned to Ann First\. Your edits are kept on this device\./,
  );
  await shot(ann2Page, "review-mode-held-by");
  expect(await editorState(ann2Page, (st) => st.doc.shapes.size)).toBe(1);
  await ann2.close();

  // Ann First submits the first image; the reviewer opens it, but the admin accepts it first.
  const ann1 = await signedIn(browser, users.ann1!.email);
  const put = await ann1.request.put(`${API}/images/${first}/annotations`, {
    data: {
      baseRevision: 0,
      tags: [],
      annotations: [{ labelId: car, geometry: { type: "box", x: 50, y: 50, width: 100, height: 80 } }],
    },
  });
  expect(put.ok(), await put.text()).toBe(true);
  const submitted = await ann1.request.post(`${API}/images/${first}/submit`, { data: { revision: 1 } });
  expect(submitted.ok(), await submitted.text()).toBe(true);
  await ann1.close();

  const rev = await signedIn(browser, users.rev!.email);
  const revPage = await rev.newPage();
  await revPage.goto(`/projects/${p.projectId}/images/${first}?mode=review`);
  await waitForImage(revPage, first);
  await expect(revPage.getByTestId("review-state")).toHaveText(/Waiting for review/);
  const admin = await page.request.post(`${API}/images/${first}/decision`, {
    data: { decision: "accepted", revision: 1 },
  });
  expect(admin.ok(), await admin.text()).toBe(true);
  await revPage.keyboard.press("y");
  const refused = revPage.getByTestId("review-refused");
  await expect(refused).toHaveText(/already accepted this image at .+\. Your decision was not recorded\./);
  await shot(revPage, "review-mode-decided-first");
  await refused.getByTestId("review-reload").click();
  await expect(refused).toBeHidden();
  await expect(revPage.getByTestId("review-state")).toHaveText(/^Accepted by .+ · attempt 1/);
  await rev.close();
});

import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { API_BASE, Issue, ReviewDiff } from "@labelbench/schema";
import { type APIRequestContext, type Browser, expect, type Page, test } from "@playwright/test";
import { E2E_ADMIN } from "../auth-state";
import { getAnnotations, putAnnotations, seedProject } from "../helpers/editor-fixtures";
import { at, click, editorState, waitForImage } from "../helpers/editor-page";
import { shot } from "../helpers/screens";
import { unzip } from "../helpers/zip";

/**
 * Issues pinned in the editor and the re-review diff (issue 15), with three accounts: a reviewer pins
 * an issue on a shape in review mode and rejects; the annotator finds it in the editor's rework
 * checklist, corrects the shape and marks it fixed; the reviewer opens the image again and sees the
 * change in the diff overlay and the issue fixed, resolves it and accepts; the export of accepted
 * images holds exactly the fixed shapes (and not the other image, annotated but never submitted).
 */
test.describe.configure({ mode: "serial" });
test.use({ storageState: { cookies: [], origins: [] } });

const API = API_BASE;
const PASSWORD = "e2e-review-password-1";
const stamp = Date.now();
const REVIEWER = { name: "Rita Viewer", email: `rita-${stamp}@labelbench.test`, role: "reviewer" };
const ANNOTATOR = { name: "Ann Otator", email: `ann-rev-${stamp}@labelbench.test`, role: "annotator" };

const signIn = async (request: APIRequestContext, who: { email: string; password: string }) => {
  const r = await request.post(`${API}/auth/login`, { data: who });
  expect(r.ok(), `sign-in of ${who.email} failed: ${r.status()} ${await r.text()}`).toBe(true);
};

const json = async <T>(res: Awaited<ReturnType<APIRequestContext["get"]>>, parse?: (v: unknown) => T) => {
  expect(res.ok(), `${res.url()} answered ${res.status()}: ${await res.text()}`).toBe(true);
  const v: unknown = await res.json();
  return parse ? parse(v) : (v as T);
};

/** A page signed in as `who`, in a context of its own (cookies are per context). */
const pageAs = async (browser: Browser, baseURL: string, who: { email: string }): Promise<Page> => {
  const context = await browser.newContext({ storageState: { cookies: [], origins: [] }, baseURL });
  await signIn(context.request, { email: who.email, password: PASSWORD });
  return context.newPage();
};

let projectId = 0;
let imageId = 0;
let otherImageId = 0;
let carLabel = 0;
let loose: { id: string; x: number; y: number; width: number; height: number };
let reviewer: Page;
let annotator: Page;

test.beforeAll(async ({ browser, request, baseURL }) => {
  await signIn(request, E2E_ADMIN);
  const p = await seedProject(request, { name: `review issues ${stamp}`, images: 2 });
  projectId = p.projectId;
  imageId = p.imageIds[0]!;
  otherImageId = p.imageIds[1]!;
  await json(await request.patch(`${API}/projects/${projectId}/review-settings`, { data: { mode: "all" } }));
  const people: Record<string, number> = {};
  for (const u of [REVIEWER, ANNOTATOR]) {
    const created = await json<{ id: number }>(
      await request.post(`${API}/users`, { data: { ...u, password: PASSWORD } }),
    );
    people[u.role] = created.id;
    await json(await request.post(`${API}/projects/${projectId}/members`, { data: { userId: created.id } }));
  }
  reviewer = await pageAs(browser, baseURL ?? "", REVIEWER);
  annotator = await pageAs(browser, baseURL ?? "", ANNOTATOR);

  // The annotator's work: two boxes, one of them loose, then submitted.
  const car = p.labels.find((l) => l.name === "car")!.id;
  carLabel = car;
  // Work on the other image that is never submitted: an export of accepted images leaves it out.
  await putAnnotations(request, otherImageId, {
    baseRevision: 0,
    annotations: [{ labelId: car, geometry: { type: "box", x: 10, y: 10, width: 50, height: 40 } }],
  });
  const set = await getAnnotations(annotator.request, imageId);
  const saved = await putAnnotations(annotator.request, imageId, {
    baseRevision: set.revision,
    annotations: [
      { labelId: car, geometry: { type: "box", x: 60, y: 70, width: 220, height: 190 } },
      { labelId: car, geometry: { type: "box", x: 380, y: 230, width: 160, height: 150 } },
    ],
  });
  const first = saved.annotations[0]!;
  loose = { id: first.id, x: 60, y: 70, width: 220, height: 190 };
  await json(
    await annotator.request.post(`${API}/images/${imageId}/submit`, { data: { revision: saved.revision } }),
  );
});

test.afterAll(async () => {
  await reviewer?.context().close();
  await annotator?.context().close();
});

const reviewUrl = () => `/projects/${projectId}/images/${imageId}?mode=review`;

test("the reviewer pins an issue on a shape with the issue tool, and it is drawn and listed", async () => {
  const page = reviewer;
  await page.goto(reviewUrl());
  await waitForImage(page, imageId);
  await page.keyboard.press("i");
  await expect.poll(() => editorState(page, (s) => s.tool.id)).toBe("issue");
  // Over the shape, the press promises to pin it (the cursor says so), and does.
  const p = await at(page, loose.x + 30, loose.y + 30);
  await page.mouse.move(p.x, p.y);
  await expect
    .poll(() => editorState(page, (s) => s.pointerTarget))
    .toEqual({ kind: "pin", shapeId: loose.id });
  await click(page, loose.x + 30, loose.y + 30);
  const form = page.getByTestId("issue-form");
  await expect(form).toBeVisible();
  await expect(form.getByRole("heading")).toHaveText("New issue on a shape");
  await form.getByLabel("Category").selectOption("loose");
  await form.getByLabel("Comment").fill("The box is far too big: it takes in the road around the car.");
  await shot(page, "review-issues-01-form");
  await page.keyboard.press("Enter");
  await expect(form).toBeHidden();

  const row = page.getByTestId("issue-row");
  await expect(row).toHaveCount(1);
  await expect(row).toHaveAttribute("data-issue-state", "open");
  await expect(row).toContainText("Box too loose");
  const listed = await json(await page.request.get(`${API}/images/${imageId}/issues`), (v) =>
    Issue.array().parse((v as { items: unknown }).items),
  );
  expect(listed.map((i) => i.anchor)).toEqual([
    {
      kind: "shape",
      annotationId: loose.id,
      box: { x: loose.x, y: loose.y, width: loose.width, height: loose.height },
    },
  ]);
  // A point issue too: a click on empty picture.
  await click(page, 600, 60);
  await form.getByLabel("Comment").fill("A second car is missing here.");
  await form.getByRole("button", { name: /Pin issue/ }).click();
  await expect(row).toHaveCount(2);
  await expect
    .poll(() => page.evaluate(() => window.__labelbench?.render.marksDraws ?? 0))
    .toBeGreaterThan(0);
  await shot(page, "review-issues-02-pinned");

  // Rejected (the decision bar is review mode's own; here through the API) with the issues open.
  const work = await json<{ revision: number }>(await page.request.get(`${API}/images/${imageId}/work`));
  await json(
    await page.request.post(`${API}/images/${imageId}/decision`, {
      data: { decision: "rejected", revision: work.revision, reasons: [] },
    }),
  );
});

test("the annotator sees the open issues as a checklist, corrects the box and ticks each fixed", async () => {
  const page = annotator;
  await page.goto(`/projects/${projectId}/images/${imageId}`);
  await waitForImage(page, imageId);
  const panel = page.getByTestId("issue-panel");
  await expect(panel).toContainText("Rework checklist");
  await expect(page.getByTestId("rework-note")).toContainText("2 open issues");
  await shot(page, "review-issues-03-checklist");

  // Picking the issue centres its shape; the annotator tightens the box (south-east handle inwards).
  await panel.getByRole("button", { name: /Box too loose/ }).click();
  await expect.poll(() => editorState(page, (s) => [...s.selection])).toEqual([loose.id]);
  const se = await at(page, loose.x + loose.width, loose.y + loose.height);
  const inwards = await at(page, loose.x + 140, loose.y + 120);
  await page.mouse.move(se.x, se.y);
  await page.mouse.down();
  await page.mouse.move(inwards.x, inwards.y, { steps: 8 });
  await page.mouse.up();
  await expect
    .poll(async () => {
      const g = (await getAnnotations(page.request, imageId)).annotations.find(
        (a) => a.id === loose.id,
      )?.geometry;
      return [Math.round(Number(g?.width)), Math.round(Number(g?.height))];
    })
    .toEqual([140, 120]);

  await panel.getByLabel("Comment").fill("Tightened to the car.");
  await panel.getByRole("button", { name: "Mark fixed" }).click();
  await expect(page.getByTestId("issue-row").first()).toHaveAttribute("data-issue-state", "fixed");
  await expect(page.getByTestId("rework-note")).toContainText("1 open issue");
  // The point issue: nothing to move, it is ticked off the checklist.
  // Ticked once the server has it fixed (the box follows the issue's state, not the click).
  const tick = panel.getByRole("checkbox", { name: "Issue 2 fixed" });
  await tick.click();
  await expect(tick).toBeChecked();
  await expect(page.getByTestId("rework-note")).toContainText("can be submitted again");
  await shot(page, "review-issues-04-fixed");
  const work = await json<{ revision: number }>(await page.request.get(`${API}/images/${imageId}/work`));
  await json(
    await page.request.post(`${API}/images/${imageId}/submit`, { data: { revision: work.revision } }),
  );
});

test("the reviewer sees what changed since the rejection, and the issues fixed", async () => {
  const page = reviewer;
  await page.goto(reviewUrl());
  await waitForImage(page, imageId);
  const diff = await json(await page.request.get(`${API}/images/${imageId}/review-diff`), (v) =>
    ReviewDiff.parse(v),
  );
  expect(diff.changed.map((c) => c.id)).toEqual([loose.id]);
  const legend = page.getByTestId("diff-legend");
  await expect(legend).toBeVisible();
  await expect(page.getByTestId("diff-changed")).toHaveText("1 changed");
  await expect(page.getByTestId("diff-added")).toHaveText("0 added");
  await expect(page.getByTestId("issue-row").first()).toHaveAttribute("data-issue-state", "fixed");
  await shot(page, "review-issues-05-diff");
  await page.keyboard.press("g");
  await expect(legend).toBeHidden();
  await page.keyboard.press("g");
  await expect(legend).toBeVisible();
  // Resolved from its thread.
  await page
    .getByTestId("issue-row")
    .first()
    .getByRole("button", { name: /Box too loose/ })
    .click();
  await page.getByRole("button", { name: "Resolve" }).click();
  await expect(page.getByTestId("issue-row").first()).toHaveAttribute("data-issue-state", "resolved");
});

test("the project's issues page opens the editor at the issue, and the status bar opens the image's history", async () => {
  const page = reviewer;
  // Open and fixed ones are listed by default; the box issue was resolved, so every state is asked for.
  await page.goto(`/projects/${projectId}/issues?state=all`);
  await expect(page.getByRole("checkbox", { name: "Resolved" })).toBeChecked();
  await page.locator(".issue-link").filter({ hasText: /loose/i }).click();
  await expect(page).toHaveURL(/[?&]issue=\d+/);
  await waitForImage(page, imageId);
  // The shape issue is selected in the panel, and its shape selected on the canvas.
  await expect.poll(() => editorState(page, (s) => [...s.selection])).toEqual([loose.id]);
  await page.getByTestId("status-history").click();
  await expect(page).toHaveURL(new RegExp(`/projects/${projectId}/images/${imageId}/history$`));
  await expect(page.getByText(/Rejected|rejected/).first()).toBeVisible();
  await shot(page, "review-issues-07-history");
});

test("the reviewer accepts with Y; the export of accepted images holds exactly the fixed shapes", async ({
  browser,
  baseURL,
}) => {
  const page = reviewer;
  await page.goto(reviewUrl());
  await waitForImage(page, imageId);
  await expect(page.getByTestId("review-state")).toHaveText(/Waiting for review · attempt 2/);
  await page.keyboard.press("y");
  await expect(page.getByTestId("review-state")).toHaveText(/^Accepted by you · attempt 2/);
  const work = await json<{ reviewState: string; decision: string }>(
    await page.request.get(`${API}/images/${imageId}/work`),
  );
  expect(work).toMatchObject({ reviewState: "accepted", decision: "accepted" });

  // The manager downloads the accepted images from the Export page.
  const context = await browser.newContext({ storageState: { cookies: [], origins: [] }, baseURL });
  await signIn(context.request, E2E_ADMIN);
  const admin = await context.newPage();
  await admin.goto(`/projects/${projectId}/export`);
  await admin.getByRole("radio", { name: /^COCO/ }).check();
  await admin.getByRole("button", { name: "Accepted", exact: true }).click();
  await expect(admin.locator(".export-curl")).toContainText("review=accepted");
  const downloading = admin.waitForEvent("download");
  await admin.getByRole("button", { name: "Download zip" }).click();
  const file = path.join(os.tmpdir(), `lb-e2e-accepted-${stamp}.zip`);
  await (await downloading).saveAs(file);
  await shot(admin, "review-issues-06-export-accepted");
  const files = await unzip(file);
  fs.rmSync(file, { force: true });
  const cocoName = [...files.keys()].find((n) => n.endsWith(".json") && n.includes("annotations"));
  expect(cocoName, [...files.keys()].join(", ")).toBeDefined();
  const coco = JSON.parse(files.get(cocoName!)!.toString("utf8")) as {
    images: { id: number; file_name: string }[];
    annotations: { image_id: number; bbox: number[]; category_id: number }[];
    categories: { id: number; name: string }[];
  };
  expect(coco.images.map((i) => i.file_name)).toEqual(["street-01.png"]);
  const car = coco.categories.find((c) => c.name === "car")?.id;
  expect(carLabel).toBeGreaterThan(0);
  expect(
    coco.annotations
      .map((a) => ({ category: a.category_id, bbox: a.bbox }))
      .sort((a, b) => a.bbox[0]! - b.bbox[0]!),
  ).toEqual([
    { category: car, bbox: [loose.x, loose.y, 140, 120] },
    { category: car, bbox: [380, 230, 160, 150] },
  ]);
  const manifest = JSON.parse(files.get("manifest.json")!.toString("utf8")) as {
    options: { review: string };
  };
  expect(manifest.options.review).toBe("accepted");
  await context.close();
});

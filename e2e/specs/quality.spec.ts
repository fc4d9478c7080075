import { readFileSync } from "node:fs";
import { API_BASE, QualityReport } from "@labelbench/schema";
import { type Browser, type BrowserContext, expect, type Page, test } from "@playwright/test";
import { putAnnotations, seedProject } from "../helpers/editor-fixtures";
import { drag, editorState, expectSaved, waitForImage } from "../helpers/editor-page";
import { openProjectPage, projectNavNames } from "../helpers/nav";
import { shot } from "../helpers/screens";

/**
 * Quality control, part 2 (issue 16), end to end: a manager marks two images as honeypots and
 * checks their reference shapes; an annotator gets them blind from the work queue (warm-up: the
 * first two queue images are gold) and labels them in the editor with known mistakes; the QC
 * dashboard shows exactly those numbers, a count opens the image behind it, and the comparison
 * view draws the missing and the extra shape where they are (read back from the canvas' pixels).
 */

const API = API_BASE;
const PASSWORD = "e2e-quality-password-1";
const stamp = Date.now();
const ANNOTATOR = { name: "Gil Gold", email: `gil-${stamp}@labelbench.test` };
const NO_SESSION = { cookies: [], origins: [] };

type Box = [x: number, y: number, w: number, h: number];
const box = (labelId: number, [x, y, width, height]: Box) => ({
  labelId,
  geometry: { type: "box" as const, x, y, width, height },
});

/** Gold image 1: two cars and a person. Gold image 2: a car and a person. */
const G1 = {
  carA: [100, 100, 200, 150] as Box,
  carB: [450, 100, 150, 150] as Box,
  person: [100, 330, 120, 200] as Box,
};
const G2 = { car: [150, 150, 250, 200] as Box, person: [500, 200, 150, 250] as Box };
/** What the annotator draws on G1 that is in no reference: an extra car. */
const EXTRA_CAR: Box = [560, 380, 140, 140];
/** G2's person loosened to 190 × 290 around the reference's 150 × 250: IoU 37,500 / 55,100 = 0.68. */
const LOOSE_PERSON: Box = [480, 180, 190, 290];

const signedIn = async (browser: Browser, email: string): Promise<BrowserContext> => {
  const context = await browser.newContext({ storageState: NO_SESSION });
  const r = await context.request.post(`${API}/auth/login`, { data: { email, password: PASSWORD } });
  expect(r.ok(), await r.text()).toBe(true);
  return context;
};

/** Draws a box with the box tool, the label chosen by its key with nothing selected (a key relabels a selection). */
const drawBox = async (page: Page, key: string, [x, y, w, h]: Box) => {
  const before = await editorState(page, (s) => s.doc.shapes.size);
  await page.keyboard.press("Escape");
  await page.keyboard.press(key);
  await page.keyboard.press("b");
  await drag(page, [x, y], [x + w, y + h]);
  await expect.poll(() => editorState(page, (s) => s.doc.shapes.size)).toBe(before + 1);
};

/** The colour drawn at page point (x, y) of the comparison canvas, as [r, g, b]. */
const pixelsAlong = async (page: Page, points: { x: number; y: number }[]) =>
  page.getByTestId("comparison-stage").evaluate((stage, pts) => {
    const canvas = stage.querySelector("canvas") as HTMLCanvasElement;
    const ctx = canvas.getContext("2d") as CanvasRenderingContext2D;
    const r = canvas.getBoundingClientRect();
    const k = canvas.width / r.width;
    return pts.map((p) => [
      ...ctx.getImageData(Math.round(p.x * k), Math.round(p.y * k), 1, 1).data.slice(0, 3),
    ]);
  }, points);

const hex = (h: string) => [1, 3, 5].map((i) => Number.parseInt(h.slice(i, i + 2), 16));
const near = (a: number[], b: number[], tol = 40) => a.every((v, i) => Math.abs(v - (b[i] ?? 0)) <= tol);

/**
 * Whether a box's top edge is stroked in `colour` on the comparison canvas: samples a run of
 * pixels along the edge (a dashed line leaves gaps) on the two rows the 2 px line covers.
 */
const edgeDrawnIn = async (page: Page, [x, y, w]: Box, colour: string) => {
  const stage = page.getByTestId("comparison-stage");
  const scale = Number(await stage.getAttribute("data-scale"));
  const ox = Number(await stage.getAttribute("data-offset-x"));
  const oy = Number(await stage.getAttribute("data-offset-y"));
  const sy = y * scale + oy;
  const points = [];
  for (let i = 0; i < 24; i++) {
    const sx = (x + (w * (i + 4)) / 32) * scale + ox;
    points.push({ x: sx, y: sy - 0.5 }, { x: sx, y: sy + 0.5 });
  }
  const px = await pixelsAlong(page, points);
  return px.some((p) => near(p, hex(colour)));
};

test("honeypots: marked gold, labelled blind from the queue with known mistakes, counted on the dashboard, drawn in the comparison", async ({
  page,
  browser,
}) => {
  test.setTimeout(180_000);
  // Set-up as the admin: a project with a work queue, two warm-up honeypots, an annotator.
  const p = await seedProject(page.request, { name: `Quality ${stamp}`, images: 4, width: 800, height: 600 });
  const [car, person] = [p.labels[0]!.id, p.labels[1]!.id];
  const [g1, g2] = p.imageIds as [number, number];
  const review = await page.request.patch(`${API}/projects/${p.projectId}/review-settings`, {
    data: { queue: true },
  });
  expect(review.ok(), await review.text()).toBe(true);
  const quality = await page.request.put(`${API}/projects/${p.projectId}/quality/settings`, {
    data: { warmupImages: 2, honeypotPercent: 0 },
  });
  expect(quality.ok(), await quality.text()).toBe(true);
  const u = await page.request.post(`${API}/users`, {
    data: { ...ANNOTATOR, role: "annotator", password: PASSWORD },
  });
  expect(u.status(), await u.text()).toBe(201);
  const gilId = (await u.json()).id as number;
  const m = await page.request.post(`${API}/projects/${p.projectId}/members`, { data: { userId: gilId } });
  expect(m.ok(), await m.text()).toBe(true);

  // The reference shapes, then the manager marks both images as honeypots in the library.
  await putAnnotations(page.request, g1, {
    baseRevision: 0,
    annotations: [box(car, G1.carA), box(car, G1.carB), box(person, G1.person)],
  });
  await putAnnotations(page.request, g2, {
    baseRevision: 0,
    annotations: [box(car, G2.car), box(person, G2.person)],
  });
  await page.goto(`/projects/${p.projectId}/images`);
  for (const id of [g1, g2]) {
    const tile = page.locator(`.tile[data-image-id="${id}"]`);
    await tile.hover();
    await tile.getByTestId("tile-select").click();
  }
  await page.getByRole("combobox", { name: "Gold" }).selectOption("honeypot");
  await expect(page.getByText("2 images marked honeypot.")).toBeVisible();
  await shot(page, "quality-00-library-gold");

  // Before anything is measured the dashboard says what to do.
  await page.goto(`/projects/${p.projectId}/quality`);
  await expect(page.getByRole("heading", { name: "Nothing measured yet" })).toBeVisible();
  await shot(page, "quality-00-nothing-measured");

  // The annotator starts from My work; the queue hands out the two honeypots first, blind.
  const gil = await signedIn(browser, ANNOTATOR.email);
  const gilPage = await gil.newPage();
  await gilPage.goto(`/projects/${p.projectId}/work`);
  await gilPage.getByRole("button", { name: /Start annotating/ }).click();
  const done = new Set<number>();
  for (let k = 0; k < 2; k++) {
    await gilPage.waitForFunction(
      (seen) => {
        const id = window.__labelbench?.editor.getState().image?.id;
        return id !== undefined && !seen.includes(id) && window.__labelbench?.saveState.imageId === id;
      },
      [...done],
    );
    const imageId = (await editorState(gilPage, (s) => s.image?.id)) as number;
    expect([g1, g2]).toContain(imageId);
    done.add(imageId);
    await waitForImage(gilPage, imageId);
    // Blind: none of the reference's shapes is there.
    expect(await editorState(gilPage, (s) => s.doc.shapes.size)).toBe(0);
    if (imageId === g1) {
      await drawBox(gilPage, "1", G1.carA); // matched
      await drawBox(gilPage, "2", G1.person); // matched
      await drawBox(gilPage, "1", EXTRA_CAR); // extra; car B is not drawn: missing
    } else {
      await drawBox(gilPage, "2", G2.car); // the car drawn as a person: wrong label
      await drawBox(gilPage, "2", LOOSE_PERSON); // matched, low overlap
    }
    await expectSaved(gilPage);
    if (k === 0) await shot(gilPage, "quality-01-annotator-labels-honeypot");
    await gilPage.keyboard.press("Control+Enter");
  }
  // The reference was never touched by the annotator's work.
  const ref1 = await page.request.get(`${API}/images/${g1}/annotations`);
  expect((await ref1.json()).annotations).toHaveLength(3);

  // Known mistakes: TP 3 (car A, G1's person, the loose person), FN 1 (car B), FP 1 (the extra
  // car), M 1 (G2's car as a person), low overlap 1. Accuracy 3 / 6 = 50 %, Wilson [18.8, 81.2] %.
  await expect
    .poll(async () => {
      const r = await page.request.get(`${API}/projects/${p.projectId}/quality/report`);
      return QualityReport.parse(await r.json()).summary.counts.comparisons;
    })
    .toBe(2);
  await page.goto(`/projects/${p.projectId}/quality`);
  const row = page.getByTestId("table-annotators").locator(`tr[data-row="${gilId}"]`);
  await expect(row).toContainText(ANNOTATOR.name);
  const accuracy = row.locator("td").nth(2);
  await expect(accuracy).toContainText("50%");
  await expect(accuracy).toContainText("± 31");
  await expect(accuracy).toContainText("n 6");
  await expect(row.locator("td").nth(3)).toContainText("60%"); // precision 3 / 5
  await expect(page.getByTestId("count-tp")).toHaveText("3");
  await expect(page.getByTestId("count-fn")).toHaveText("1");
  await expect(page.getByTestId("count-fp")).toHaveText("1");
  await expect(page.getByTestId("count-mismatched")).toHaveText("1");
  await expect(page.getByTestId("count-lowOverlap")).toHaveText("1");
  await shot(page, "quality-02-dashboard");
  // The table's CSV is the API's, downloaded with the session.
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("link", { name: "CSV" }).click(),
  ]);
  const csv = readFileSync((await download.path()) as string, "utf8");
  expect(csv.split("\n")[0]).toContain("accuracy");
  expect(csv).toContain(ANNOTATOR.name);

  // The confusion matrix: car → person 1, car not drawn 1, an extra car 1.
  await page.getByRole("link", { name: "Confusion" }).click();
  const matrix = page.getByTestId("confusion-matrix");
  await expect(matrix.locator(`td[data-cell="${car}:${person}"]`)).toHaveText("1");
  await expect(matrix.locator(`td[data-cell="${car}:none"]`)).toHaveText("1");
  await expect(matrix.locator(`td[data-cell="none:${car}"]`)).toHaveText("1");
  await expect(matrix.locator(`td[data-cell="${car}:${car}"]`)).toHaveText("1");
  await expect(matrix.locator(`td[data-cell="${person}:${person}"]`)).toHaveText("2");
  await shot(page, "quality-03-confusion");
  // Tables with nothing to show say which setting fills them.
  await page.getByRole("link", { name: "Agreement" }).click();
  await expect(page.getByRole("heading", { name: "No blind overlap yet" })).toBeVisible();
  await page.getByRole("link", { name: "Reviewers" }).click();
  await expect(page.getByRole("heading", { name: "No audited reviews yet" })).toBeVisible();
  await shot(page, "quality-03b-reviewers-empty");

  // The missing count opens the one image it was counted on, and that opens the comparison.
  await page.getByRole("link", { name: "Annotators" }).click();
  await page.getByTestId("count-fn").click();
  await expect(page.getByRole("heading", { name: "Images with missing shapes" })).toBeVisible();
  const rows = page.getByTestId("quality-images").locator("tbody tr");
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toHaveAttribute("data-image-id", String(g1));
  await expect(rows.first().getByTestId("row-count")).toHaveText("1");
  await shot(page, "quality-04-images");
  await rows.first().getByRole("link").click();

  const stage = page.getByTestId("comparison-stage");
  await expect(stage).toHaveAttribute("data-picture", "ready");
  const legend = page.getByTestId("comparison-legend");
  await expect(legend.locator('[data-outcome="missing"]')).toContainText("1");
  await expect(legend.locator('[data-outcome="extra"]')).toContainText("1");
  await expect(legend.locator('[data-outcome="matched"]')).toContainText("2");
  await expect(legend.locator('[data-outcome="mismatched"]')).toContainText("0");
  const list = page.getByTestId("difference-list");
  await expect(list.getByRole("button")).toHaveText([
    /Missing car\s*450, 100/,
    /Extra car\s*5[56]\d, 3[78]\d/,
  ]);
  // What is drawn: car B's outline in the missing colour, the extra car's in the extra colour,
  // car A's in the matched colour, each where the shape is.
  await expect.poll(() => edgeDrawnIn(page, G1.carB, "#f97316")).toBe(true);
  await expect.poll(() => edgeDrawnIn(page, EXTRA_CAR, "#ef4444")).toBe(true);
  await expect.poll(() => edgeDrawnIn(page, G1.carA, "#16a34a")).toBe(true);
  expect(await edgeDrawnIn(page, G1.carB, "#ef4444")).toBe(false);
  await shot(page, "quality-05-comparison");
  // Picking the missing car brings it into view, larger.
  const before = Number(await stage.getAttribute("data-scale"));
  await list.getByRole("button", { name: /Missing car/ }).click();
  await expect
    .poll(async () => Number(await stage.getAttribute("data-scale")))
    .toBeGreaterThanOrEqual(before);
  await expect.poll(() => edgeDrawnIn(page, G1.carB, "#f97316")).toBe(true);
  await shot(page, "quality-06-comparison-focused");

  // The wrong-label count opens G2: its car drawn as a person (violet), its person loose (yellow).
  await page.goto(`/projects/${p.projectId}/quality`);
  await page.getByTestId("count-mismatched").click();
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toHaveAttribute("data-image-id", String(g2));
  await rows.first().getByRole("link").click();
  await expect(stage).toHaveAttribute("data-picture", "ready");
  await expect(legend.locator('[data-outcome="mismatched"]')).toContainText("1");
  await expect(legend.locator('[data-outcome="lowOverlap"]')).toContainText("1");
  await expect(list.getByRole("button")).toHaveText([/person, should be car/, /Loose person · IoU 0\.6\d/]);
  await expect.poll(() => edgeDrawnIn(page, G2.car, "#8b5cf6")).toBe(true);
  await expect.poll(() => edgeDrawnIn(page, LOOSE_PERSON, "#eab308")).toBe(true);
  await shot(page, "quality-06b-comparison-wrong-label");

  // The annotator's own page: My quality, their numbers only, whatever the address asks for.
  await gilPage.goto(`/projects/${p.projectId}`);
  await openProjectPage(gilPage, "My quality");
  await expect(gilPage.getByRole("heading", { name: "My quality" })).toBeVisible();
  await expect(gilPage.getByTestId("kpi-accuracy")).toContainText("50%");
  expect(await projectNavNames(gilPage)).not.toContain("Quality");
  await gilPage.goto(`/projects/${p.projectId}/quality?annotatorId=1`);
  await expect(gilPage.getByRole("heading", { name: "My quality" })).toBeVisible();
  await expect(gilPage.getByTestId("kpi-accuracy")).toContainText("50%");
  await shot(gilPage, "quality-07-my-quality");
  // Honeypots stay blind after submission too: the images behind her counts are not named.
  await gilPage.goto(`/projects/${p.projectId}/quality/images?outcome=fn`);
  await expect(gilPage.getByTestId("honeypots-hidden")).toBeVisible();
  await expect(gilPage.locator("tr[data-image-id]")).toHaveCount(0);
  await gil.close();
});

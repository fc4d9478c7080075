import type { Browser } from "@playwright/test";
import { launchBrowser, signedInContext, webDist } from "../browser.js";
import { percentile, type Row, row } from "../report.js";
import { api, startServer } from "../server.js";
import { noiseJpeg, upload } from "./server.js";

const PORT = 3471;
const LABELS = 1000;
const VIEWPORT = { width: 1440, height: 900 };
const CASE = "label-palette-1000";

/** Keystrokes typed into the palette's filter, one after another, as a user narrowing the list. */
const QUERIES = ["s", "sp", "spe", "species-0", "species-07", "species-077", "0777", "9", ""];

/**
 * A project of 1,000 labels in real Chromium: the editor opens with the palette windowed (rows in
 * the DOM), and each keystroke in its filter re-ranks the thousand names and paints the list — timed
 * from the input event to the second animation frame after it (the list painted).
 */
export const labelPalette = async (quick: boolean): Promise<Row[]> => {
  const web = webDist();
  const s = await startServer({ port: PORT, env: { LABELBENCH_WEB_DIST: web.dir } });
  let browser: Browser | null = null;
  try {
    const p = await api<{ id: number }>(s, "POST", "/projects", { name: "bench-labels" });
    const names = Array.from({ length: LABELS }, (_, i) => `species-${String(i + 1).padStart(4, "0")}`);
    const bulk = await api(s, "POST", `/projects/${p.json.id}/labels/bulk`, { names });
    if (bulk.status !== 201 && bulk.status !== 200) throw new Error(`bulk create: ${bulk.status}`);
    const up = await upload(s, p.json.id, [{ name: "forest.jpg", bytes: await noiseJpeg(800, 600, 5) }]);
    const imageId = up.results[0]?.image?.id;
    if (!imageId) throw new Error("upload gave no image");

    browser = await launchBrowser();
    const context = await signedInContext(browser, s, VIEWPORT);
    const page = await context.newPage();
    const t0 = Date.now();
    await page.goto(`${s.url}/projects/${p.json.id}/images/${imageId}`);
    await page.getByTestId("label-palette").locator("li").first().waitFor();
    const openMs = Date.now() - t0;
    const rows = await page.getByTestId("label-palette").locator("li").count();

    const times: number[] = [];
    const rounds = quick ? 3 : 10;
    for (let r = 0; r < rounds; r++) {
      for (const q of QUERIES) {
        times.push(
          await page.evaluate(async (query) => {
            const input = document.querySelector<HTMLInputElement>('input[aria-label="Find a label"]');
            if (!input) throw new Error("no palette filter");
            const setValue = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, "value")?.set;
            const start = performance.now();
            setValue?.call(input, query);
            input.dispatchEvent(new Event("input", { bubbles: true }));
            await new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)));
            return performance.now() - start;
          }, q),
        );
      }
    }
    const shown = await page.getByTestId("label-palette").locator("li").count();
    if (shown < 10) throw new Error(`the cleared filter shows ${shown} rows`);
    // The tag panel lists the same 1,000 labels (scope both): windowed, a screenful of rows.
    const tagRows = await page.getByTestId("tag-scroll").locator("button").count();

    // The labels page with 1,000 labels. A full load (the app's bundle parsed and started first), and
    // the page opened from the project's navigation as a user does: click to first row painted.
    const painted = () =>
      page.evaluate(() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))));
    const labelList = page.getByRole("list", { name: "Label set" }).locator("li").first();
    const labelsLoad: number[] = [];
    const labelsOpen: number[] = [];
    for (let r = 0; r < (quick ? 2 : 5); r++) {
      await page.goto("about:blank");
      let start = Date.now();
      await page.goto(`${s.url}/projects/${p.json.id}/labels`);
      await labelList.waitFor();
      await painted();
      labelsLoad.push(Date.now() - start);
      await page.getByRole("link", { name: "Overview" }).click();
      await page.getByRole("heading", { level: 1 }).first().waitFor();
      await painted();
      // Labels sits in the header's "Project" menu; the figure starts at the link's click.
      const nav = page.getByRole("navigation", { name: "Project" });
      await nav.getByRole("button", { name: "Project" }).click();
      const labelsLink = nav.getByRole("link", { name: "Labels", exact: true });
      await labelsLink.waitFor();
      start = Date.now();
      await labelsLink.click();
      await labelList.waitFor();
      await painted();
      labelsOpen.push(Date.now() - start);
    }
    const listMs: number[] = [];
    for (let r = 0; r < 10; r++) {
      const t0 = performance.now();
      const res = await api(s, "GET", `/projects/${p.json.id}/labels`);
      if (res.status !== 200) throw new Error(`GET labels: ${res.status}`);
      listMs.push(performance.now() - t0);
    }
    const labelRows = await page.getByRole("list", { name: "Label set" }).locator("li").count();
    return [
      row(CASE, "palette rows in the DOM (1,000 labels)", rows, "rows", { max: 80 }),
      row(CASE, "editor open to palette listed", openMs, "ms"),
      row(
        CASE,
        `filter keystroke to painted list p50 (${times.length} keystrokes)`,
        percentile(times, 50),
        "ms",
        {
          max: 50,
        },
      ),
      row(CASE, "filter keystroke to painted list p95", percentile(times, 95), "ms", { max: 100 }),
      row(CASE, "tag panel rows in the DOM (1,000 tag labels)", tagRows, "rows", { max: 60 }),
      row(
        CASE,
        `labels page opened from the navigation to first row painted p50 (${labelsOpen.length})`,
        percentile(labelsOpen, 50),
        "ms",
        {
          max: 500,
        },
      ),
      row(CASE, "labels page rows in the DOM", labelRows, "rows", { max: 120 }),
      row(
        CASE,
        `labels page full load to first row painted p50 (${labelsLoad.length})`,
        percentile(labelsLoad, 50),
        "ms",
      ),
      row(CASE, "GET labels (1,000) p50", percentile(listMs, 50), "ms"),
    ];
  } finally {
    await browser?.close();
    await s.stop();
    web.cleanup();
  }
};

export const labelPaletteCases = (quick: boolean) => [{ name: CASE, run: () => labelPalette(quick) }];

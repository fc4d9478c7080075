import { mkdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Page } from "@playwright/test";

/** Screenshots for people to look at (e2e/screenshots/, git-ignored); never compared pixel by pixel. */
export const SCREENSHOT_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../screenshots");

export const shot = async (page: Page, name: string, opts: { fullPage?: boolean } = {}) => {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  // Let thumbnails and transitions settle so the picture shows what a user would see.
  await page.waitForLoadState("networkidle").catch(() => undefined);
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`), fullPage: opts.fullPage ?? false });
};

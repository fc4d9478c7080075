import fs from "node:fs";
import { chromium } from "@playwright/test";

/**
 * Finds a Chromium to drive: $CHROMIUM_PATH, then Debian's /usr/bin/chromium, then Playwright's own
 * download if this machine has one. Never downloads anything.
 */
export const findChromium = (): string => {
  const candidates = [process.env.CHROMIUM_PATH, "/usr/bin/chromium", "/usr/bin/chromium-browser"];
  for (const c of candidates) if (c && fs.existsSync(c)) return c;
  try {
    const own = chromium.executablePath();
    if (own && fs.existsSync(own)) return own;
  } catch {
    // Playwright has no browser of its own here.
  }
  throw new Error(
    [
      "No Chromium found for the end-to-end tests.",
      "Install one: `sudo apt-get install -y chromium` (Debian/Ubuntu), or set CHROMIUM_PATH to a Chromium/Chrome binary,",
      "or let Playwright download its own with `npx playwright install chromium`.",
    ].join("\n"),
  );
};

export const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-quic",
  "--no-first-run",
];

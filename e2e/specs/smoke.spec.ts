import { expect, test } from "@playwright/test";

test("the app shell and the API answer from one origin", async ({ page, request }) => {
  // The Content-Security-Policy must let the built app run: Chromium reports anything it blocks.
  const blocked: string[] = [];
  page.on("console", (m) => {
    if (/Content Security Policy/i.test(m.text())) blocked.push(m.text());
  });
  const health = await request.get("/api/v1/health");
  expect(await health.json()).toMatchObject({ ok: true });
  const shell = await page.goto("/");
  expect(shell?.headers()["content-security-policy"]).toContain("frame-ancestors 'none'");
  await expect(page.getByRole("link", { name: "Labelbench: all projects" })).toBeVisible();
  await expect(page.getByRole("heading", { name: "Projects", level: 1 })).toBeVisible();
  expect(blocked).toEqual([]);
});

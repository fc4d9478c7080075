import { expect, test } from "@playwright/test";

test("the app shell and the API answer from one origin", async ({ page, request }) => {
  const health = await request.get("/api/v1/health");
  expect(await health.json()).toMatchObject({ ok: true });
  await page.goto("/");
  await expect(page.getByRole("link", { name: "Labelbench: all projects" })).toBeVisible();
  await expect(page.getByRole("heading", { name: "Projects", level: 1 })).toBeVisible();
});

import { type Browser, expect, type Page } from "@playwright/test";

/** A fresh browser context signed in through the login form as another account (not the suite's admin). */
export const signedInAs = async (browser: Browser, email: string, password: string): Promise<Page> => {
  const ctx = await browser.newContext({ storageState: { cookies: [], origins: [] } });
  const page = await ctx.newPage();
  await page.goto("/login");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("heading", { name: "Projects" })).toBeVisible();
  return page;
};

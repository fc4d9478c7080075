import { expect, type Locator, type Page } from "@playwright/test";

/**
 * The project navigation in the header: the daily pages are links in the bar, the others sit in
 * menus ("ML", "Project") behind disclosure buttons (apps/web/src/app/Header.tsx). Specs reach a
 * page through here, so where a page lives in the header is written once.
 */
export const projectNav = (page: Page): Locator => page.getByRole("navigation", { name: "Project" });

/** The menu buttons of the project navigation (their accessible name is the group's). */
const menuButtons = (page: Page): Locator => projectNav(page).locator("button[aria-expanded]");

/**
 * Opens the project page `name` from the header, through its menu where it sits in one. Retried
 * until the header shows it: the navigation fills in as the project and the session arrive.
 */
export const openProjectPage = async (page: Page, name: string): Promise<void> => {
  const link = projectNav(page).getByRole("link", { name, exact: true });
  await expect(async () => {
    if (!(await link.isVisible())) {
      for (const button of await menuButtons(page).all()) {
        if ((await button.getAttribute("aria-expanded")) !== "true") await button.click();
        if (await link.isVisible()) break;
        await button.click();
      }
    }
    expect(await link.isVisible(), `"${name}" in the project navigation, in the bar or in a menu`).toBe(true);
  }).toPass({ timeout: 10_000 });
  await link.click();
};

/**
 * Every page name the project navigation offers the signed-in role, menus opened one by one:
 * the bar's links and the menus' items, in order, each menu closed again afterwards.
 */
export const projectNavNames = async (page: Page): Promise<string[]> => {
  const nav = projectNav(page);
  await expect(nav).toBeVisible();
  const names: string[] = [];
  // In the order the bar shows them: a link, or a menu's button followed by its items.
  for (const entry of await nav.locator(":scope > a, :scope > div > button[aria-expanded]").all()) {
    if ((await entry.getAttribute("aria-expanded")) === null) {
      names.push((await entry.innerText()).trim());
      continue;
    }
    await entry.click();
    const list = page.locator(`[id="${await entry.getAttribute("aria-controls")}"]`);
    names.push(...(await list.getByRole("link").allInnerTexts()).map((t) => t.trim()));
    await entry.click();
    await expect(entry).toHaveAttribute("aria-expanded", "false");
  }
  return names;
};

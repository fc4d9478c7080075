import { type APIRequestContext, expect, type Page, test } from "@playwright/test";
import { createProject } from "../helpers/api";
import { openProjectPage, projectNav, projectNavNames } from "../helpers/nav";
import { shot } from "../helpers/screens";
import { signedInAs } from "../helpers/sign-in";

/**
 * The project navigation for every role at the widths the app promises (1,024 px up): nothing in
 * the header runs off the screen, the menus open, are driven from the keyboard and mark the page
 * shown, and each role is offered exactly its pages.
 */

const PASSWORD = "e2e-nav-password-1";
const stamp = Date.now();
const ROLES = ["manager", "reviewer", "annotator"] as const;
type Role = (typeof ROLES)[number] | "admin";

const createMember = async (request: APIRequestContext, projectId: number, role: (typeof ROLES)[number]) => {
  const email = `nav-${role}-${stamp}@labelbench.test`;
  const user = await request.post("/api/v1/users", {
    data: { name: `Nav ${role}`, email, role, password: PASSWORD },
  });
  expect(user.ok(), await user.text()).toBe(true);
  const member = await request.post(`/api/v1/projects/${projectId}/members`, {
    data: { userId: (await user.json()).id },
  });
  expect(member.ok(), await member.text()).toBe(true);
  return email;
};

/** Every control of the header lies wholly inside the viewport: not clipped, not off the right edge. */
const expectHeaderInside = async (page: Page, width: number) => {
  const controls = page.locator(".header__bar").locator("a, button");
  const count = await controls.count();
  expect(count).toBeGreaterThan(3);
  for (let i = 0; i < count; i++) {
    const control = controls.nth(i);
    if (!(await control.isVisible())) continue;
    const box = await control.boundingBox();
    const name = (await control.innerText()).trim() || (await control.getAttribute("aria-label"));
    expect(box, `${name} has a box`).not.toBeNull();
    if (!box) continue;
    expect(box.x, `${name} starts on screen at ${width} px`).toBeGreaterThanOrEqual(0);
    expect(box.x + box.width, `${name} ends on screen at ${width} px`).toBeLessThanOrEqual(width);
    // A link squeezed below its text's width is clipped even when its box is on screen.
    const clipped = await control.evaluate((el) => el.scrollWidth > el.clientWidth + 1);
    expect(clipped, `${name} is not squeezed at ${width} px`).toBe(false);
  }
};

test.describe("the project navigation", () => {
  let projectId = 0;
  const emails = {} as Record<(typeof ROLES)[number], string>;

  test.beforeAll(async ({ request }) => {
    projectId = (await createProject(request, `A rather long project name for the header ${stamp}`)).id;
    for (const role of ROLES) emails[role] = await createMember(request, projectId, role);
  });

  const pageAs = async (role: Role, page: Page, browser: import("@playwright/test").Browser) =>
    role === "admin" ? page : signedInAs(browser, emails[role], PASSWORD);

  /** Managers and admins see every page of a project. */
  const EVERY_PAGE = [
    "Overview",
    "Images",
    "Review",
    "Issues",
    "Quality",
    "Predictions",
    "Models",
    "Model servers",
    "Versions",
    "Labels",
    "Members",
    "People",
    "Export",
    "Settings",
  ];
  const EXPECTED: Record<Role, string[]> = {
    admin: EVERY_PAGE,
    manager: EVERY_PAGE,
    reviewer: [
      "Overview",
      "My work",
      "Images",
      "Review",
      "Issues",
      "Quality",
      "Models",
      "Versions",
      "People",
    ],
    // Export is off for annotators unless the project allows it: People is then a link of its own.
    annotator: ["Overview", "My work", "Images", "Issues", "My quality", "Versions", "People"],
  };

  for (const role of ["admin", ...ROLES] as const) {
    test(`fits 1,024, 1,280 and 1,920 px and offers the ${role} their pages`, async ({ page, browser }) => {
      const as = await pageAs(role, page, browser);
      await as.goto(`/projects/${projectId}`);
      await expect(projectNav(as)).toBeVisible();
      expect(await projectNavNames(as)).toEqual(EXPECTED[role]);
      for (const width of [1024, 1280, 1920]) {
        await as.setViewportSize({ width, height: 720 });
        await shot(as, `nav-${role}-${width}`);
        await expectHeaderInside(as, width);
      }
      // Each menu's list stays on screen at the narrowest width, opened.
      await as.setViewportSize({ width: 1024, height: 720 });
      for (const button of await projectNav(as).locator("button[aria-expanded]").all()) {
        await button.click();
        const list = as.locator(`[id="${await button.getAttribute("aria-controls")}"]`);
        for (const link of await list.getByRole("link").all()) {
          const box = await link.boundingBox();
          expect(box && box.x >= 0 && box.x + box.width <= 1024, `${await link.innerText()} on screen`).toBe(
            true,
          );
        }
        await shot(as, `nav-${role}-1024-${(await button.innerText()).trim().toLowerCase()}-open`);
        await as.keyboard.press("Escape");
      }
      if (as !== page) await as.context().close();
    });
  }

  test("menus are driven from the keyboard and mark the page shown", async ({ page }) => {
    await page.setViewportSize({ width: 1280, height: 720 });
    await page.goto(`/projects/${projectId}`);
    const ml = projectNav(page).getByRole("button", { name: "ML" });
    await expect(ml).toHaveAttribute("aria-expanded", "false");
    await ml.focus();
    await page.keyboard.press("ArrowDown");
    await expect(ml).toHaveAttribute("aria-expanded", "true");
    await expect(projectNav(page).getByRole("link", { name: "Predictions" })).toBeFocused();
    await page.keyboard.press("ArrowDown");
    await page.keyboard.press("ArrowDown");
    await expect(projectNav(page).getByRole("link", { name: "Model servers" })).toBeFocused();
    await page.keyboard.press("Escape");
    await expect(ml).toHaveAttribute("aria-expanded", "false");
    await expect(ml).toBeFocused();
    await page.keyboard.press("ArrowUp");
    await expect(projectNav(page).getByRole("link", { name: "Versions" })).toBeFocused();
    await page.keyboard.press("Enter");
    await expect(page).toHaveURL(`/projects/${projectId}/versions`);
    await expect(ml).toHaveAttribute("aria-expanded", "false");
    // The closed group says the page shown is one of its own.
    await expect(ml).toHaveAttribute("aria-current", "page");
    await expect(projectNav(page).getByRole("button", { name: "Project" })).not.toHaveAttribute(
      "aria-current",
    );
    await shot(page, "nav-current-in-menu");

    await openProjectPage(page, "Members");
    await expect(page).toHaveURL(`/projects/${projectId}/members`);
    await expect(projectNav(page).getByRole("button", { name: "Project" })).toHaveAttribute(
      "aria-current",
      "page",
    );
    await expect(ml).not.toHaveAttribute("aria-current");
    // A click elsewhere closes an open menu.
    await ml.click();
    await expect(ml).toHaveAttribute("aria-expanded", "true");
    await page.locator("main").click({ position: { x: 5, y: 5 } });
    await expect(ml).toHaveAttribute("aria-expanded", "false");
  });
});

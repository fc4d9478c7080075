import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Project } from "@labelbench/schema";
import { type Browser, type BrowserContext, expect, type Page, request, test } from "@playwright/test";
import { createProject, listLabels } from "../helpers/api";
import { openProjectPage, projectNavNames } from "../helpers/nav";
import { shot } from "../helpers/screens";

/**
 * Accounts end to end: the one-time setup page on a brand-new server, the admin creating users and
 * memberships, what an annotator and a manager each see, and an API token used from a script.
 */

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const NO_SESSION = { cookies: [], origins: [] };
const PASSWORD = "e2e-user-password-1";
const stamp = Date.now();
const ANNOTATOR = { name: "Ann Otator", email: `ann-${stamp}@labelbench.test` };
const MANAGER = { name: "Manny Ger", email: `manny-${stamp}@labelbench.test` };

const userMenu = (page: Page) => page.getByRole("button", { name: /^Account: / });

/** A browser context with nobody signed in (the suite's shared admin session left out). */
const freshContext = (browser: Browser, baseURL?: string): Promise<BrowserContext> =>
  browser.newContext({ storageState: NO_SESSION, ...(baseURL ? { baseURL } : {}) });

const signIn = async (page: Page, email: string, password: string) => {
  await expect(page.getByRole("heading", { name: "Sign in" })).toBeVisible();
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
};

test.describe("a fresh server", () => {
  // A second server of our own, on an empty data directory and without the admin env variables:
  // exactly what someone sees after installing Labelbench and opening it for the first time. It is
  // told a reverse proxy is in front (LABELBENCH_TRUST_PROXY), so even this browser on the same
  // machine counts as remote and the setup page asks for the code the server printed in its log.
  const port = Number(process.env.E2E_PORT ?? 3311) + 1000;
  const origin = `http://localhost:${port}`;
  let server: ChildProcess | null = null;
  let dataDir = "";
  let output = "";

  test.beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "labelbench-e2e-setup-"));
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      PORT: String(port),
      LABELBENCH_DATA_DIR: dataDir,
      LOG_LEVEL: "warn",
      LABELBENCH_TRUST_PROXY: "loopback",
    };
    delete env.LABELBENCH_ADMIN_EMAIL;
    delete env.LABELBENCH_ADMIN_PASSWORD;
    const healthy = () =>
      fetch(`${origin}/api/v1/health`).then(
        (r) => r.ok,
        () => false,
      );
    if (await healthy())
      throw new Error(`port ${port} is taken by another server; the fresh server needs it`);
    // Its own process group: npx starts tsx, which starts node; stopping the group stops them all.
    server = spawn("npx", ["tsx", "apps/server/src/main.ts"], {
      cwd: REPO,
      env,
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    server.stdout?.on("data", (d) => {
      output += String(d);
    });
    server.stderr?.on("data", (d) => {
      output += String(d);
    });
    const deadline = Date.now() + 45_000;
    for (;;) {
      if (server.exitCode !== null) throw new Error(`the fresh server exited early:\n${output}`);
      if (await healthy()) break;
      if (Date.now() > deadline) throw new Error(`the fresh server did not start on ${origin}:\n${output}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  });

  test.afterAll(async () => {
    const pid = server?.pid;
    if (pid) {
      const group = -pid;
      const alive = () => {
        try {
          process.kill(group, 0);
          return true;
        } catch {
          return false;
        }
      };
      if (alive()) process.kill(group, "SIGTERM");
      const deadline = Date.now() + 10_000;
      while (alive() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      if (alive()) process.kill(group, "SIGKILL");
    }
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  test("shows the one-time setup page, creates the admin and lands signed in", async ({ browser }) => {
    const status = await fetch(`${origin}/api/v1/setup`).then((r) => r.json());
    expect(status).toEqual({ required: true, codeRequired: true });
    const setupCode = /setup code ([0-9A-Z]{4}(?:-[0-9A-Z]{4}){3})/.exec(output)?.[1];
    expect(setupCode, `the server log names the setup code:\n${output}`).toBeDefined();

    const ctx = await freshContext(browser, origin);
    const page = await ctx.newPage();
    await page.goto("/projects/1/images");
    await expect(page).toHaveURL(`${origin}/setup`);
    await expect(page.getByRole("heading", { name: "Welcome to Labelbench" })).toBeVisible();
    await shot(page, "auth-01-setup");

    // Mistakes are caught with the shared rules before anything is sent.
    await expect(page.getByText(/look for the line with “setup code”/)).toBeVisible();
    await page.getByLabel("Setup code").fill("0000-0000-0000-0000");
    await page.getByLabel("Your name").fill("Grace Admin");
    await page.getByLabel("Email").fill("grace@example.com");
    await page.getByLabel("Password", { exact: true }).fill("short");
    await page.getByLabel("Confirm password").fill("short");
    await page.getByRole("button", { name: "Create admin and sign in" }).click();
    await expect(page.getByText("Password must have at least 10 characters.")).toBeVisible();
    await page.getByLabel("Password", { exact: true }).fill("grace-password-1");
    await page.getByLabel("Confirm password").fill("grace-password-2");
    await page.getByRole("button", { name: "Create admin and sign in" }).click();
    await expect(page.getByText("The passwords do not match.")).toBeVisible();
    await page.getByLabel("Confirm password").fill("grace-password-1");
    // A wrong code is the server's refusal, shown under the code field.
    await page.getByRole("button", { name: "Create admin and sign in" }).click();
    await expect(page.getByText(/^The setup code is incorrect: it is in the server log/)).toBeVisible();
    await shot(page, "auth-02-setup-errors");

    await page.getByLabel("Setup code").fill(setupCode ?? "");
    await page.getByRole("button", { name: "Create admin and sign in" }).click();
    await expect(page).toHaveURL(`${origin}/`);
    await expect(page.getByRole("heading", { name: "Projects" })).toBeVisible();
    await expect(userMenu(page)).toHaveAccessibleName("Account: Grace Admin");
    expect(await fetch(`${origin}/api/v1/setup`).then((r) => r.json())).toEqual({
      required: false,
      codeRequired: false,
    });

    // Setup is over: its page now sends a signed-in admin home, and a stranger to sign in.
    await page.goto("/setup");
    await expect(page).toHaveURL(`${origin}/`);
    const stranger = await freshContext(browser, origin);
    const strangerPage = await stranger.newPage();
    await strangerPage.goto("/setup");
    await expect(strangerPage).toHaveURL(`${origin}/login`);

    // Sign-out is in the user menu and ends the session.
    await userMenu(page).click();
    await shot(page, "auth-03-user-menu");
    await page.getByRole("button", { name: "Sign out" }).click();
    await expect(page).toHaveURL(`${origin}/login`);
    await page.goto("/");
    await expect(page).toHaveURL(`${origin}/login`);

    // Repeated wrong passwords are throttled (this browser, this account), and the page says so in
    // the server's words.
    for (let i = 0; i < 5; i++) {
      await signIn(strangerPage, "grace@example.com", `wrong-password-${i}`);
      await expect(strangerPage.getByText("Email or password is incorrect.")).toBeVisible();
    }
    await signIn(strangerPage, "grace@example.com", "grace-password-1");
    await expect(
      strangerPage.getByText(/^Too many failed sign-in attempts for this account; try again in \d+ s\.$/),
    ).toBeVisible();
    await shot(strangerPage, "auth-04-login-throttled");
    await ctx.close();
    await stranger.close();
  });
});

test.describe
  .serial("roles on the suite's server", () => {
    let projectA: Project;
    let projectB: Project;

    test("an admin adds an annotator and a manager, and puts the annotator on one project only", async ({
      page,
      request: api,
    }) => {
      projectA = await createProject(api, `Harbour cranes ${stamp}`, "Annotators work here");
      projectB = await createProject(api, `Secret lab ${stamp}`, "No annotators here");

      await page.goto("/admin/users");
      await expect(page.getByRole("heading", { name: "Users" })).toBeVisible();
      for (const [who, role] of [
        [ANNOTATOR, "Annotator"],
        [MANAGER, "Manager"],
      ] as const) {
        await page.getByRole("button", { name: "Add user" }).click();
        const dialog = page.getByRole("dialog", { name: "Add a user" });
        await dialog.getByLabel("Name").fill(who.name);
        await dialog.getByLabel("Email").fill(who.email);
        await dialog.getByLabel("Role").selectOption({ label: role });
        await dialog.getByLabel("Initial password").fill(PASSWORD);
        if (role === "Manager") await shot(page, "auth-05-add-user");
        await dialog.getByRole("button", { name: "Add user" }).click();
        await expect(dialog).toBeHidden();
        await expect(page.locator(`tr[data-user="${who.email}"]`)).toBeVisible();
      }

      // The server's rules come back in its own words: the admin cannot deactivate themselves.
      const self = page.locator("tr", { has: page.locator(".you-tag") });
      await expect(self.getByRole("button", { name: "Deactivate" })).toBeDisabled();
      await shot(page, "auth-06-users-admin");

      // Membership: the annotator joins project A only.
      await page.goto(`/projects/${projectA.id}/members`);
      await expect(page.getByRole("heading", { name: "Members", level: 1 })).toBeVisible();
      await page
        .getByLabel("Add a member")
        .selectOption({ label: `${ANNOTATOR.name} · ${ANNOTATOR.email} · Annotator` });
      await page.getByRole("button", { name: "Add", exact: true }).click();
      await expect(page.locator(`tr[data-member="${ANNOTATOR.email}"]`)).toBeVisible();
      await expect(page.getByLabel("Annotators may export")).not.toBeChecked();
      await shot(page, "auth-07-members");

      const members = await api.get(`/api/v1/projects/${projectB.id}/members`);
      expect((await members.json()).items.map((m: { email: string }) => m.email)).not.toContain(
        ANNOTATOR.email,
      );
    });

    test("the annotator sees only their project and no label-set editor", async ({ browser }) => {
      const ctx = await freshContext(browser);
      const page = await ctx.newPage();
      // A deep link while signed out goes through the login page and comes back.
      await page.goto(`/projects/${projectA.id}/images`);
      await expect(page).toHaveURL(`/login?next=${encodeURIComponent(`/projects/${projectA.id}/images`)}`);
      await shot(page, "auth-08-login");
      await signIn(page, ANNOTATOR.email, "not-the-password");
      await expect(
        page.getByRole("alert").filter({ hasText: "Email or password is incorrect." }),
      ).toBeVisible();
      await shot(page, "auth-09-login-error");
      await signIn(page, ANNOTATOR.email, PASSWORD);
      await expect(page).toHaveURL(`/projects/${projectA.id}/images`);

      // No label set, no members, no export (off for this project), no upload.
      const offered = await projectNavNames(page);
      expect(offered).toContain("Images");
      for (const name of ["Labels", "Members", "Export"]) expect(offered).not.toContain(name);
      await expect(page.getByRole("button", { name: /Upload/ })).toHaveCount(0);
      await shot(page, "auth-10-annotator-images");

      // Only project A in the list, without rename/delete or a label-set link.
      await page.goto("/");
      const cards = page.getByRole("list", { name: "Projects" }).getByRole("listitem");
      await expect(cards).toHaveCount(1);
      await expect(cards.first()).toContainText(projectA.name);
      await expect(page.getByRole("button", { name: "New project" })).toHaveCount(0);
      await expect(page.getByRole("button", { name: `Delete ${projectA.name}` })).toHaveCount(0);
      await expect(cards.first().getByRole("link", { name: "Labels" })).toHaveCount(0);
      await shot(page, "auth-11-annotator-projects");

      // Typed-in addresses: the label editor says it is not for this role; project B does not exist for them.
      await page.goto(`/projects/${projectA.id}/labels`);
      await expect(page.getByRole("heading", { name: "Not available to your role" })).toBeVisible();
      await expect(page.getByPlaceholder("Add a label, e.g. pedestrian")).toHaveCount(0);
      await page.goto(`/projects/${projectB.id}`);
      await expect(page.getByRole("heading", { name: "This project does not exist" })).toBeVisible();
      await page.goto("/admin/users");
      await expect(page.getByRole("heading", { name: "Admins only" })).toBeVisible();
      await ctx.close();
    });

    test("the manager opens the label-set editor and adds a label", async ({ browser, request: api }) => {
      const ctx = await freshContext(browser);
      const page = await ctx.newPage();
      await page.goto("/");
      await expect(page).toHaveURL("/login");
      await signIn(page, MANAGER.email, PASSWORD);
      await expect(page.getByRole("heading", { name: "Projects" })).toBeVisible();
      await expect(userMenu(page)).toHaveAccessibleName(`Account: ${MANAGER.name}`);
      // Managers reach every project, member or not.
      await page.getByRole("link", { name: projectB.name, exact: true }).click();
      await openProjectPage(page, "Labels");
      await expect(page).toHaveURL(`/projects/${projectB.id}/labels`);
      await page.getByPlaceholder("Add a label, e.g. pedestrian").fill("forklift");
      await page.getByRole("button", { name: "Add label" }).click();
      await expect(page.getByLabel("Name of forklift")).toBeVisible();
      await shot(page, "auth-12-manager-labels");
      expect((await listLabels(api, projectB.id)).map((l) => l.name)).toEqual(["forklift"]);

      // No users admin for managers.
      await userMenu(page).click();
      await expect(page.getByRole("link", { name: "API tokens" })).toBeVisible();
      await expect(page.getByRole("link", { name: "Users" })).toHaveCount(0);
      await ctx.close();
    });

    test("the annotator changes their own password; the old one stops working", async ({ browser }) => {
      const ctx = await freshContext(browser);
      const page = await ctx.newPage();
      await page.goto("/");
      await signIn(page, ANNOTATOR.email, PASSWORD);
      await expect(page.getByRole("heading", { name: "Projects" })).toBeVisible();
      await userMenu(page).click();
      await page.getByRole("link", { name: "Password" }).click();
      await expect(page.getByRole("heading", { name: "Password", level: 1 })).toBeVisible();

      // A wrong current password is named under its own field; nothing changes.
      await page.getByLabel("Current password").fill("not-my-password");
      await page.getByLabel("New password", { exact: true }).fill("annotator-new-pass-2");
      await page.getByLabel("Confirm new password").fill("annotator-new-pass-2");
      await page.getByRole("button", { name: "Change password" }).click();
      await expect(page.getByText("The current password is incorrect.")).toBeVisible();
      await shot(page, "auth-12b-password-wrong");

      await page.getByLabel("Current password").fill(PASSWORD);
      await page.getByRole("button", { name: "Change password" }).click();
      await expect(page.getByText("Password changed")).toBeVisible();
      await expect(page.getByLabel("Current password")).toHaveValue("");
      await ctx.close();

      // A new browser: the old password is refused, the new one signs in.
      const other = await freshContext(browser);
      const again = await other.newPage();
      await again.goto("/login");
      await signIn(again, ANNOTATOR.email, PASSWORD);
      await expect(
        again.getByRole("alert").filter({ hasText: "Email or password is incorrect." }),
      ).toBeVisible();
      await signIn(again, ANNOTATOR.email, "annotator-new-pass-2");
      await expect(again.getByRole("heading", { name: "Projects" })).toBeVisible();
      await other.close();
    });

    test("an API token made in settings works from a script until it is revoked", async ({
      page,
      baseURL,
    }) => {
      await page.goto("/");
      await userMenu(page).click();
      await page.getByRole("link", { name: "API tokens" }).click();
      await expect(page).toHaveURL("/settings/tokens");
      await expect(page.getByRole("heading", { name: "API tokens" })).toBeVisible();
      await shot(page, "auth-13-tokens-empty");

      await page.getByLabel("Name").fill(`training server ${stamp}`);
      await page.getByLabel("Expires after (days)").fill("30");
      await page.getByLabel("Scope").selectOption("read");
      await page.getByRole("button", { name: "Create token" }).click();
      const secret = (await page.getByTestId("new-token").textContent()) ?? "";
      expect(secret).toMatch(/^lbt_/);
      const origin = new URL(baseURL ?? "").origin;
      await expect(page.locator(".code-block").first()).toContainText(
        `curl --fail -H "Authorization: Bearer $TOKEN" -o dataset.zip "${origin}/api/v1/projects/`,
      );
      const shownCommand = (await page.locator(".code-block code").first().textContent()) ?? "";
      await shot(page, "auth-14-token-created", { fullPage: true });

      // The script: no cookie, only the token.
      const script = await request.newContext({
        baseURL: origin,
        storageState: NO_SESSION,
        extraHTTPHeaders: { Authorization: `Bearer ${secret}` },
      });
      const listed = await script.get("/api/v1/projects");
      expect(listed.status()).toBe(200);
      const names = Project.array()
        .parse((await listed.json()).items)
        .map((p) => p.name);
      expect(names).toContain(projectA.name);

      // Shown once: after a reload only the prefix is left, with when it was last used.
      await page.reload();
      await expect(page.getByTestId("new-token")).toHaveCount(0);
      const row = page.locator(`tr[data-token="training server ${stamp}"]`);
      await expect(row).toContainText(secret.slice(0, 10));
      await expect(row).not.toContainText(secret);
      await expect(row).not.toContainText("Never used");
      await shot(page, "auth-15-tokens-list");

      await row.getByRole("button", { name: "Revoke" }).click();
      await page.getByRole("dialog").getByRole("button", { name: "Revoke token" }).click();
      await expect(row).toHaveCount(0);
      expect((await script.get("/api/v1/projects")).status()).toBe(401);
      await script.dispose();

      // The command as shown, run with the revoked token: curl fails (exit 22) and writes no
      // dataset.zip, rather than saving the JSON error under that name.
      const command = shownCommand.slice(shownCommand.indexOf("curl "));
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "labelbench-curl-"));
      const exit = await new Promise<number | null>((resolve) => {
        const child = spawn("sh", ["-c", command], {
          cwd: dir,
          env: { ...process.env, TOKEN: secret },
          stdio: "ignore",
        });
        child.on("close", resolve);
      });
      expect(exit).toBe(22);
      expect(fs.existsSync(path.join(dir, "dataset.zip"))).toBe(false);
      fs.rmSync(dir, { recursive: true, force: true });
    });
  });

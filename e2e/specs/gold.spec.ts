import { expect, test } from "@playwright/test";
import { createLabels, createProject, putAnnotations, uploadFiles } from "../helpers/api";
import { imageFile } from "../helpers/images";
import { shot } from "../helpers/screens";
import { signedInAs } from "../helpers/sign-in";

/**
 * Gold images (issue 16): a manager marks honeypots in the library and sets up a qualification in
 * the project's Quality settings; the annotator sees no marker, fails the qualification on My work,
 * and the manager resets it.
 */

const stamp = Date.now();
const PASSWORD = "e2e-annotator-pass-2";
const ANNOTATOR = { name: "Gil Gold", email: `gil-${stamp}@labelbench.test` };

test("a manager marks honeypots and sets a qualification; the annotator fails it blind and a manager resets it", async ({
  page,
  request,
  browser,
}) => {
  const project = await createProject(request, `Gold ${stamp}`);
  const [label] = await createLabels(request, project.id, ["car"]);
  if (!label) throw new Error("no label");
  const files = await Promise.all(
    ["a.png", "b.png", "c.png", "d.png"].map((n, i) => imageFile(n, { seed: i + 3 })),
  );
  const uploaded = await uploadFiles(request, project.id, files);
  const ids = uploaded.map((u) => (u.status === "created" ? u.image.id : 0));
  const [a, b, c] = ids as [number, number, number, number];
  // The references: one car box on each gold image.
  for (const id of [a, b, c])
    await putAnnotations(request, id, [
      { labelId: label.id, geometry: { type: "box", x: 40, y: 40, width: 80, height: 60 } },
    ]);

  // The library: select a and b, Gold → Honeypot.
  await page.goto(`/projects/${project.id}/images`);
  await expect(page.locator(".tile[data-image-id]")).toHaveCount(4);
  for (const id of [a, b])
    await page.locator(`.tile[data-image-id="${id}"] [data-testid="tile-select"]`).click();
  await page.getByLabel("Gold").selectOption("honeypot");
  await expect(page.getByText("2 images marked honeypot.")).toBeVisible();
  await expect(page.getByTestId("tile-gold")).toHaveCount(2);
  await expect(page.locator(`.tile[data-image-id="${a}"] [data-testid="tile-gold"]`)).toHaveText(/Honeypot/);
  for (const id of [c])
    await page.locator(`.tile[data-image-id="${id}"] [data-testid="tile-select"]`).click();
  await page.getByLabel("Gold").selectOption("qualification");
  await expect(page.locator(`.tile[data-image-id="${c}"] [data-testid="tile-gold"]`)).toHaveText(
    /Qualification/,
  );
  await shot(page, "gold-01-library-markers");

  // The Quality settings: a bad share is named, a good one saved.
  await page.goto(`/projects/${project.id}/settings`);
  const quality = page.getByRole("form", { name: "Quality settings" });
  await quality.getByLabel("Honeypots (% of queue images)").fill("120");
  await quality.getByRole("button", { name: "Save" }).click();
  await expect(quality.getByText("A share from 0 to 100 (decimals allowed).")).toBeVisible();
  await shot(page, "gold-02-settings-error", { fullPage: true });
  await quality.getByLabel("Honeypots (% of queue images)").fill("10");
  await quality.getByLabel("Qualification (images)").fill("1");
  await quality.getByLabel("Pass mark (accuracy %)").fill("80");
  await quality.getByRole("button", { name: "Save" }).click();
  await expect(page.getByText("Quality settings saved")).toBeVisible();
  const saved = await (await request.get(`/api/v1/projects/${project.id}/quality/settings`)).json();
  expect(saved).toMatchObject({ honeypotPercent: 10, qualificationImages: 1, qualificationPass: 0.8 });

  // The annotator: a member, with the queue on.
  const user = await request.post("/api/v1/users", {
    data: { ...ANNOTATOR, role: "annotator", password: PASSWORD },
  });
  expect(user.ok(), await user.text()).toBe(true);
  const userId = (await user.json()).id as number;
  expect((await request.post(`/api/v1/projects/${project.id}/members`, { data: { userId } })).ok()).toBe(
    true,
  );
  expect(
    (await request.patch(`/api/v1/projects/${project.id}/review-settings`, { data: { queue: true } })).ok(),
  ).toBe(true);

  const gil = await signedInAs(browser, ANNOTATOR.email, PASSWORD);
  await gil.goto(`/projects/${project.id}/images`);
  await expect(gil.locator(".tile[data-image-id]")).toHaveCount(4);
  await expect(gil.getByTestId("tile-gold")).toHaveCount(0);
  // The reference's count is not the annotator's: the gold tiles read as untouched images.
  await expect(gil.locator(`.tile[data-image-id="${a}"] .tile__count`)).toHaveText(/^0 annotations/);
  await gil.goto(`/projects/${project.id}/work`);
  const notice = gil.getByTestId("qualification");
  await expect(notice).toContainText("Qualification first");
  await expect(notice).toContainText("0 of 1 submitted");
  await shot(gil, "gold-03-my-work-qualification");

  // Start hands out the qualification image, blind; a box far from the reference, then submit.
  await gil.getByRole("button", { name: /Start/ }).click();
  await expect(gil).toHaveURL(new RegExp(`/images/${c}`));
  const headers = { origin: new URL(gil.url()).origin };
  const copy = await (await gil.request.get(`/api/v1/images/${c}/annotations`)).json();
  expect(copy).toMatchObject({ revision: 0, annotations: [] });
  const put = await gil.request.put(`/api/v1/images/${c}/annotations`, {
    headers,
    data: {
      baseRevision: 0,
      annotations: [{ labelId: label.id, geometry: { type: "box", x: 200, y: 150, width: 60, height: 40 } }],
    },
  });
  expect(put.ok(), await put.text()).toBe(true);
  const submitted = await gil.request.post(`/api/v1/images/${c}/submit`, { headers, data: { revision: 1 } });
  expect(submitted.ok(), await submitted.text()).toBe(true);
  await gil.goto(`/projects/${project.id}/work`);
  await expect(notice).toContainText("Qualification not passed");
  await expect(notice).toContainText("0 %, under the 80 %");
  await shot(gil, "gold-04-my-work-failed");

  // The manager sees the failure in the Quality settings and resets it.
  await page.reload();
  const table = page.getByRole("table", { name: "Qualification by annotator" });
  const row = table.getByRole("row", { name: new RegExp(ANNOTATOR.name) });
  await expect(row).toContainText("failed");
  await expect(row).toContainText("0 %");
  await shot(page, "gold-05-settings-qualification", { fullPage: true });
  await row.getByRole("button", { name: "Reset" }).click();
  await expect(page.getByText(`${ANNOTATOR.name} can take the qualification again.`)).toBeVisible();
  await gil.reload();
  await expect(notice).toContainText("0 of 1 submitted");
  // The reference never moved.
  const reference = await (await request.get(`/api/v1/images/${c}/annotations`)).json();
  expect(reference.annotations).toHaveLength(1);
  expect(reference.annotations[0].geometry).toMatchObject({ x: 40, y: 40 });
});

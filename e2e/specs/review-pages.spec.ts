import { expect, test } from "@playwright/test";
import { createProject, uploadFiles } from "../helpers/api";
import { waitForImage } from "../helpers/editor-page";
import { imageFile } from "../helpers/images";
import { shot } from "../helpers/screens";
import { signedInAs } from "../helpers/sign-in";

/**
 * Distribution pages of the quality workflow (issue 15): a manager assigns a batch of 3 images of a
 * folder to an annotator from the library; the annotator's My work shows the 3, and Start opens the
 * first of them in the editor.
 */

const stamp = Date.now();
const PASSWORD = "e2e-annotator-pass-1";
const ANNOTATOR = { name: "Bea Batch", email: `bea-${stamp}@labelbench.test` };

test("a manager assigns a batch of 3 from a folder; the annotator's My work shows them and Start opens the first", async ({
  page,
  request,
  browser,
}) => {
  const project = await createProject(request, `Batches ${stamp}`);
  const files = await Promise.all([
    ...["001.png", "002.png", "003.png", "004.png"].map((n, i) => imageFile(`cam_a/${n}`, { seed: i + 1 })),
    imageFile("cam_b/001.png", { seed: 9 }),
  ]);
  const uploaded = await uploadFiles(request, project.id, files);
  expect(uploaded.every((r) => r.status === "created")).toBe(true);
  const user = await request.post("/api/v1/users", {
    data: { ...ANNOTATOR, role: "annotator", password: PASSWORD },
  });
  expect(user.ok(), await user.text()).toBe(true);
  const userId = (await user.json()).id as number;
  const member = await request.post(`/api/v1/projects/${project.id}/members`, { data: { userId } });
  expect(member.ok(), await member.text()).toBe(true);

  // The manager: Images → Assign a batch → 3 of cam_a/ to Bea.
  await page.goto(`/projects/${project.id}/images`);
  await expect(page.locator(".tile[data-image-id]")).toHaveCount(5);
  await page.getByRole("button", { name: "Assign a batch" }).click();
  const dialog = page.getByRole("dialog", { name: "Assign a batch" });
  await dialog.getByLabel("Assign to").selectOption({ label: `${ANNOTATOR.name} · Annotator` });
  await dialog.getByLabel("Images").fill("3");
  await dialog.getByLabel(/^Folder/).fill("cam_a");
  await shot(page, "review-pages-01-batch-dialog");
  await dialog.getByRole("button", { name: "Assign batch" }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByText(`3 assigned to ${ANNOTATOR.name}`)).toBeVisible();
  // The grid shows who holds each image: the first three of cam_a, in name order.
  for (const name of ["cam_a/001.png", "cam_a/002.png", "cam_a/003.png"])
    await expect(page.locator(".tile", { hasText: name }).locator(".tile__assignee")).toHaveText(
      ANNOTATOR.name,
    );
  await expect(page.locator(".tile", { hasText: "cam_a/004.png" }).locator(".tile__assignee")).toHaveCount(0);
  await shot(page, "review-pages-02-library-assigned");

  // The annotator lands on My work from the project list.
  const bea = await signedInAs(browser, ANNOTATOR.email, PASSWORD);
  await bea.getByRole("link", { name: project.name }).click();
  await expect(bea).toHaveURL(`/projects/${project.id}/work`);
  await expect(bea.getByRole("heading", { name: "My work" })).toBeVisible();
  await expect(bea.getByTestId("work-count-todo")).toHaveText("3");
  await expect(bea.locator("tr[data-image-id]")).toHaveCount(3);
  await expect(bea.locator("tr[data-image-id]").first()).toContainText("cam_a/001.png");
  await shot(bea, "review-pages-03-my-work");

  await bea.getByRole("button", { name: /Start annotating/ }).click();
  const idOf = (name: string): number => {
    const r = uploaded.find((u) => u.status === "created" && u.image.fileName === name);
    if (!r || !("image" in r)) throw new Error(`${name} was not uploaded`);
    return r.image.id;
  };
  await waitForImage(bea, idOf("cam_a/001.png"));
  await expect(bea).toHaveURL(`/projects/${project.id}/images/${idOf("cam_a/001.png")}?mode=work`);
  await expect(bea.getByTestId("status-position")).toHaveText("1 / 3");

  // From My work, D and A walk Bea's own list, not the library: after cam_a/003.png the library's
  // next is cam_a/004.png (not hers); her next is the first one she stepped over.
  for (const [i, name] of ["cam_a/002.png", "cam_a/003.png"].entries()) {
    await bea.keyboard.press("d");
    await waitForImage(bea, idOf(name));
    await expect(bea.getByTestId("status-position")).toHaveText(`${i + 2} / 3`);
  }
  await bea.keyboard.press("d");
  await waitForImage(bea, idOf("cam_a/001.png"));
  await expect(bea).toHaveURL(`/projects/${project.id}/images/${idOf("cam_a/001.png")}?mode=work`);
  await bea.keyboard.press("d");
  await waitForImage(bea, idOf("cam_a/002.png"));
  await bea.keyboard.press("a");
  await waitForImage(bea, idOf("cam_a/001.png"));
  await expect(bea.getByTestId("status-position")).toHaveText("1 / 3");
  await bea.context().close();
});

import http from "node:http";
import type { AddressInfo } from "node:net";
import { expect, test } from "@playwright/test";
import { createLabels, createProject, uploadFiles } from "../helpers/api";
import { imageFile } from "../helpers/images";
import { openProjectPage } from "../helpers/nav";
import { shot } from "../helpers/screens";

/**
 * A Label Studio ML backend in the test process: answers /health, /setup, /predict and /webhook as
 * label-studio-ml's documented examples do, downloading each task's image with the key from /setup.
 */
const fakeBackend = async () => {
  let token = "";
  const state = { fromName: "label", downloads: 0 };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      void (async () => {
        const body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString("utf8")) : null;
        const json = (status: number, v: unknown) => {
          res.writeHead(status, { "content-type": "application/json" });
          res.end(JSON.stringify(v));
        };
        if (req.url === "/health") return json(200, { status: "UP", model_class: "FakeDetector" });
        if (req.url === "/setup") {
          token = body.access_token;
          return json(200, { model_version: "fake-1.0" });
        }
        if (req.url === "/webhook") return json(201, {});
        if (req.url === "/predict") {
          const tasks = body.tasks as { id: number; data: { image: string } }[];
          for (const t of tasks) {
            const r = await fetch(t.data.image, { headers: { authorization: `Token ${token}` } });
            if (r.ok) state.downloads++;
            await r.arrayBuffer();
          }
          await new Promise((r) => setTimeout(r, 300));
          return json(200, {
            results: tasks.map(() => ({
              result: [
                {
                  from_name: state.fromName,
                  to_name: "image",
                  type: "rectanglelabels",
                  score: 0.82,
                  value: { x: 10, y: 15, width: 40, height: 30, rotation: 0, rectanglelabels: ["car"] },
                },
              ],
              score: 0.82,
              model_version: "fake-1.0",
            })),
            model_version: "fake-1.0",
          });
        }
        json(404, {});
      })();
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    state,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
};

test("a manager connects a model server, tests it, sees the first mismatch, and predicts the unannotated images", async ({
  page,
  request,
}) => {
  const backend = await fakeBackend();
  try {
    const project = await createProject(request, `Models e2e ${Date.now()}`);
    await createLabels(request, project.id, ["car", "person"]);
    await uploadFiles(
      request,
      project.id,
      await Promise.all(
        [1, 2, 3, 4].map((i) => imageFile(`frame-${i}.png`, { width: 320, height: 200, seed: i })),
      ),
    );

    await page.goto(`/projects/${project.id}`);
    await openProjectPage(page, "Model servers");
    await expect(page.getByRole("heading", { name: "Model servers" })).toBeVisible();
    await page.getByRole("button", { name: "Add a model server" }).click();
    await page.getByLabel("Name").fill("Fake detector");
    await page.getByLabel("URL").fill(backend.url);
    await page.getByLabel("Images per request").fill("1");
    await page.getByRole("button", { name: "Add", exact: true }).click();
    const card = page.getByRole("region", { name: "Model server Fake detector" });
    await expect(card).toBeVisible();

    // Test connection: the exact exchanges, and the verdict.
    await card.getByRole("button", { name: "Test connection" }).click();
    const report = card.getByRole("region", { name: "Connection test" });
    await expect(report.getByRole("status")).toHaveText(
      /Connected: 1 prediction converted \(model fake-1\.0\)/,
    );
    const setup = report.locator("details", { hasText: "POST /setup" });
    await setup.locator("summary").click();
    await expect(setup.locator("pre").first()).toContainText('"access_token": "••••');
    expect(backend.state.downloads).toBe(1);
    await shot(page, "model-servers-test-ok", { fullPage: true });

    // The backend answers for another labelling config: the first mismatch says so.
    backend.state.fromName = "bbox";
    await report.getByRole("button", { name: "Close" }).click();
    await card.getByRole("button", { name: "Test connection" }).click();
    await expect(card.getByRole("region", { name: "Connection test" }).getByRole("status")).toContainText(
      "`bbox` is not in the labelling config (its controls: label, polygon, choice)",
    );
    await shot(page, "model-servers-test-mismatch", { fullPage: true });

    // Predict the unannotated images: progress, then done with a run.
    backend.state.fromName = "label";
    await card.getByRole("button", { name: "Predict unannotated" }).click();
    await expect(card.getByRole("progressbar").first()).toBeVisible();
    await expect(card.getByText("Done", { exact: true })).toBeVisible({ timeout: 20_000 });
    await expect(card.getByText("4 / 4 images")).toBeVisible();
    await expect(card.getByText(/prediction run \d+/)).toBeVisible();
    await shot(page, "model-servers-job-done", { fullPage: true });

    // Edit: another limit, the (absent) secret untouched.
    await card.getByRole("button", { name: "Edit" }).click();
    const editor = card.getByRole("region", { name: "Edit Fake detector" });
    await editor.getByLabel("Requests at once").fill("1");
    await editor.getByRole("button", { name: "Save" }).click();
    await expect(card.getByText(/1 at once · 1 per request/)).toBeVisible();
  } finally {
    await backend.close();
  }
});

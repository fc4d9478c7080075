import { Project, ProjectStats } from "@labelbench/schema";
import { sql } from "kysely";
import request from "supertest";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createLabel, createProject, expectError, issuePaths, uploadImage } from "../../test-support/api.js";
import { listFiles, makeTestApp, type TestApp } from "../../test-support/app.js";
import { jpeg, png } from "../../test-support/images.js";

let t: TestApp;
beforeEach(async () => {
  t = await makeTestApp();
});
afterEach(() => t.cleanup());

describe("projects CRUD", () => {
  it("creates, lists, gets, renames and deletes a project", async () => {
    const created = await request(t.app)
      .post("/api/v1/projects")
      .send({ name: "  Street scenes ", description: "dashcam" });
    expect(created.status).toBe(201);
    const p = Project.parse(created.body);
    expect(p).toMatchObject({ name: "Street scenes", description: "dashcam", imageCount: 0, doneCount: 0 });

    const list = await request(t.app).get("/api/v1/projects");
    expect(list.status).toBe(200);
    expect(list.body.items.map((x: { id: number }) => x.id)).toEqual([p.id]);

    const got = await request(t.app).get(`/api/v1/projects/${p.id}`);
    expect(got.status).toBe(200);
    expect(got.body).toEqual(p);

    const patched = await request(t.app).patch(`/api/v1/projects/${p.id}`).send({ name: "Streets" });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ id: p.id, name: "Streets", description: "dashcam" });

    const described = await request(t.app).patch(`/api/v1/projects/${p.id}`).send({ description: "" });
    expect(described.body).toMatchObject({ name: "Streets", description: "" });

    const del = await request(t.app).delete(`/api/v1/projects/${p.id}`);
    expect(del.status).toBe(204);
    expect(del.text).toBe("");
    expectError(await request(t.app).get(`/api/v1/projects/${p.id}`), 404, "NOT_FOUND");
    expect((await request(t.app).get("/api/v1/projects")).body.items).toEqual([]);
  });

  it("defaults the description to empty and counts images and done images", async () => {
    const p = await createProject(t.app, "Counts");
    expect(p.description).toBe("");
    const a = await uploadImage(t.app, p.id, { name: "a.png", data: await png({ seed: 1 }) });
    await uploadImage(t.app, p.id, { name: "b.png", data: await png({ seed: 2 }) });
    await request(t.app).patch(`/api/v1/images/${a.id}`).send({ status: "done" }).expect(200);
    const got = await request(t.app).get(`/api/v1/projects/${p.id}`);
    expect(got.body).toMatchObject({ imageCount: 2, doneCount: 1 });
  });
});

describe("projects: bad input", () => {
  it("answers BAD_JSON for a body that is not JSON", async () => {
    const res = await request(t.app)
      .post("/api/v1/projects")
      .set("Content-Type", "application/json")
      .send('{"name": "oops",');
    expectError(res, 400, "BAD_JSON");
  });

  it("lists the failing field paths for wrong types", async () => {
    const res = await request(t.app)
      .post("/api/v1/projects")
      .send({ name: 42, description: ["x"] });
    const err = expectError(res, 400, "VALIDATION_ERROR");
    expect(issuePaths(err.details).sort()).toEqual(["body.description", "body.name"]);
    expect(err.message).toContain("body.name");
  });

  it("refuses an empty or blank name", async () => {
    for (const name of ["", "   "]) {
      const err = expectError(
        await request(t.app).post("/api/v1/projects").send({ name }),
        400,
        "VALIDATION_ERROR",
      );
      expect(issuePaths(err.details)).toEqual(["body.name"]);
    }
    const missing = expectError(
      await request(t.app).post("/api/v1/projects").send({}),
      400,
      "VALIDATION_ERROR",
    );
    expect(issuePaths(missing.details)).toEqual(["body.name"]);
  });

  it("refuses a blank name on PATCH and keeps the old one", async () => {
    const p = await createProject(t.app, "Keep me");
    expectError(
      await request(t.app).patch(`/api/v1/projects/${p.id}`).send({ name: " " }),
      400,
      "VALIDATION_ERROR",
    );
    expect((await request(t.app).get(`/api/v1/projects/${p.id}`)).body.name).toBe("Keep me");
  });

  it("answers 404 for unknown project ids on every project route", async () => {
    const routes = [
      request(t.app).get("/api/v1/projects/999"),
      request(t.app).patch("/api/v1/projects/999").send({ name: "x" }),
      request(t.app).delete("/api/v1/projects/999"),
      request(t.app).get("/api/v1/projects/999/stats"),
    ];
    for (const r of routes) {
      const err = expectError(await r, 404, "NOT_FOUND");
      expect(err.message).toContain("999");
    }
  });

  it("answers 400 with the param path for an id that is not a positive integer", async () => {
    for (const id of ["abc", "0", "-3", "1.5"]) {
      const err = expectError(await request(t.app).get(`/api/v1/projects/${id}`), 400, "VALIDATION_ERROR");
      expect(issuePaths(err.details)).toEqual(["params.projectId"]);
    }
  });

  it("answers the envelope for an unknown API route", async () => {
    const err = expectError(await request(t.app).get("/api/v1/nothing-here"), 404, "NOT_FOUND");
    expect(err.message).toContain("/api/v1/nothing-here");
  });
});

describe("project deletion", () => {
  it("removes its labels, images, annotations and the files only it used", async () => {
    const p = await createProject(t.app, "Doomed");
    const other = await createProject(t.app, "Survivor");
    const label = await createLabel(t.app, p.id, { name: "car" });
    const own = await uploadImage(t.app, p.id, { name: "own.jpg", data: await jpeg({ seed: 1 }) });
    const sharedBytes = await jpeg({ seed: 2 });
    const shared = await uploadImage(t.app, p.id, { name: "shared.jpg", data: sharedBytes });
    const kept = await uploadImage(t.app, other.id, { name: "shared.jpg", data: sharedBytes });
    await request(t.app)
      .put(`/api/v1/images/${own.id}/annotations`)
      .send({
        baseRevision: 0,
        annotations: [{ labelId: label.id, geometry: { type: "box", x: 1, y: 1, width: 5, height: 5 } }],
        tags: [label.id],
      })
      .expect(200);

    const before = listFiles(t.filesDir);
    expect(before.some((f) => f.includes(own.sha256))).toBe(true);
    expect(before.filter((f) => f.includes(shared.sha256))).toHaveLength(2); // original + thumbnail

    await request(t.app).delete(`/api/v1/projects/${p.id}`).expect(204);

    const after = listFiles(t.filesDir);
    expect(after.some((f) => f.includes(own.sha256))).toBe(false);
    expect(after.filter((f) => f.includes(shared.sha256))).toHaveLength(2);
    const count = async (
      table: "labels" | "images" | "image_tags" | "annotations",
      where?: [string, number],
    ) =>
      Number(
        (
          await t.sql
            .selectFrom(table)
            .select((eb) => eb.fn.countAll().as("n"))
            .$if(where !== undefined, (q) => q.where(sql.ref(where?.[0] ?? ""), "=", where?.[1] ?? 0))
            .executeTakeFirstOrThrow()
        ).n,
      );
    expect(await count("labels", ["project_id", p.id])).toBe(0);
    expect(await count("images", ["project_id", p.id])).toBe(0);
    expect(await count("image_tags", ["image_id", own.id])).toBe(0);
    expect(await count("annotations")).toBe(0);
    expectError(await request(t.app).get(`/api/v1/images/${own.id}`), 404, "NOT_FOUND");
    await request(t.app).get(`/api/v1/images/${kept.id}/file`).expect(200);
  });
});

describe("project stats", () => {
  it("reports counts per status and per label", async () => {
    const p = await createProject(t.app);
    const car = await createLabel(t.app, p.id, { name: "car", color: "#ff0000" });
    const tree = await createLabel(t.app, p.id, { name: "tree" });
    const a = await uploadImage(t.app, p.id, { name: "a.png", data: await png({ seed: 1 }) });
    const b = await uploadImage(t.app, p.id, { name: "b.png", data: await png({ seed: 2 }) });
    await uploadImage(t.app, p.id, { name: "c.png", data: await png({ seed: 3 }) });
    const box = { type: "box", x: 0, y: 0, width: 4, height: 4 };
    await request(t.app)
      .put(`/api/v1/images/${a.id}/annotations`)
      .send({
        baseRevision: 0,
        annotations: [
          { labelId: car.id, geometry: box },
          { labelId: car.id, geometry: box },
        ],
      })
      .expect(200);
    await request(t.app)
      .put(`/api/v1/images/${b.id}/annotations`)
      .send({ baseRevision: 0, annotations: [{ labelId: car.id, geometry: box }], tags: [tree.id] })
      .expect(200);
    await request(t.app).patch(`/api/v1/images/${b.id}`).send({ status: "done" }).expect(200);

    const res = await request(t.app).get(`/api/v1/projects/${p.id}/stats`);
    expect(res.status).toBe(200);
    const stats = ProjectStats.parse(res.body);
    expect(stats.counts).toEqual({ new: 1, in_progress: 1, done: 1, skipped: 0, total: 3 });
    expect(stats.totalAnnotations).toBe(3);
    expect(stats.labels).toEqual([
      { labelId: car.id, name: "car", color: "#ff0000", annotations: 3, images: 2, tagged: 0 },
      { labelId: tree.id, name: "tree", color: tree.color, annotations: 0, images: 0, tagged: 1 },
    ]);
  });
});

import { ImagePage } from "@labelbench/schema";
import request from "supertest";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createProject, uploadOk } from "../../test-support/api.js";
import { insertUserWithToken, makeTestApp, TEST_BACKEND, type TestApp } from "../../test-support/app.js";
import { png } from "../../test-support/images.js";
import { holderOf } from "./repo.js";

/**
 * The library's grid shows who works on each image and where it stands in review (issue 15) from
 * the image list itself, not a request per tile.
 */
let t: TestApp;
beforeEach(async () => {
  t = await makeTestApp();
});
afterEach(() => t.cleanup());

describe(`the image list carries assignee and review state on ${TEST_BACKEND}`, () => {
  it("shows a manager's assignment and a live lease, and nobody for an expired lease", async () => {
    const projectId = (await createProject(t.app)).id;
    const ana = await insertUserWithToken(t.sql, {
      email: "ana@example.com",
      name: "Ana",
      role: "annotator",
    });
    const files = await Promise.all(
      ["a.png", "b.png", "c.png", "d.png"].map(async (name, i) => ({
        name,
        data: await png({ seed: i + 1 }),
      })),
    );
    const ids = (await uploadOk(t.app, projectId, files)).map((r) => ("image" in r ? r.image.id : 0));
    const [assigned, leased, expired, free] = ids as [number, number, number, number];
    const hour = 3_600_000;
    await t.sql
      .updateTable("images")
      .set({ assignee_id: ana.userId, assigned_via: "manager", review_state: "rejected" })
      .where("id", "=", assigned)
      .execute();
    await t.sql
      .updateTable("images")
      .set({
        assignee_id: ana.userId,
        assigned_via: "queue",
        lease_until: new Date(Date.now() + hour).toISOString(),
      })
      .where("id", "=", leased)
      .execute();
    await t.sql
      .updateTable("images")
      .set({
        assignee_id: ana.userId,
        assigned_via: "queue",
        lease_until: new Date(Date.now() - hour).toISOString(),
        review_state: "accepted",
      })
      .where("id", "=", expired)
      .execute();

    const res = await request(t.app).get(`/api/v1/projects/${projectId}/images`);
    expect(res.status).toBe(200);
    const byId = new Map(ImagePage.parse(res.body).items.map((i) => [i.id, i]));
    expect(byId.get(assigned)).toMatchObject({ assigneeId: ana.userId, reviewState: "rejected" });
    expect(byId.get(leased)).toMatchObject({ assigneeId: ana.userId, reviewState: "none" });
    expect(byId.get(expired)).toMatchObject({ assigneeId: null, reviewState: "accepted" });
    expect(byId.get(free)).toMatchObject({ assigneeId: null, reviewState: "none" });

    const one = await request(t.app).get(`/api/v1/images/${assigned}`);
    expect(one.body).toMatchObject({ assigneeId: ana.userId, reviewState: "rejected" });
  });
});

describe("holderOf", () => {
  const now = "2026-12-07T10:00:00.000Z";
  it("keeps assignments and rework whatever their lease column says", () => {
    expect(holderOf({ assignee_id: 3, assigned_via: "manager", lease_until: null }, now)).toBe(3);
    expect(
      holderOf({ assignee_id: 3, assigned_via: "rework", lease_until: "2026-12-07T09:00:00.000Z" }, now),
    ).toBe(3);
  });

  it("drops a queue lease at the instant it ends", () => {
    expect(
      holderOf({ assignee_id: 3, assigned_via: "queue", lease_until: "2026-12-07T10:00:00.001Z" }, now),
    ).toBe(3);
    expect(holderOf({ assignee_id: 3, assigned_via: "queue", lease_until: now }, now)).toBeNull();
  });
});

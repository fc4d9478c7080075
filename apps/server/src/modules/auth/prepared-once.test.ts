import request from "supertest";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createProject } from "../../test-support/api.js";
import { makeTestApp, type TestApp } from "../../test-support/app.js";
import { authRepo } from "./repo.js";
import { digest, newSecret } from "./secrets.js";

/**
 * The credential lookup runs on every request and the membership check on every annotator
 * request: their statements are prepared once per connection, never per request.
 */
describe("auth statements", () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await makeTestApp();
  });
  afterEach(() => t.cleanup());

  const annotatorToken = (projectId: number): string => {
    const repo = authRepo(t.db);
    const now = new Date().toISOString();
    const id = repo.insertUser(
      { email: "ann@example.com", name: "Ann", role: "annotator", passwordHash: "!" },
      now,
    );
    const token = newSecret("lbt_");
    repo.insertToken(
      {
        userId: id,
        name: "t",
        hash: digest(token),
        prefix: token.slice(0, 10),
        scope: "write",
        expiresAt: null,
      },
      now,
    );
    repo.addMember(projectId, id, now);
    return token;
  };

  it("are not prepared again for a token's request, nor for an annotator's membership check", async () => {
    const project = await createProject(t.app);
    const token = annotatorToken(project.id);
    const get = (auth?: string) => {
      const r = request(t.app).get(`/api/v1/projects/${project.id}`);
      return auth ? r.set("Authorization", `Bearer ${auth}`) : r;
    };
    // The first requests may prepare what the app builds lazily.
    expect((await get()).status).toBe(200);
    expect((await get(token)).status).toBe(200);
    const prepare = vi.spyOn(t.db, "prepare");
    expect((await get()).status).toBe(200);
    expect((await get(token)).status).toBe(200);
    expect(prepare.mock.calls.map(([sql]) => sql)).toEqual([]);
  });
});

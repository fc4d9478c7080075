import request from "supertest";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createProject, expectError, issuePaths, uploadImage } from "../test-support/api.js";
import { makeTestApp, type TestApp } from "../test-support/app.js";
import { jpeg } from "../test-support/images.js";

let t: TestApp;
beforeEach(async () => {
  t = await makeTestApp();
});
afterEach(() => t.cleanup());

describe("ids in paths are canonical decimal numbers", () => {
  it.each(["0x10", "1e3", " 1", "%201", "+1", "01", "1.0", "-1", "0", "1234567890123456"])(
    "refuses the id spelled %j with 400 naming the param",
    async (spelling) => {
      const project = await createProject(t.app);
      const image = await uploadImage(t.app, project.id, {
        name: "a.jpg",
        data: await jpeg({ width: 8, height: 8 }),
      });
      // Each spelling below would name the project or image above if it were coerced (ids are small).
      expect(project.id).toBe(1);
      expect(image.id).toBe(1);
      for (const [method, url, param] of [
        ["get", `/api/v1/projects/${spelling}`, "params.projectId"],
        ["get", `/api/v1/images/${spelling}`, "params.imageId"],
        ["delete", `/api/v1/images/${spelling}`, "params.imageId"],
        ["delete", `/api/v1/projects/1/labels/${spelling}`, "params.labelId"],
        // A tile level may be 0; every other spelling is refused there too.
        ...(spelling === "0"
          ? []
          : ([["get", `/api/v1/images/1/tiles/${spelling}/0/0`, "params.level"]] as const)),
      ] as const) {
        const res = await request(t.app)[method](url);
        const err = expectError(res, 400, "VALIDATION_ERROR");
        expect(issuePaths(err.details), url).toEqual([param]);
        expect(err.message).toMatch(/decimal digits/);
      }
    },
  );

  it("still takes plain ids", async () => {
    const project = await createProject(t.app);
    expect((await request(t.app).get(`/api/v1/projects/${project.id}`)).status).toBe(200);
  });
});

describe("JSON bodies in a charset or encoding the server cannot read", () => {
  it("answers 415 naming the charset", async () => {
    const res = await request(t.app)
      .post("/api/v1/projects")
      .set("Content-Type", "application/json; charset=bogus")
      .send(JSON.stringify({ name: "x" }));
    const err = expectError(res, 415, "UNSUPPORTED_MEDIA_TYPE");
    expect(err.message).toContain('"bogus"');
  });

  it("answers 415 naming an unknown Content-Encoding", async () => {
    const res = await request(t.app)
      .post("/api/v1/projects")
      .set("Content-Type", "application/json")
      .set("Content-Encoding", "bogus")
      .send(JSON.stringify({ name: "x" }));
    const err = expectError(res, 415, "UNSUPPORTED_MEDIA_TYPE");
    expect(err.message).toContain('"bogus"');
  });
});

import { api, type Project } from "@labelbench/schema";
import express, { Router } from "express";
import pino from "pino";
import request from "supertest";
import { describe, expect, it } from "vitest";
import { errorHandler } from "./errors.js";
import { route } from "./route.js";

/** A bare app around one contract endpoint, behind the real error handler, with no authorization. */
const appWith = (register: (r: Router) => void) => {
  const app = express();
  app.locals.authorize = () => undefined;
  app.use(express.json());
  const r = Router();
  register(r);
  app.use(r);
  app.use(errorHandler(pino({ level: "silent" })));
  return app;
};

const project = (name: string, description: string): Project => ({
  id: 1,
  name,
  description,
  createdAt: "2026-01-01T00:00:00.000Z",
  updatedAt: "2026-01-01T00:00:00.000Z",
  imageCount: 0,
  doneCount: 0,
  annotatorsCanExport: false,
});

describe("route helper", () => {
  it("hands the handler parsed (trimmed, defaulted) values and answers the contract's status", async () => {
    const app = appWith((r) =>
      route(r, api.createProject, ({ body }) => project(body.name, body.description)),
    );
    const res = await request(app).post("/projects").send({ name: "  bolts " });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ name: "bolts", description: "" });
  });

  it("coerces path and query strings and says where a bad one is", async () => {
    let seen: unknown = null;
    const app = appWith((r) =>
      route(r, api.listImages, ({ params, query }) => {
        seen = { params, query };
        return {
          items: [],
          nextCursor: null,
          counts: { new: 0, in_progress: 0, done: 0, skipped: 0, total: 0 },
        };
      }),
    );
    await request(app).get("/projects/12/images?limit=5").expect(200);
    expect(seen).toEqual({ params: { projectId: 12 }, query: { limit: 5, sort: "name" } });
    const p = await request(app).get("/projects/zero/images");
    expect(p.body.error.details.map((d: { path: string }) => d.path)).toEqual(["params.projectId"]);
    const q = await request(app).get("/projects/1/images?status=maybe");
    expect(q.body.error.details.map((d: { path: string }) => d.path)).toEqual(["query.status"]);
  });

  it("answers 204 with no body for a 204 endpoint", async () => {
    const app = appWith((r) => route(r, api.deleteProject, () => undefined));
    const res = await request(app).delete("/projects/3");
    expect(res.status).toBe(204);
    expect(res.text).toBe("");
  });

  it("never answers outside its own contract: a malformed reply is a 500, not a 200", async () => {
    const app = appWith((r) => route(r, api.getProject, () => ({ ...project("x", ""), id: -5 })));
    const res = await request(app).get("/projects/1");
    expect(res.status).toBe(500);
    expect(res.body.error.code).toBe("INTERNAL");
  });

  it("passes async handler errors to the error handler", async () => {
    const app = appWith((r) =>
      route(r, api.getProject, async () => {
        throw new Error("boom");
      }),
    );
    const res = await request(app).get("/projects/1");
    expect(res.status).toBe(500);
    expect(res.body.error.code).toBe("INTERNAL");
  });
});

import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { api, type Endpoint } from "@labelbench/schema";
import request from "supertest";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { VERSION } from "./app.js";
import { expectError } from "./test-support/api.js";
import { makeTestApp, type TestApp } from "./test-support/app.js";

let t: TestApp;
beforeEach(async () => {
  t = await makeTestApp();
});
afterEach(() => t.cleanup());

describe("app", () => {
  it("answers the health probe", async () => {
    const res = await request(t.app).get("/api/v1/health");
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ok: true, version: VERSION });
  });

  it("answers unknown API routes and methods with the NOT_FOUND envelope", async () => {
    expectError(await request(t.app).get("/api/v1/unknown"), 404, "NOT_FOUND");
    expectError(await request(t.app).put("/api/v1/projects"), 404, "NOT_FOUND");
  });

  it("serves no web app when none is configured", async () => {
    expect((await request(t.app).get("/")).status).toBe(404);
  });

  it("does not leak the framework in headers", async () => {
    const res = await request(t.app).get("/api/v1/health");
    expect(res.headers["x-powered-by"]).toBeUndefined();
  });
});

describe("GET /api/v1/openapi.json", () => {
  it("lists every contract endpoint under its method and OpenAPI path", async () => {
    const res = await request(t.app).get("/api/v1/openapi.json");
    expect(res.status).toBe(200);
    const doc = res.body as {
      openapi: string;
      paths: Record<
        string,
        Record<string, { operationId: string; parameters: { name: string; in: string }[] }>
      >;
    };
    expect(doc.openapi).toMatch(/^3\./);
    const entries = Object.entries(api) as [string, Endpoint][];
    expect(entries.length).toBeGreaterThan(20);
    for (const [name, e] of entries) {
      const path = `/api/v1${e.path.replace(/:(\w+)/g, "{$1}")}`;
      const op = doc.paths[path]?.[e.method.toLowerCase()];
      expect(op, `${name}: ${e.method} ${path}`).toBeDefined();
      expect(op?.operationId).toBe(name);
      for (const p of e.path.matchAll(/:(\w+)/g)) {
        expect(
          op?.parameters.some((x) => x.in === "path" && x.name === p[1]),
          `${name} param ${p[1]}`,
        ).toBe(true);
      }
    }
    const operations = Object.values(doc.paths).flatMap((methods) => Object.keys(methods));
    expect(operations).toHaveLength(entries.length);
  });

  it("describes the multipart upload, query parameters and JSON bodies from the zod schemas", async () => {
    const doc = (await request(t.app).get("/api/v1/openapi.json")).body;
    const upload = doc.paths["/api/v1/projects/{projectId}/images"].post;
    expect(Object.keys(upload.requestBody.content)).toEqual(["multipart/form-data"]);
    const list = doc.paths["/api/v1/projects/{projectId}/images"].get;
    expect(list.parameters.map((p: { name: string }) => p.name)).toEqual(
      expect.arrayContaining(["cursor", "limit", "projectId", "q", "status"]),
    );
    const put = doc.paths["/api/v1/images/{imageId}/annotations"].put;
    const schema = put.requestBody.content["application/json"].schema;
    expect(schema.required).toEqual(expect.arrayContaining(["baseRevision", "annotations"]));
    const del = doc.paths["/api/v1/projects/{projectId}/labels/{labelId}"].delete;
    expect(Object.keys(del.responses)).toEqual(expect.arrayContaining(["204", "default"]));
  });
});

describe("docs/api.md", () => {
  it("documents every contract endpoint (as `METHOD /path` or a table row)", () => {
    const doc = fs.readFileSync(
      path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../docs/api.md"),
      "utf8",
    );
    const escapeRe = (x: string) => x.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
    const missing = (Object.entries(api) as [string, Endpoint][]).filter(([, e]) => {
      const heading = doc.includes(`${e.method} ${e.path}`);
      const row = new RegExp(`\\|[A-Z /]*\\b${e.method}\\b[A-Z /]*\\|\\s*\`${escapeRe(e.path)}\``).test(doc);
      return !heading && !row;
    });
    expect(missing.map(([name, e]) => `${name}: ${e.method} ${e.path}`)).toEqual([]);
  });
});

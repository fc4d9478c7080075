import { api, type Endpoint } from "@labelbench/schema";
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { z } from "zod";
import { makeTestApp, type TestApp } from "./test-support/app.js";

/**
 * The served OpenAPI document checked against the contract, each expectation worked out here from
 * the contract objects themselves (path segments, the zod schemas run on sample values) and never
 * with the generator's code, so a generator bug cannot hide behind its own output.
 */

interface Parameter {
  name: string;
  in: "path" | "query";
  required: boolean;
  schema: ParamSchema & { anyOf?: ParamSchema[] };
}
interface ParamSchema {
  type?: string;
  minimum?: number;
  enum?: string[];
}
interface Operation {
  operationId: string;
  parameters: Parameter[];
  responses: Record<string, unknown>;
}
type Doc = { paths: Record<string, Record<string, Operation>> };

let t: TestApp;
let doc: Doc;
beforeAll(async () => {
  t = await makeTestApp();
  doc = (await request(t.app).get("/api/v1/openapi.json").expect(200)).body as Doc;
});
afterAll(() => t.cleanup());

const endpoints = Object.entries(api) as [string, Endpoint][];

/** `/projects/:projectId/labels` → ["projectId"], by walking the segments. */
const pathParamNames = (path: string) =>
  path
    .split("/")
    .filter((seg) => seg.startsWith(":"))
    .map((seg) => seg.slice(1));

const openApiPath = (path: string) =>
  `/api/v1${path
    .split("/")
    .map((seg) => (seg.startsWith(":") ? `{${seg.slice(1)}}` : seg))
    .join("/")}`;

/**
 * What a path parameter accepts, learnt by parsing samples through the endpoint's params schema
 * (the other parameters set to "1"): integer when "7" comes out as 7 and "1.5" is refused; its
 * minimum is the smallest of -1, 0, 1 it accepts.
 */
const probeParam = (e: Endpoint, name: string): { type: string; minimum: number | undefined } => {
  const withValue = (v: string) =>
    e.params.safeParse(Object.fromEntries(pathParamNames(e.path).map((p) => [p, p === name ? v : "1"])));
  const seven = withValue("7");
  const parsed = seven.success ? (seven.data as Record<string, unknown>)[name] : undefined;
  const integer = parsed === 7 && !withValue("1.5").success;
  const minimum = integer ? [-1, 0, 1].find((n) => withValue(String(n)).success) : undefined;
  return { type: integer ? "integer" : typeof parsed, minimum };
};

const paramAccepts = (e: Endpoint, name: string, value: string): boolean =>
  e.params.safeParse(Object.fromEntries(pathParamNames(e.path).map((p) => [p, p === name ? value : "1"])))
    .success;

const queryNames = (e: Endpoint) => Object.keys((e.query as z.ZodObject).shape ?? {});

describe("the OpenAPI document against the contract", () => {
  it("has exactly one operation per endpoint, under its path and method", () => {
    const listed = Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, op]) => `${op.operationId} ${method.toUpperCase()} ${path}`),
    );
    const expected = endpoints.map(([name, e]) => `${name} ${e.method} ${openApiPath(e.path)}`);
    expect(listed.sort()).toEqual(expected.sort());
  });

  it.each(endpoints)("%s: path parameters with the type and minimum its params schema accepts", (name, e) => {
    const op = doc.paths[openApiPath(e.path)]?.[e.method.toLowerCase()];
    const inPath = (op?.parameters ?? []).filter((p) => p.in === "path");
    expect(inPath.map((p) => p.name)).toEqual(pathParamNames(e.path));
    for (const p of inPath) {
      const accepts = probeParam(e, p.name);
      expect(p.required, `${name} ${p.name}`).toBe(true);
      // A number or a word (a version, or `live`): the number's branch is what the probe sees, and
      // every word the document lists must be accepted too.
      const numeric = p.schema.anyOf?.find((b) => b.type === "integer") ?? p.schema;
      expect({ type: numeric.type, minimum: numeric.minimum }, `${name} ${p.name}`).toEqual(accepts);
      for (const word of (p.schema.anyOf ?? []).flatMap((b) => b.enum ?? []))
        expect(paramAccepts(e, p.name, word), `${name} ${p.name} ${word}`).toBe(true);
    }
  });

  it.each(endpoints)("%s: query parameters and status codes", (name, e) => {
    const op = doc.paths[openApiPath(e.path)]?.[e.method.toLowerCase()];
    const inQuery = (op?.parameters ?? []).filter((p) => p.in === "query").map((p) => p.name);
    expect(inQuery.sort(), name).toEqual(queryNames(e).sort());
    expect(Object.keys(op?.responses ?? {}).sort(), name).toEqual([String(e.status), "default"].sort());
  });

  it("documents tile coordinates from 0 and ids from 1 (the tile route serves level 0, column 0, row 0)", () => {
    const tile = doc.paths["/api/v1/images/{imageId}/tiles/{level}/{x}/{y}"]?.get;
    expect(tile?.parameters.map((p) => [p.name, p.schema.minimum])).toEqual([
      ["imageId", 1],
      ["level", 0],
      ["x", 0],
      ["y", 0],
    ]);
  });
});

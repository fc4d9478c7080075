import { api, type Endpoint, ErrorEnvelope } from "@labelbench/schema";
import { z } from "zod";

const toSchema = (s: z.ZodType, io: "input" | "output") =>
  z.toJSONSchema(s, {
    io,
    unrepresentable: "any",
    target: "openapi-3.0",
    // Path and query numbers are checked as decimal strings; to a client they are integers, and a
    // pattern only ever constrains strings.
    override: ({ jsonSchema }) => {
      if (jsonSchema.type === "integer") delete jsonSchema.pattern;
    },
  }) as Record<string, unknown>;

type ObjectSchema = { properties?: Record<string, unknown>; required?: string[] };

const isUndefined = (s: z.ZodType) => s.safeParse(undefined).success && !s.safeParse({}).success;

/** The OpenAPI 3 document, generated from the same contract objects the server routes with. */
export const openApiDocument = (version: string) => {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const [name, e] of Object.entries(api) as [string, Endpoint][]) {
    const path = `/api/v1${e.path.replace(/:(\w+)/g, "{$1}")}`;
    const paramNames = [...e.path.matchAll(/:(\w+)/g)].map((m) => m[1]);
    const querySchema = toSchema(e.query, "input") as ObjectSchema;
    const paramSchema = toSchema(e.params, "input") as ObjectSchema;
    const parameters = [
      ...paramNames.map((p) => {
        const schema = p === undefined ? undefined : paramSchema.properties?.[p];
        if (schema === undefined) throw new Error(`${name}: path parameter ${p} has no schema in params`);
        return { name: p, in: "path", required: true, schema };
      }),
      ...Object.entries(querySchema.properties ?? {}).map(([q, schema]) => ({
        name: q,
        in: "query",
        required: querySchema.required?.includes(q) ?? false,
        schema,
      })),
    ];
    const responses: Record<string, unknown> = {
      [e.status]: e.raw?.response
        ? { description: "bytes", content: { [e.raw.response]: {} } }
        : e.status === 204
          ? { description: "no content" }
          : {
              description: "success",
              content: { "application/json": { schema: toSchema(e.response, "output") } },
            },
      default: {
        description: "error envelope",
        content: { "application/json": { schema: toSchema(ErrorEnvelope, "output") } },
      },
    };
    const op: Record<string, unknown> = { operationId: name, summary: e.summary, parameters, responses };
    if (e.raw?.request) {
      op.requestBody = {
        content: {
          [e.raw.request]: {
            schema: {
              type: "object",
              properties: { files: { type: "array", items: { type: "string", format: "binary" } } },
            },
          },
        },
      };
    } else if (e.method !== "GET" && e.method !== "DELETE" && !isUndefined(e.body)) {
      op.requestBody = {
        required: true,
        content: { "application/json": { schema: toSchema(e.body, "input") } },
      };
    }
    paths[path] = { ...(paths[path] ?? {}), [e.method.toLowerCase()]: op };
  }
  return {
    openapi: "3.0.3",
    info: { title: "Labelbench API", version },
    servers: [{ url: "/" }],
    paths,
  };
};

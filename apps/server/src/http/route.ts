import { api, type Endpoint, type EndpointName } from "@labelbench/schema";
import type { Request, Response, Router } from "express";
import { z } from "zod";
import { AppError, zodIssues } from "./errors.js";

export interface RouteInput<E extends Endpoint> {
  params: z.output<E["params"]>;
  query: z.output<E["query"]>;
  body: z.output<E["body"]>;
  req: Request;
  res: Response;
}

// biome-ignore lint/suspicious/noConfusingVoidType: handlers of 204 and raw routes return nothing at all
type Reply<E extends Endpoint> = z.input<E["response"]> | undefined | void;

const parseOrThrow = <S extends z.ZodType>(schema: S, value: unknown, where: string): z.output<S> => {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const details = zodIssues(r.error, where);
  throw new AppError(
    "VALIDATION_ERROR",
    `invalid ${where}: ${details.map((d) => `${d.path}: ${d.message}`).join("; ")}`,
    details,
  );
};

const NAMES = new Map<Endpoint, EndpointName>(
  Object.entries(api).map(([k, v]) => [v as Endpoint, k as EndpointName]),
);

/** Decides whether the caller may run an endpoint; installed by createApp in app.locals. */
export type Authorizer = (
  name: EndpointName,
  method: string,
  params: Record<string, unknown>,
  res: Response,
) => Promise<void>;

/**
 * Registers one contract endpoint. Params, query and body are validated and the *parsed* values
 * handed to the handler; the reply is parsed with the response schema before it is sent, so the
 * server can never answer outside its own contract. Raw endpoints (files, zips) write to `res`.
 */
export const route = <E extends Endpoint>(
  router: Router,
  endpoint: E,
  handler: (input: RouteInput<E>) => Promise<Reply<E>> | Reply<E>,
): void => {
  const method = endpoint.method.toLowerCase() as "get" | "post" | "put" | "patch" | "delete";
  router[method](endpoint.path, async (req: Request, res: Response) => {
    const params = parseOrThrow(endpoint.params, req.params, "params");
    const name = NAMES.get(endpoint);
    if (!name) throw new Error(`endpoint ${endpoint.method} ${endpoint.path} is not in the contract`);
    await (req.app.locals.authorize as Authorizer)(name, req.method, params as Record<string, unknown>, res);
    const query = parseOrThrow(endpoint.query, req.query, "query");
    const hasBody =
      !endpoint.raw?.request &&
      endpoint.method !== "GET" &&
      endpoint.method !== "DELETE" &&
      !(endpoint.body instanceof z.ZodUndefined);
    const body = hasBody ? parseOrThrow(endpoint.body, req.body ?? {}, "body") : undefined;
    const out = await handler({ params, query, body, req, res } as RouteInput<E>);
    if (res.headersSent || endpoint.raw?.response) return;
    if (endpoint.status === 204) {
      res.status(204).end();
      return;
    }
    const reply = endpoint.response.safeParse(out);
    if (!reply.success) {
      // The server broke its own contract: a 500 for us to fix, never a 400 blaming the client.
      const issues = zodIssues(reply.error, "response");
      throw new Error(
        `${endpoint.method} ${endpoint.path} replied outside its contract: ${issues.map((i) => `${i.path}: ${i.message}`).join("; ")}`,
      );
    }
    res.status(endpoint.status).json(reply.data);
  });
};

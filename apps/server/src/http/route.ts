import type { Endpoint } from "@labelbench/schema";
import type { Request, Response, Router } from "express";
import type { z } from "zod";
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
    const query = parseOrThrow(endpoint.query, req.query, "query");
    const hasBody = !endpoint.raw?.request && endpoint.method !== "GET" && endpoint.method !== "DELETE";
    const body = hasBody ? parseOrThrow(endpoint.body, req.body ?? {}, "body") : undefined;
    const out = await handler({ params, query, body, req, res } as RouteInput<E>);
    if (res.headersSent || endpoint.raw?.response) return;
    if (endpoint.status === 204) {
      res.status(204).end();
      return;
    }
    const reply = endpoint.response.parse(out);
    res.status(endpoint.status).json(reply);
  });
};

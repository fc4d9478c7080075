import { z } from "zod";

/**
 * One contract object per endpoint: the server's route helper validates requests against it and
 * passes on the parsed values; the web client builds URLs from it and parses replies with it; the
 * OpenAPI document is generated from it. Nothing is hand-copied.
 */
export type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

export interface Endpoint<
  P extends z.ZodType = z.ZodType,
  Q extends z.ZodType = z.ZodType,
  B extends z.ZodType = z.ZodType,
  R extends z.ZodType = z.ZodType,
> {
  readonly method: Method;
  /** Express-style path under /api/v1, e.g. `/projects/:projectId`. */
  readonly path: string;
  readonly summary: string;
  readonly params: P;
  readonly query: Q;
  readonly body: B;
  readonly response: R;
  /** Success status; 204 means no body. */
  readonly status: 200 | 201 | 204;
  /** Non-JSON request or reply (multipart upload, file download, zip stream). */
  readonly raw?: { request?: string; response?: string };
}

const none = z.object({}).strict();
const empty = z.undefined();

export function endpoint<
  P extends z.ZodType = typeof none,
  Q extends z.ZodType = typeof none,
  B extends z.ZodType = typeof empty,
  R extends z.ZodType = typeof empty,
>(e: {
  method: Method;
  path: string;
  summary: string;
  params?: P;
  query?: Q;
  body?: B;
  response?: R;
  status?: 200 | 201 | 204;
  raw?: { request?: string; response?: string };
}): Endpoint<P, Q, B, R> {
  return {
    params: none as unknown as P,
    query: z.object({}) as unknown as Q,
    body: empty as unknown as B,
    response: empty as unknown as R,
    status: 200,
    ...e,
  } as Endpoint<P, Q, B, R>;
}

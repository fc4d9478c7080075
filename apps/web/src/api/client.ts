import {
  type Api,
  api,
  apiPath,
  type EndpointName,
  ERROR_DETAILS,
  type ErrorCode,
  ErrorEnvelope,
  type PathParams,
} from "@labelbench/schema";
import type { z } from "zod";

/** A failed API call, carrying the server's envelope so the UI can show its message. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode | "NETWORK",
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

/**
 * The details of a refusal with `code`, parsed with that code's schema (ERROR_DETAILS in
 * packages/schema); null for another error, another code, or details that do not fit.
 */
export const detailsOf = <C extends ErrorCode>(
  err: unknown,
  code: C,
): z.output<(typeof ERROR_DETAILS)[C]> | null => {
  if (!(err instanceof ApiError) || err.code !== code) return null;
  const parsed = (ERROR_DETAILS[code] as z.ZodType).safeParse(err.details);
  return parsed.success ? (parsed.data as z.output<(typeof ERROR_DETAILS)[C]>) : null;
};

type E<N extends EndpointName> = Api[N];
export interface CallArgs<N extends EndpointName> {
  params?: z.input<E<N>["params"]>;
  query?: z.input<E<N>["query"]>;
  body?: z.input<E<N>["body"]> | FormData;
  signal?: AbortSignal;
  /** The request outlives the page (a report sent while leaving it); small bodies only (64 KiB in all). */
  keepalive?: boolean;
  /**
   * Parses the reply instead of the endpoint's schema: a faster equivalent for big replies (e.g.
   * parseAnnotationSet). It must accept and return exactly what the schema does.
   */
  parse?: (json: unknown) => z.output<E<N>["response"]>;
}

/** The URL of an endpoint: its contract path filled in (packages/schema's `apiPath`), then the query. */
export const urlOf = <N extends EndpointName>(
  name: N,
  params?: PathParams<N>,
  query?: Readonly<Record<string, unknown>>,
): string => {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) {
    if (v !== undefined && v !== null && v !== "") qs.set(k, String(v));
  }
  const q = qs.toString();
  return `${apiPath(name, params)}${q ? `?${q}` : ""}`;
};

type AuthFailureListener = (err: ApiError, endpoint: EndpointName) => void;
let authFailureListener: AuthFailureListener | null = null;

/**
 * The auth module listens here: a 401 (session gone) or SETUP_REQUIRED from any call changes who
 * the app thinks is signed in, and its route guard then sends the user to sign in.
 */
export const onAuthFailure = (listener: AuthFailureListener | null) => {
  authFailureListener = listener;
};

/** Calls one contract endpoint and parses the reply with the shared schema. */
export const call = async <N extends EndpointName>(
  name: N,
  args: CallArgs<N> = {},
): Promise<z.output<E<N>["response"]>> => {
  const e = api[name];
  const url = urlOf(name, args.params as PathParams<N> | undefined, args.query as Record<string, unknown>);
  const init: RequestInit = { method: e.method, credentials: "same-origin", signal: args.signal ?? null };
  if (args.keepalive) init.keepalive = true;
  if (args.body instanceof FormData) init.body = args.body;
  else if (args.body !== undefined) {
    init.body = JSON.stringify(args.body);
    init.headers = { "Content-Type": "application/json" };
  }
  let res: Response;
  try {
    res = await fetch(url, init);
  } catch (err) {
    if ((err as Error).name === "AbortError") throw err;
    throw new ApiError(0, "NETWORK", "cannot reach the server; check your connection");
  }
  if (!res.ok) {
    const err = await toApiError(res);
    if (err.status === 401 || err.code === "SETUP_REQUIRED") authFailureListener?.(err, name);
    throw err;
  }
  if (res.status === 204) return undefined as z.output<E<N>["response"]>;
  const json: unknown = await res.json();
  return (args.parse ? args.parse(json) : e.response.parse(json)) as z.output<E<N>["response"]>;
};

export const toApiError = async (res: Response): Promise<ApiError> => {
  const text = await res.text().catch(() => "");
  try {
    const env = ErrorEnvelope.parse(JSON.parse(text));
    return new ApiError(res.status, env.error.code, env.error.message, env.error.details);
  } catch {
    return new ApiError(res.status, "INTERNAL", `server answered ${res.status} ${res.statusText}`);
  }
};

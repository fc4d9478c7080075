import type { BackendExchange } from "@labelbench/schema";

/** What the client needs of a backend row: where it is, how to authenticate, how long to wait. */
export interface BackendTarget {
  url: string;
  authMethod: "none" | "basic" | "token";
  basicUser: string | null;
  secret: string | null;
  timeoutMs: number;
}

/** An exchange as shown to people, plus the parsed JSON of the reply when there was one. */
export interface Sent {
  exchange: BackendExchange;
  /** The reply's JSON when the status was 2xx and the body parsed; else undefined. */
  json?: unknown;
}

/** Bodies shown in an exchange are cut here: a reply of 100 MB is not for reading in a dialog. */
const SHOWN_BODY_CHARS = 64 * 1024;

const masked = (secret: string): string => `••••${secret.length > 8 ? secret.slice(-4) : ""}`;

/** Every secret in `text` replaced by its mask: an exchange shown in the UI never carries one. */
export const maskSecrets = (text: string, secrets: readonly (string | null | undefined)[]): string => {
  let out = text;
  for (const s of secrets) if (s && s.length >= 4) out = out.split(s).join(masked(s));
  return out;
};

const cut = (s: string): string =>
  s.length > SHOWN_BODY_CHARS ? `${s.slice(0, SHOWN_BODY_CHARS)}… (${s.length} characters in all)` : s;

const authHeader = (t: BackendTarget): string | null => {
  if (t.authMethod === "basic" && t.basicUser !== null && t.secret !== null)
    return `Basic ${Buffer.from(`${t.basicUser}:${t.secret}`).toString("base64")}`;
  if (t.authMethod === "token" && t.secret !== null) return `Bearer ${t.secret}`;
  return null;
};

/** Why fetch failed, in words: the cause's code (ECONNREFUSED, ENOTFOUND) says more than "fetch failed". */
const failureOf = (err: unknown, timeoutMs: number): string => {
  if (err instanceof Error && (err.name === "TimeoutError" || err.name === "AbortError"))
    return `no answer within ${timeoutMs / 1000} s (the backend's timeout)`;
  // fetch says "fetch failed"; the cause says why (ECONNREFUSED, ENOTFOUND, "bad port").
  const cause =
    err instanceof Error ? (err.cause as { code?: string; message?: string } | undefined) : undefined;
  if (cause?.code)
    return `could not reach the backend: ${cause.code}${cause.message ? ` (${cause.message})` : ""}`;
  if (cause?.message === "bad port")
    return "could not reach the backend: its port is one browsers and fetch refuse to call (the WHATWG fetch standard's bad ports); use another port";
  if (cause?.message) return `could not reach the backend: ${cause.message}`;
  return `could not reach the backend: ${err instanceof Error ? err.message : String(err)}`;
};

/**
 * Sends one request of Label Studio's ML backend protocol and records it exactly as sent and
 * received (secrets masked: the backend's own, and `extraSecrets` such as the image key in /setup).
 * Never throws: a refused connection, a timeout, an HTTP error or a body that is not JSON is the
 * exchange's `error`.
 */
export const send = async (
  target: BackendTarget,
  step: BackendExchange["step"],
  method: "GET" | "POST",
  path: string,
  body: unknown,
  extraSecrets: readonly string[] = [],
  signal?: AbortSignal,
): Promise<Sent> => {
  const url = `${target.url}${path}`;
  const headers: Record<string, string> = { accept: "application/json" };
  const payload = body === undefined ? null : JSON.stringify(body);
  if (payload !== null) headers["content-type"] = "application/json";
  const auth = authHeader(target);
  if (auth) headers.authorization = auth;
  const secrets = [target.secret, ...extraSecrets];
  const shownHeaders = Object.fromEntries(
    Object.entries(headers).map(([k, v]) => [
      k,
      k === "authorization" ? `${v.split(" ")[0]} ${masked(v.split(" ")[1] ?? "")}` : v,
    ]),
  );
  const request = {
    method,
    url,
    headers: shownHeaders,
    body: payload === null ? null : cut(maskSecrets(payload, secrets)),
  };
  const t0 = performance.now();
  const elapsed = () => Math.round((performance.now() - t0) * 10) / 10;
  const timeout = AbortSignal.timeout(target.timeoutMs);
  let res: Response;
  let text: string;
  try {
    res = await fetch(url, {
      method,
      headers,
      body: payload,
      redirect: "follow",
      signal: signal ? AbortSignal.any([timeout, signal]) : timeout,
    });
    text = await res.text();
  } catch (err) {
    return {
      exchange: { step, request, response: null, error: failureOf(err, target.timeoutMs), ms: elapsed() },
    };
  }
  // forEach, not entries(): the bench's typecheck has no DOM iterables, and both are the same walk.
  const replyHeaders: Record<string, string> = {};
  res.headers.forEach((value, name) => {
    replyHeaders[name] = value;
  });
  const response = {
    status: res.status,
    headers: replyHeaders,
    body: cut(maskSecrets(text, secrets)),
  };
  const exchange = { step, request, response, ms: elapsed() };
  if (!res.ok) {
    const hint =
      res.status === 401 || res.status === 403
        ? " (check the backend's authentication: method, user and secret)"
        : res.status === 404
          ? ` (is ${target.url} the backend's base URL? It has no ${path})`
          : "";
    return { exchange: { ...exchange, error: `the backend answered HTTP ${res.status}${hint}` } };
  }
  try {
    return { exchange: { ...exchange, error: null }, json: JSON.parse(text) as unknown };
  } catch {
    const ct = res.headers.get("content-type") ?? "no content type";
    return {
      exchange: {
        ...exchange,
        error: `the backend's answer is not JSON (${ct}): ${JSON.stringify(text.slice(0, 80))}`,
      },
    };
  }
};

import type { BackendExchange, ModelBackend, ModelBackendCreate, ModelBackendJob } from "@labelbench/schema";

/** The add-a-model-server form as typed. */
export interface BackendForm {
  name: string;
  url: string;
  authMethod: "none" | "basic" | "token";
  basicUser: string;
  secret: string;
  maxConcurrency: string;
  batchSize: string;
  timeoutSeconds: string;
}
export type BackendFormErrors = Partial<Record<keyof BackendForm, string>>;

export const EMPTY_FORM: BackendForm = {
  name: "",
  url: "",
  authMethod: "none",
  basicUser: "",
  secret: "",
  maxConcurrency: "2",
  batchSize: "8",
  timeoutSeconds: "60",
};

/** A stored backend in the form, to edit it: the secret is never sent back, so it starts blank. */
export const formOf = (b: ModelBackend): BackendForm => ({
  name: b.name,
  url: b.url,
  authMethod: b.authMethod,
  basicUser: b.basicUser ?? "",
  secret: "",
  maxConcurrency: String(b.maxConcurrency),
  batchSize: String(b.batchSize),
  timeoutSeconds: String(b.timeoutSeconds),
});

const whole = (v: string, min: number, max: number): number | null => {
  const n = Number(v.trim());
  return Number.isInteger(n) && n >= min && n <= max ? n : null;
};

/** The form read into a create request, or what to fix, field by field. */
export const readBackendForm = (
  f: BackendForm,
  /** Editing a backend that has a secret for this method: a blank secret keeps it. */
  stored: { authMethod: BackendForm["authMethod"]; hasSecret: boolean } | null = null,
): { body: ModelBackendCreate } | { errors: BackendFormErrors } => {
  const keepSecret = stored?.hasSecret === true && stored.authMethod === f.authMethod && !f.secret;
  const errors: BackendFormErrors = {};
  if (!f.name.trim()) errors.name = "give the model server a name";
  let url = f.url.trim();
  try {
    const u = new URL(url);
    if (u.protocol !== "http:" && u.protocol !== "https:")
      errors.url = "the URL must start with http:// or https://";
  } catch {
    errors.url = "enter the backend's base URL, e.g. http://localhost:9090";
  }
  url = url.replace(/\/+$/, "");
  if (f.authMethod === "basic" && !f.basicUser.trim())
    errors.basicUser = "basic authentication needs a user name";
  if (f.authMethod !== "none" && !f.secret)
    errors.secret = f.authMethod === "basic" ? "enter the password" : "enter the token";
  const maxConcurrency = whole(f.maxConcurrency, 1, 16);
  if (maxConcurrency === null) errors.maxConcurrency = "a whole number from 1 to 16";
  const batchSize = whole(f.batchSize, 1, 100);
  if (batchSize === null) errors.batchSize = "a whole number from 1 to 100";
  const timeoutSeconds = whole(f.timeoutSeconds, 1, 3600);
  if (timeoutSeconds === null) errors.timeoutSeconds = "a whole number of seconds from 1 to 3600";
  if (
    Object.keys(errors).length > 0 ||
    maxConcurrency === null ||
    batchSize === null ||
    timeoutSeconds === null
  )
    return { errors };
  return {
    body: {
      name: f.name.trim(),
      url,
      authMethod: f.authMethod,
      basicUser: f.authMethod === "basic" ? f.basicUser.trim() : null,
      ...(keepSecret ? {} : { secret: f.authMethod === "none" ? null : f.secret }),
      maxConcurrency,
      batchSize,
      timeoutSeconds,
    },
  };
};

/** An exchange as text, as it went over the wire (secrets already masked by the server). */
export const exchangeText = (e: BackendExchange): { request: string; response: string } => {
  const pretty = (body: string | null) => {
    if (body === null || body === "") return "";
    try {
      return JSON.stringify(JSON.parse(body), null, 2);
    } catch {
      return body;
    }
  };
  const headers = (h: Record<string, string>) =>
    Object.entries(h)
      .map(([k, v]) => `${k}: ${v}`)
      .join("\n");
  const request = `${e.request.method} ${e.request.url}\n${headers(e.request.headers)}${e.request.body ? `\n\n${pretty(e.request.body)}` : ""}`;
  const response = e.response
    ? `HTTP ${e.response.status}\n${headers(e.response.headers)}\n\n${pretty(e.response.body)}`
    : `(no answer) ${e.error ?? ""}`;
  return { request, response };
};

export const isOpen = (j: Pick<ModelBackendJob, "state">): boolean =>
  j.state === "queued" || j.state === "running";

/** One line on a job's progress: "12 / 40 images, 1 failed". */
export const jobSummary = (j: ModelBackendJob): string => {
  const n = j.done + j.failed;
  const base = `${n} / ${j.total} image${j.total === 1 ? "" : "s"}`;
  return j.failed > 0 ? `${base}, ${j.failed} failed` : base;
};

import { FieldIssue } from "@labelbench/schema";
import { ApiError } from "../api/client";
import { messageOf } from "../ui/toast-store";

export type FieldErrors = Partial<Record<string, string>>;

/**
 * Per-field messages from a 400's details (`[{ path: "body.password", message }]`), keyed by the
 * field name (`password`), so each message shows under its own input. The first message per field wins.
 */
export const fieldErrorsFromDetails = (details: unknown): FieldErrors => {
  const parsed = FieldIssue.array().safeParse(details);
  if (!parsed.success) return {};
  const out: FieldErrors = {};
  for (const issue of parsed.data) {
    const key = issue.path.replace(/^(body|query|params)\./, "").split(".")[0] ?? issue.path;
    out[key] ??= issue.message;
  }
  return out;
};

/** The same from a local zod check (`Schema.safeParse(form)`), before anything is sent. */
export const fieldErrorsFromIssues = (
  issues: readonly { path: readonly PropertyKey[]; message: string }[],
) => {
  const out: FieldErrors = {};
  for (const issue of issues) {
    const key = String(issue.path[0] ?? "");
    out[key] ??= issue.message;
  }
  return out;
};

/**
 * Errors found before a form with a new password is sent: the schema's, then whether the new
 * password (the field `passwordField`) was typed the same twice.
 */
export const newPasswordFormErrors = (
  issues: readonly { path: readonly PropertyKey[]; message: string }[],
  passwordField: string,
  password: string,
  confirm: string,
): FieldErrors => {
  const out = fieldErrorsFromIssues(issues);
  if (!out[passwordField] && password !== confirm) out.confirm = "the passwords do not match";
  return out;
};

/** Server messages are lowercase fragments ("email or password is incorrect"); a form shows a sentence. */
export const sentence = (message: string): string => {
  const t = message.trim();
  if (!t) return t;
  const s = t.charAt(0).toUpperCase() + t.slice(1);
  return /[.!?]$/.test(s) ? s : `${s}.`;
};

/** "try again in 898 s" reads better as "try again in 15 minutes"; short waits stay in seconds. */
export const readableWait = (message: string): string =>
  message.replace(/\b(\d+) s\b/g, (whole, raw: string) => {
    const s = Number(raw);
    if (s < 90) return whole;
    const min = Math.ceil(s / 60);
    return `${min} minutes`;
  });

/** Where a refusal goes in a form: the server's per-field details under their inputs, the rest on top. */
export const splitFormError = (err: unknown): { fields: FieldErrors; form: string | null } => {
  const fields = err instanceof ApiError ? fieldErrorsFromDetails(err.details) : {};
  return Object.keys(fields).length > 0
    ? { fields, form: null }
    : { fields: {}, form: sentence(messageOf(err)) };
};

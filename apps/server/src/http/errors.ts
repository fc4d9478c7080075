import { type ErrorCode, type ErrorEnvelope, type FieldIssue, HTTP_STATUS_OF } from "@labelbench/schema";
import type { ErrorRequestHandler } from "express";
import type { Logger } from "pino";
import { ZodError } from "zod";

/** An expected failure: the one error handler turns it into the envelope with the code's status. */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
  get status(): number {
    return HTTP_STATUS_OF[this.code];
  }
}

export const notFound = (what: string, id: number | string): AppError =>
  new AppError("NOT_FOUND", `${what} ${id} does not exist`);

export const zodIssues = (err: ZodError, prefix?: string): FieldIssue[] =>
  err.issues.map((i) => ({
    path: [prefix, ...i.path.map(String)].filter((p) => p !== undefined && p !== "").join(".") || "(root)",
    message: i.message,
  }));

export const envelope = (code: ErrorCode, message: string, details?: unknown): ErrorEnvelope => ({
  error: details === undefined ? { code, message } : { code, message, details },
});

interface HttpParserError {
  type?: string;
  status?: number;
  message?: string;
}

export const errorHandler =
  (log: Logger): ErrorRequestHandler =>
  (err: unknown, req, res, _next) => {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    if (err instanceof AppError) {
      res.status(err.status).json(envelope(err.code, err.message, err.details));
      return;
    }
    if (err instanceof ZodError) {
      const details = zodIssues(err);
      const summary = details.map((d) => `${d.path}: ${d.message}`).join("; ");
      res.status(400).json(envelope("VALIDATION_ERROR", `invalid request: ${summary}`, details));
      return;
    }
    const e = err as HttpParserError;
    if (e?.type === "entity.parse.failed") {
      res.status(400).json(envelope("BAD_JSON", `request body is not valid JSON: ${e.message ?? ""}`.trim()));
      return;
    }
    if (e?.type === "entity.too.large") {
      res.status(413).json(envelope("PAYLOAD_TOO_LARGE", "request body is too large"));
      return;
    }
    log.error({ err, method: req.method, url: req.originalUrl }, "unhandled error");
    res.status(500).json(envelope("INTERNAL", "internal server error"));
  };

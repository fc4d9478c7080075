import {
  type ErrorCode,
  type ErrorDetails,
  type ErrorEnvelope,
  type FieldIssue,
  HTTP_STATUS_OF,
} from "@labelbench/schema";
import type { ErrorRequestHandler } from "express";
import type { Logger } from "pino";
import { ZodError } from "zod";

/** An expected failure: the one error handler turns it into the envelope with the code's status. */
export class AppError<C extends ErrorCode = ErrorCode> extends Error {
  constructor(
    readonly code: C,
    message: string,
    /** Typed per code by ERROR_DETAILS (packages/schema/src/errors.ts). */
    readonly details?: ErrorDetails<C>,
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
  /** Set by body-parser on `charset.unsupported` and `encoding.unsupported`. */
  charset?: string;
  encoding?: string;
}

/** body-parser's refusals of what the client sent: each a 4xx of its own, never a 500. */
const parserErrorEnvelope = (e: HttpParserError): [number, ErrorEnvelope] | null => {
  switch (e.type) {
    case "entity.parse.failed":
      return [400, envelope("BAD_JSON", `request body is not valid JSON: ${e.message ?? ""}`.trim())];
    case "entity.too.large":
      return [413, envelope("PAYLOAD_TOO_LARGE", "request body is too large")];
    case "charset.unsupported":
      return [
        415,
        envelope(
          "UNSUPPORTED_MEDIA_TYPE",
          `charset "${e.charset ?? ""}" is not supported; send JSON as UTF-8 (Content-Type: application/json; charset=utf-8)`,
        ),
      ];
    case "encoding.unsupported":
      return [
        415,
        envelope(
          "UNSUPPORTED_MEDIA_TYPE",
          `Content-Encoding "${e.encoding ?? ""}" is not supported; use gzip, deflate, br or none`,
        ),
      ];
    case "request.size.invalid":
      return [400, envelope("VALIDATION_ERROR", "request body is shorter or longer than its Content-Length")];
    case "request.aborted":
      return [400, envelope("VALIDATION_ERROR", "the client aborted the request body")];
    default:
      return null;
  }
};

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
    const parsed =
      typeof err === "object" && err !== null ? parserErrorEnvelope(err as HttpParserError) : null;
    if (parsed) {
      res.status(parsed[0]).json(parsed[1]);
      return;
    }
    log.error({ err, method: req.method, url: req.originalUrl }, "unhandled error");
    res.status(500).json(envelope("INTERNAL", "internal server error"));
  };

import express from "express";
import pino from "pino";
import request from "supertest";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { AppError, errorHandler, notFound, zodIssues } from "./errors.js";

/** A bare app whose one route throws `err`, behind the real error handler. */
const throwing = (err: unknown) => {
  const app = express();
  app.use(express.json({ limit: "1kb" }));
  app.post("/x", () => {
    throw err;
  });
  app.use(errorHandler(pino({ level: "silent" })));
  return app;
};

describe("errorHandler", () => {
  it("turns an AppError into its status and envelope", async () => {
    const res = await request(
      throwing(new AppError("LABEL_IN_USE", "in use", { annotations: 3, tags: 0 })),
    ).post("/x");
    expect(res.status).toBe(409);
    expect(res.body).toEqual({
      error: { code: "LABEL_IN_USE", message: "in use", details: { annotations: 3, tags: 0 } },
    });
  });

  it("omits details when there are none", async () => {
    const res = await request(throwing(notFound("image", 7))).post("/x");
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ error: { code: "NOT_FOUND", message: "image 7 does not exist" } });
  });

  it("turns a ZodError into a 400 listing the field paths", async () => {
    const r = z.object({ a: z.object({ b: z.number() }) }).safeParse({ a: { b: "x" } });
    if (r.success) throw new Error("should fail");
    const res = await request(throwing(r.error)).post("/x");
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("VALIDATION_ERROR");
    expect(res.body.error.details).toEqual([{ path: "a.b", message: expect.any(String) }]);
  });

  it("answers BAD_JSON for unparseable JSON and PAYLOAD_TOO_LARGE for an oversized body", async () => {
    const app = throwing(new Error("unreachable"));
    const bad = await request(app).post("/x").set("Content-Type", "application/json").send("{nope");
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe("BAD_JSON");
    const big = await request(app)
      .post("/x")
      .send({ s: "x".repeat(5000) });
    expect(big.status).toBe(413);
    expect(big.body.error.code).toBe("PAYLOAD_TOO_LARGE");
  });

  it("hides the message of an unexpected error behind INTERNAL", async () => {
    const res = await request(throwing(new Error("secret path /etc/db"))).post("/x");
    expect(res.status).toBe(500);
    expect(res.body).toEqual({ error: { code: "INTERNAL", message: "internal server error" } });
  });
});

describe("zodIssues", () => {
  it("prefixes paths and names the root", () => {
    const r = z.string().safeParse(1);
    if (r.success) throw new Error("should fail");
    expect(zodIssues(r.error)[0]?.path).toBe("(root)");
    expect(zodIssues(r.error, "body")[0]?.path).toBe("body");
  });
});

import { describe, expect, it } from "vitest";
import { EMPTY_FORM, exchangeText, formOf, jobSummary, readBackendForm } from "./model-servers-model";

describe("the model server form", () => {
  it("reads a valid form into the create request, without a trailing slash", () => {
    expect(readBackendForm({ ...EMPTY_FORM, name: " YOLO ", url: "http://gpu:9090/" })).toEqual({
      body: {
        name: "YOLO",
        url: "http://gpu:9090",
        authMethod: "none",
        basicUser: null,
        secret: null,
        maxConcurrency: 2,
        batchSize: 8,
        timeoutSeconds: 60,
      },
    });
  });
  it("names each field to fix", () => {
    expect(
      readBackendForm({ ...EMPTY_FORM, url: "gpu:9090", authMethod: "basic", maxConcurrency: "0" }),
    ).toEqual({
      errors: {
        name: "give the model server a name",
        url: "the URL must start with http:// or https://",
        basicUser: "basic authentication needs a user name",
        secret: "enter the password",
        maxConcurrency: "a whole number from 1 to 16",
      },
    });
  });
});

describe("editing a model server", () => {
  const stored = {
    id: 1,
    projectId: 1,
    name: "YOLO",
    url: "http://gpu:9090",
    authMethod: "basic" as const,
    basicUser: "ls",
    secretHint: "••••a1b2",
    maxConcurrency: 2,
    timeoutSeconds: 60,
    batchSize: 8,
    extraParams: {},
    isInteractive: false,
    createdBy: null,
    createdAt: "",
    updatedAt: "",
  };
  it("keeps the stored secret when the field is left blank, and sends a new one when typed", () => {
    const keep = readBackendForm(formOf(stored), { authMethod: "basic", hasSecret: true });
    expect("body" in keep && "secret" in keep.body).toBe(false);
    const typed = readBackendForm(
      { ...formOf(stored), secret: "new-pass" },
      { authMethod: "basic", hasSecret: true },
    );
    expect("body" in typed && typed.body.secret).toBe("new-pass");
  });
  it("needs a secret when the method changes to one that has none stored", () => {
    expect(
      readBackendForm({ ...formOf(stored), authMethod: "token" }, { authMethod: "basic", hasSecret: true }),
    ).toEqual({
      errors: { secret: "enter the token" },
    });
  });
});

describe("exchanges and jobs as text", () => {
  it("shows the request and the response as they went over the wire, JSON indented", () => {
    const t = exchangeText({
      step: "setup",
      request: {
        method: "POST",
        url: "http://b/setup",
        headers: { authorization: "Basic ••••" },
        body: '{"a":1}',
      },
      response: {
        status: 200,
        headers: { "content-type": "application/json" },
        body: '{"model_version":"v1"}',
      },
      error: null,
      ms: 3,
    });
    expect(t.request).toBe('POST http://b/setup\nauthorization: Basic ••••\n\n{\n  "a": 1\n}');
    expect(t.response).toBe('HTTP 200\ncontent-type: application/json\n\n{\n  "model_version": "v1"\n}');
  });
  it("sums up a job's progress", () => {
    const j = { total: 40, done: 11, failed: 1 } as Parameters<typeof jobSummary>[0];
    expect(jobSummary(j)).toBe("12 / 40 images, 1 failed");
  });
});

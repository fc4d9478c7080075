import { describe, expect, it } from "vitest";
import { ApiError, detailsOf } from "./client";

describe("detailsOf", () => {
  const set = { imageId: 4, revision: 2, annotations: [], tags: [7] };

  it("parses the details with the schema of the refusal's code", () => {
    expect(detailsOf(new ApiError(409, "REVISION_CONFLICT", "stale", set), "REVISION_CONFLICT")).toEqual(set);
    expect(
      detailsOf(new ApiError(409, "LABEL_IN_USE", "in use", { annotations: 3, tags: 0 }), "LABEL_IN_USE"),
    ).toEqual({ annotations: 3, tags: 0 });
    expect(
      detailsOf(
        new ApiError(400, "VALIDATION_ERROR", "bad", [{ path: "body.name", message: "empty" }]),
        "VALIDATION_ERROR",
      ),
    ).toEqual([{ path: "body.name", message: "empty" }]);
  });

  it("answers null for another code, details that do not fit, or an error that is not the API's", () => {
    expect(detailsOf(new ApiError(409, "CONFLICT", "taken", set), "REVISION_CONFLICT")).toBeNull();
    expect(
      detailsOf(new ApiError(409, "LABEL_IN_USE", "in use", { annotations: 3 }), "LABEL_IN_USE"),
    ).toBeNull();
    expect(detailsOf(new Error("boom"), "VALIDATION_ERROR")).toBeNull();
  });
});

import { describe, expect, it } from "vitest";
import {
  comparisonHref,
  dashboardSearch,
  imagesHref,
  imagesSearch,
  parseComparisonScope,
  parseDashboardScope,
  parseImagesScope,
} from "./quality-scope";

describe("dashboard scope", () => {
  it("reads the view, kind, weeks and annotator; defaults for anything malformed", () => {
    expect(
      parseDashboardScope(new URLSearchParams("view=labels&kind=audit&from=2026-11-02&annotatorId=3")),
    ).toEqual({ view: "labels", kind: "audit", from: "2026-11-02", to: undefined, annotatorId: 3 });
    expect(
      parseDashboardScope(new URLSearchParams("view=nope&kind=overlap&from=yesterday&annotatorId=-1")),
    ).toEqual({ view: "annotators", kind: "gold", from: undefined, to: undefined, annotatorId: undefined });
  });

  it("writes only what differs from the defaults, and reads back what it wrote", () => {
    const s = parseDashboardScope(new URLSearchParams("view=weeks&to=2026-12-06"));
    expect(dashboardSearch(s)).toBe("?view=weeks&to=2026-12-06");
    expect(parseDashboardScope(new URLSearchParams(dashboardSearch(s)))).toEqual(s);
    expect(dashboardSearch(parseDashboardScope(new URLSearchParams()))).toBe("");
  });
});

describe("images scope", () => {
  it("reads each filter with the endpoint's schema and drops a bad one alone", () => {
    const s = parseImagesScope(
      new URLSearchParams("annotatorId=3&outcome=fn&labelId=abc&reference=none&checked=7"),
    );
    expect(s).toMatchObject({ kind: "gold", annotatorId: 3, outcome: "fn", reference: "none", checked: 7 });
    expect(s.labelId).toBeUndefined();
  });

  it("links a count to its images with the defaults left out", () => {
    expect(imagesSearch({ kind: "gold", annotatorId: 3, outcome: "mismatched", order: "errors" })).toBe(
      "?annotatorId=3&outcome=mismatched",
    );
    expect(imagesHref(1, { reference: 2, checked: "none" })).toBe(
      "/projects/1/quality/images?reference=2&checked=none",
    );
    const back = parseImagesScope(new URLSearchParams(imagesSearch({ week: "2026-11-02", kind: "overlap" })));
    expect(back).toMatchObject({ week: "2026-11-02", kind: "overlap" });
  });
});

describe("comparison scope", () => {
  it("links an image's comparison and reads it back", () => {
    const href = comparisonHref(1, 5, { kind: "overlap", userId: 3, referenceKey: 4 });
    expect(href).toBe("/projects/1/quality/images/5?userId=3&referenceKey=4&kind=overlap");
    expect(parseComparisonScope(new URL(href, "http://x").searchParams)).toEqual({
      kind: "overlap",
      userId: 3,
      referenceKey: 4,
    });
  });

  it("has no comparison without whose work it is", () => {
    expect(parseComparisonScope(new URLSearchParams("referenceKey=0"))).toBeNull();
  });
});

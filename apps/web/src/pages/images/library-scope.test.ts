import { describe, expect, it } from "vitest";
import { parseScope, scopeQuery, scopeSearch, withScope } from "./library-scope";

describe("library scope in the URL", () => {
  it("defaults to every image in natural name order", () => {
    expect(parseScope(new URLSearchParams(""))).toEqual({
      status: undefined,
      q: "",
      folder: "",
      sort: "name",
      order: "asc",
    });
    expect(scopeSearch(parseScope(new URLSearchParams("")))).toBe("");
  });

  it("reads status, search, sort and order, with each sort's own default direction", () => {
    expect(parseScope(new URLSearchParams("status=done&q=+cam_a+&sort=edited"))).toEqual({
      status: "done",
      q: "cam_a",
      folder: "",
      sort: "edited",
      order: "desc",
    });
    expect(parseScope(new URLSearchParams("sort=annotations&order=asc")).order).toBe("asc");
  });

  it("ignores unknown values instead of failing", () => {
    expect(parseScope(new URLSearchParams("status=finished&sort=size&order=up"))).toEqual({
      status: undefined,
      q: "",
      folder: "",
      sort: "name",
      order: "asc",
    });
  });

  it("round-trips through the search string, leaving defaults out", () => {
    for (const qs of [
      "",
      "status=new",
      "q=cam_a%2F",
      "sort=added",
      "sort=added&order=desc",
      "sort=edited&order=asc",
    ]) {
      const s = parseScope(new URLSearchParams(qs));
      expect(parseScope(new URLSearchParams(scopeSearch(s).slice(1)))).toEqual(s);
    }
    expect(scopeSearch(parseScope(new URLSearchParams("sort=edited&order=desc")))).toBe("?sort=edited");
    expect(scopeQuery(parseScope(new URLSearchParams("q=x")))).toEqual({
      status: undefined,
      q: "x",
      folder: undefined,
      sort: "name",
      order: "asc",
    });
  });

  it("reads a folder with its trailing slash and keeps it in the URL", () => {
    const s = parseScope(new URLSearchParams("folder=%2Fcam_a%2Fday1"));
    expect(s.folder).toBe("cam_a/day1/");
    expect(scopeSearch(s)).toBe("?folder=cam_a%2Fday1%2F");
    expect(scopeQuery(s).folder).toBe("cam_a/day1/");
  });

  it("replaces the scope's parameters and keeps the others", () => {
    const p = withScope(new URLSearchParams("sort=added&other=1"), {
      status: "done",
      q: "",
      folder: "",
      predictionRun: undefined,
      sort: "name",
      order: "desc",
    });
    expect(p.toString()).toBe("other=1&status=done&order=desc");
  });
});

describe("library scope: a prediction run's pending work (issue 17)", () => {
  it("reads the run from the URL, keeps it, and passes it to the API", () => {
    const s = parseScope(new URLSearchParams("predictionRun=12&status=new"));
    expect(s.predictionRun).toBe(12);
    expect(scopeSearch(s)).toBe("?status=new&predictionRun=12");
    expect(scopeQuery(s).predictionRun).toBe(12);
    expect(
      withScope(new URLSearchParams("view=grid&predictionRun=12"), {
        ...s,
        predictionRun: undefined,
      }).toString(),
    ).toBe("view=grid&status=new");
  });

  it("ignores a run that is not a positive whole number", () => {
    for (const raw of ["0", "-1", "1.5", "abc", "012", ""])
      expect(parseScope(new URLSearchParams({ predictionRun: raw })).predictionRun).toBeUndefined();
  });
});

import { describe, expect, it } from "vitest";
import { api, type Endpoint, type EndpointName } from "./contract.js";
import { API_BASE, apiPath } from "./urls.js";

describe("apiPath", () => {
  it("fills each path parameter, URL-encoded, under the API base", () => {
    expect(apiPath("exportDataset", { projectId: 3 })).toBe("/api/v1/projects/3/export");
    expect(apiPath("imageTile", { imageId: 5, level: 0, x: 0, y: 12 })).toBe("/api/v1/images/5/tiles/0/0/12");
    expect(apiPath("getProject", { projectId: "a/b" })).toBe("/api/v1/projects/a%2Fb");
    expect(apiPath("health")).toBe("/api/v1/health");
  });

  it("builds, for every endpoint, a path whose segments its params schema reads back", () => {
    for (const [name, e] of Object.entries(api) as [EndpointName, Endpoint][]) {
      const names = e.path.split("/").filter((s) => s.startsWith(":"));
      const params = Object.fromEntries(names.map((s, i) => [s.slice(1), i + 1]));
      const built = apiPath(name, params as never)
        .slice(API_BASE.length)
        .split("/");
      const template = e.path.split("/");
      expect(built.length, name).toBe(template.length);
      const read = Object.fromEntries(
        template.flatMap((seg, i) => (seg.startsWith(":") ? [[seg.slice(1), built[i]]] : [])),
      );
      expect(e.params.parse(read), name).toEqual(params);
    }
  });
});

import { describe, expect, it } from "vitest";
import { ancestorsOf, buildFolderTree } from "./folder-tree";

describe("folder tree", () => {
  it("adds ancestors without images of their own, sums counts upwards and sorts siblings", () => {
    const tree = buildFolderTree({
      folders: [
        { path: "cam_b/", images: 2 },
        { path: "cam_a/day2/", images: 3 },
        { path: "cam_a/", images: 1 },
        { path: "x/y/z/", images: 4 },
      ],
      root: 5,
      total: 15,
    });
    expect(tree.map((n) => [n.path, n.images])).toEqual([
      ["cam_a/", 4],
      ["cam_b/", 2],
      ["x/", 4],
    ]);
    expect(tree[0]?.children.map((n) => [n.name, n.path, n.images])).toEqual([["day2", "cam_a/day2/", 3]]);
    const x = tree[2];
    expect(x?.children[0]?.path).toBe("x/y/");
    expect(x?.children[0]?.images).toBe(4);
    expect(x?.children[0]?.children[0]).toEqual({ name: "z", path: "x/y/z/", images: 4, children: [] });
  });

  it("names the folders a path lies in", () => {
    expect(ancestorsOf("a/b/")).toEqual(["a/", "a/b/"]);
    expect(ancestorsOf("")).toEqual([]);
  });
});

import { describe, expect, it } from "vitest";
import { collectDrop, type EntryLike, fromFileList, sortByPath, walkEntries } from "./folder-walk";

interface FakeFile {
  name: string;
  webkitRelativePath?: string;
}

type Tree = { [name: string]: Tree | "file" | "unreadable" };

/** Builds a fake entries tree; directories hand out entries in chunks like Chrome does (here: 2). */
const entry = (name: string, node: Tree | "file" | "unreadable", parent = ""): EntryLike<FakeFile> => {
  const fullPath = `${parent}/${name}`;
  if (node === "file" || node === "unreadable") {
    return {
      isFile: true,
      isDirectory: false,
      name,
      fullPath,
      file: (ok, fail) => (node === "file" ? ok({ name }) : fail?.(new Error("permission denied"))),
    };
  }
  const children = Object.entries(node).map(([n, c]) => entry(n, c, fullPath));
  return {
    isFile: false,
    isDirectory: true,
    name,
    fullPath,
    createReader: () => {
      let offset = 0;
      return {
        readEntries: (ok) => {
          const chunk = children.slice(offset, offset + 2);
          offset += chunk.length;
          setTimeout(() => ok(chunk), 0);
        },
      };
    },
  };
};

describe("walkEntries", () => {
  it("flattens nested folders depth-first in natural name order, reading every chunk", async () => {
    const root = entry("shoot", {
      "img10.jpg": "file",
      "img2.jpg": "file",
      "img1.jpg": "file",
      day2: { "b.png": "file", "a.png": "file" },
      day1: { nested: { "deep.jpg": "file" }, "x.jpg": "file" },
    });
    const w = await walkEntries([root]);
    expect(w.files.map((f) => f.path)).toEqual([
      "shoot/day1/nested/deep.jpg",
      "shoot/day1/x.jpg",
      "shoot/day2/a.png",
      "shoot/day2/b.png",
      "shoot/img1.jpg",
      "shoot/img2.jpg",
      "shoot/img10.jpg",
    ]);
    expect(w.files[0]?.file).toEqual({ name: "deep.jpg" });
    expect(w.skipped).toEqual([]);
  });

  it("skips system files and hidden folders, and reports unreadable files without stopping", async () => {
    const root = entry("set", {
      ".DS_Store": "file",
      "Thumbs.db": "file",
      ".git": { "config.jpg": "file" },
      "broken.jpg": "unreadable",
      "ok.jpg": "file",
    });
    const w = await walkEntries([root]);
    expect(w.files.map((f) => f.path)).toEqual(["set/ok.jpg"]);
    expect(w.skipped).toEqual([
      { path: "set/.DS_Store", reason: "hidden or system file" },
      { path: "set/broken.jpg", reason: "file could not be read: permission denied" },
      { path: "set/Thumbs.db", reason: "hidden or system file" },
    ]);
  });

  it("walks several roots in the order given", async () => {
    const w = await walkEntries([entry("b.jpg", "file"), entry("a", { "1.jpg": "file" })]);
    expect(w.files.map((f) => f.path)).toEqual(["b.jpg", "a/1.jpg"]);
  });
});

describe("collectDrop", () => {
  it("takes entries for files and folders and falls back to getAsFile without the entries API", async () => {
    const dt = {
      items: [
        {
          kind: "file",
          webkitGetAsEntry: () => entry("pics", { "1.jpg": "file", "2.jpg": "file" }),
          getAsFile: () => null,
        },
        { kind: "string", getAsFile: () => null },
        { kind: "file", webkitGetAsEntry: () => null, getAsFile: () => ({ name: "loose.png" }) },
      ],
    };
    const w = await collectDrop<FakeFile>(dt);
    expect(w.files.map((f) => f.path)).toEqual(["loose.png", "pics/1.jpg", "pics/2.jpg"]);
  });

  it("reads dt.files when the browser gives no items", async () => {
    const w = await collectDrop<FakeFile>({ files: [{ name: "a.jpg" }, { name: "b.jpg" }] });
    expect(w.files.map((f) => f.path)).toEqual(["a.jpg", "b.jpg"]);
  });
});

describe("fromFileList", () => {
  it("keeps folder paths from a directory picker and drops system files", () => {
    const w = fromFileList<FakeFile>([
      { name: "a.jpg", webkitRelativePath: "album/a.jpg" },
      { name: ".DS_Store", webkitRelativePath: "album/.DS_Store" },
      { name: "b.jpg", webkitRelativePath: "" },
    ]);
    expect(w.files.map((f) => f.path)).toEqual(["album/a.jpg", "b.jpg"]);
    expect(w.skipped).toEqual([{ path: "album/.DS_Store", reason: "hidden or system file" }]);
  });
});

describe("sortByPath", () => {
  it("puts a picked folder's files in natural path order, the library's order", () => {
    // The order a directory picker may hand them out in.
    const w = fromFileList<FakeFile>(
      [
        "shoot/img10.jpg",
        "shoot/cam_b/0001.jpg",
        "shoot/img2.jpg",
        "shoot/cam_a/0001.jpg",
        "shoot/Img1.jpg",
      ].map((p) => ({ name: p.split("/").pop() ?? p, webkitRelativePath: p })),
    );
    expect(sortByPath(w.files).map((f) => f.path)).toEqual([
      "shoot/cam_a/0001.jpg",
      "shoot/cam_b/0001.jpg",
      "shoot/Img1.jpg",
      "shoot/img2.jpg",
      "shoot/img10.jpg",
    ]);
  });
});

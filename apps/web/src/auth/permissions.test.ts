import { describe, expect, it } from "vitest";
import { can } from "./permissions";

describe("can", () => {
  it("gives admins everything", () => {
    for (const a of ["createProject", "manageProject", "export", "manageUsers"] as const) {
      expect(can("admin", a)).toBe(true);
    }
  });

  it("gives managers everything but the users admin", () => {
    expect(can("manager", "createProject")).toBe(true);
    expect(can("manager", "manageProject")).toBe(true);
    expect(can("manager", "export", { annotatorsCanExport: false })).toBe(true);
    expect(can("manager", "manageUsers")).toBe(false);
  });

  it("keeps annotators away from a project's setup and from creating projects", () => {
    expect(can("annotator", "createProject")).toBe(false);
    expect(can("annotator", "manageProject")).toBe(false);
    expect(can("annotator", "manageUsers")).toBe(false);
  });

  it("lets annotators export only where the project allows it", () => {
    expect(can("annotator", "export", { annotatorsCanExport: true })).toBe(true);
    expect(can("annotator", "export", { annotatorsCanExport: false })).toBe(false);
    expect(can("annotator", "export")).toBe(false);
  });
});

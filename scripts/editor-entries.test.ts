import * as editor from "@labelbench/editor";
import * as testing from "@labelbench/editor/testing";
import { describe, expect, it } from "vitest";

// TestEditor drives the editor core in tests (web, bench, the editor's own); the app bundle has no
// use for it, so it lives behind the /testing subpath and the main entry does not carry it.
describe("@labelbench/editor entry points", () => {
  it("keeps the test harness out of the main entry", () => {
    for (const name of ["TestEditor", "DEFAULT_TEST_LABELS", "keyEventFor", "makeLabel"]) {
      expect(Object.keys(editor)).not.toContain(name);
      expect(Object.keys(testing)).toContain(name);
    }
  });

  it("serves a working TestEditor from @labelbench/editor/testing", () => {
    const ed = new testing.TestEditor();
    expect(ed.shapes()).toEqual([]);
    expect(ed.toolPath).toMatch(/^\w+\.\w+$/);
  });
});

import { TestEditor } from "@labelbench/editor/testing";
import { describe, expect, it } from "vitest";
import { numberIssues } from "./issue-model";
import { ReviewMarks } from "./review-marks";
import { makeDiff, makeIssue } from "./test-fixtures";

/** A context that records only where rectangles go (the shape anchor's outline is a rect for a box). */
const rects = () => {
  const out: string[] = [];
  const noop = () => {};
  const ctx = new Proxy(
    { rect: (...a: number[]) => out.push(a.join(",")), measureText: () => ({ width: 6 }) },
    { get: (t, k) => (k in t ? t[k as keyof typeof t] : noop), set: () => true },
  );
  return { ctx: ctx as unknown as CanvasRenderingContext2D, out };
};

const NO_DRAFT = { issueDraft: null };

describe("ReviewMarks: the issues and the diff on the editor's overlay", () => {
  it("a pin on a shape follows it while it is dragged and after the drop", () => {
    const t = new TestEditor({ annotations: [TestEditor.box("a", 1, 100, 100, 50, 50)] });
    const marks = new ReviewMarks();
    marks.set({ issues: numberIssues([makeIssue({ id: 1, anchor: { kind: "shape", annotationId: "a" } })]) });
    const at = () => {
      const r = rects();
      marks.draw(r.ctx, t.state);
      return r.out;
    };
    expect(at()).toEqual(["100,100,50,50"]);
    t.editor.select(["a"]);
    t.pointerDown(120, 120).pointerMove(150, 140).pointerMove(170, 160);
    expect(at()).toEqual(["150,140,50,50"]);
    t.pointerUp(170, 160);
    expect(at()).toEqual(["150,140,50,50"]);
  });

  it("says when it changed and whether it has anything to show", () => {
    const marks = new ReviewMarks();
    let changes = 0;
    marks.subscribe(() => changes++);
    expect(marks.hasContent(NO_DRAFT)).toBe(false);
    const diff = makeDiff({ added: ["x"] });
    marks.set({ diff });
    expect(marks.hasContent(NO_DRAFT)).toBe(false);
    marks.set({ showDiff: true });
    expect(marks.hasContent(NO_DRAFT)).toBe(true);
    marks.set({ showDiff: true, diff });
    expect(changes).toBe(2);
    marks.set({ showDiff: false, issues: numberIssues([makeIssue({ id: 1 })]) });
    expect(marks.hasContent(NO_DRAFT)).toBe(true);
    expect(changes).toBe(3);
  });

  it("the issue tool's draft shows where the new issue goes while the form is open", () => {
    const t = new TestEditor({ annotations: [TestEditor.box("a", 1, 100, 100, 50, 50)] });
    const marks = new ReviewMarks();
    t.editor.setTool("issue");
    const before = t.state;
    t.click(120, 120);
    expect(marks.changed(t.state, before)).toBe(true);
    expect(marks.hasContent(t.state)).toBe(true);
    const r = rects();
    marks.draw(r.ctx, t.state);
    expect(r.out).toEqual(["100,100,50,50"]);
    const open = t.state;
    t.editor.clearIssueDraft();
    expect(marks.changed(t.state, open)).toBe(true);
    expect(marks.hasContent(t.state)).toBe(false);
  });
});

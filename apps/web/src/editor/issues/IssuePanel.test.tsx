// @vitest-environment jsdom
import { createEditor, type EditorEvent } from "@labelbench/editor";
import { screenPoint } from "@labelbench/geometry";
import { act, render } from "@testing-library/react";
import { Profiler } from "react";
import { describe, expect, it } from "vitest";
import { IssuePanel } from "./IssuePanel";
import { issueRights } from "./issue-model";
import { createIssueSession, type IssueApi } from "./issue-session";
import { makeDiff, makeIssue, makeWork } from "./test-fixtures";

const api: IssueApi = {
  listIssues: async () => Array.from({ length: 30 }, (_, i) => makeIssue({ id: i + 1 })),
  work: async (imageId) => makeWork({ imageId }),
  diff: async (imageId) => makeDiff({ imageId, baseRevision: null }),
  create: async () => {
    throw new Error("not in this test");
  },
  comment: async () => {
    throw new Error("not in this test");
  },
  transition: async () => {
    throw new Error("not in this test");
  },
};

const press = (type: "pointerDown" | "pointerMove" | "pointerUp", x: number): EditorEvent => ({
  type,
  screen: screenPoint(x, 100),
  button: 1,
  shift: false,
  alt: false,
  ctrl: false,
});

describe("IssuePanel", () => {
  it("is not rendered again by a middle-button pan (the tool turns to pan and back), only by the issue tool", async () => {
    const editor = createEditor();
    editor.load({
      image: { id: 7, width: 4000, height: 3000 },
      labels: [],
      set: { annotations: [], tags: [] },
    });
    const session = createIssueSession({ api, notify: () => {} });
    session.show(7);
    await act(async () => {
      await new Promise((r) => setTimeout(r, 0));
    });
    let commits = 0;
    const view = render(
      <Profiler id="issues" onRender={() => commits++}>
        <IssuePanel editor={editor} session={session} rights={issueRights("reviewer", 2)} keys />
      </Profiler>,
    );
    expect(view.getAllByRole("listitem").length).toBeGreaterThanOrEqual(30);
    const before = commits;
    act(() => {
      editor.dispatch(press("pointerDown", 500));
    });
    expect(editor.getState().tool.id).toBe("pan");
    act(() => {
      editor.dispatch(press("pointerMove", 450));
      editor.dispatch(press("pointerUp", 450));
    });
    expect(editor.getState().tool.id).toBe("select");
    expect(commits).toBe(before);
    // The issue tool is what the panel shows: turning it on renders it.
    act(() => editor.setTool("issue"));
    expect(commits).toBeGreaterThan(before);
    expect(view.getByTestId("issue-tool").getAttribute("aria-pressed")).toBe("true");
  });
});

import { createEditor } from "@labelbench/editor";
import { describe, expect, test } from "vitest";
import { registerAppCommands } from "../app-commands";
import { groupCommands } from "../ShortcutsOverlay";
import { REVIEW_COMMANDS, registerReviewCommands } from "./review-commands";

const noop = () => {};
const appActions = {
  enabled: () => true,
  hasPrevious: () => true,
  hasNext: () => true,
  hasNextNew: () => true,
  previous: noop,
  next: noop,
  nextNew: noop,
  done: noop,
  skip: noop,
  copyFromPrevious: noop,
  saveNow: noop,
  toggleHelp: noop,
  findLabel: noop,
};

describe("review keys in the registry and the overlay", () => {
  test("the overlay lists the review keys in review mode only, and the annotator's submit in annotate mode only", () => {
    const editor = createEditor();
    registerAppCommands(editor, appActions);
    registerReviewCommands(editor, { enabled: () => true, accept: noop, reject: noop, fix: noop });
    const ids = (mode: "annotate" | "review") =>
      groupCommands(editor.commands.values(), mode).flatMap(([, cmds]) => cmds.map((c) => c.id));
    const review = ids("review");
    expect(review).toEqual(expect.arrayContaining(Object.values(REVIEW_COMMANDS)));
    expect(review).toEqual(
      expect.arrayContaining(["view.nextObject", "view.previousObject", "nav.next", "nav.previous"]),
    );
    expect(review).not.toContain("image.done");
    const annotate = ids("annotate");
    expect(annotate).toContain("image.done");
    for (const id of Object.values(REVIEW_COMMANDS)) expect(annotate).not.toContain(id);
    // Review comes first: it is what the reviewer opened the overlay for.
    expect(groupCommands(editor.commands.values(), "review")[0]?.[0]).toBe("Review");
  });

  test("E makes the image editable only while it is read-only; Y and X run in review mode", () => {
    const editor = createEditor();
    const ran: string[] = [];
    registerReviewCommands(editor, {
      enabled: () => true,
      accept: () => ran.push("accept"),
      reject: () => ran.push("reject"),
      fix: () => ran.push("fix"),
    });
    const key = (k: string) =>
      editor.dispatch({
        type: "keyDown",
        key: k,
        code: `Key${k.toUpperCase()}`,
        shift: false,
        ctrl: false,
        alt: false,
        repeat: false,
      });
    key("y");
    expect(ran).toEqual([]); // annotate mode: not the review keys
    editor.setMode("review");
    editor.setReadOnly(true);
    key("e");
    key("y");
    key("x");
    editor.setReadOnly(false);
    expect(key("e")).toBe(false);
    expect(ran).toEqual(["fix", "accept", "reject"]);
  });
});

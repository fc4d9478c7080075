import type { Command, Editor } from "@labelbench/editor";

export const ISSUE_COMMANDS = { tool: "review.issueTool", diff: "review.toggleDiff" } as const;

export interface IssueCommandActions {
  /** The user may pin issues (reviewers, managers, admins) and no dialog holds the keyboard. */
  canPin(): boolean;
  /** The image was decided before: there is a diff to show. */
  hasDiff(): boolean;
  toggleDiff(): void;
}

/**
 * The review mode's issue keys: `I` picks the issue tool, `G` shows or hides what changed since the
 * last review. Only in review mode, where the drawing tools and label hotkeys are off (a label may use
 * these letters while annotating).
 */
export const issueCommands = (a: IssueCommandActions): Command[] => [
  {
    id: ISSUE_COMMANDS.tool,
    label: "Issue tool: click a point or a shape, drag a region",
    group: "Review",
    keys: ["I"],
    canRun: () => a.canPin(),
    run: (ed) => ed.setTool(ed.getState().tool.id === "issue" ? "select" : "issue"),
  },
  {
    id: ISSUE_COMMANDS.diff,
    label: "Show or hide the changes since the last review",
    group: "Review",
    keys: ["G"],
    canRun: () => a.hasDiff(),
    run: () => a.toggleDiff(),
  },
];

/**
 * Registers the issue keys. A key a label's hotkey still holds (review mode not yet switched them
 * off) keeps its label: the command is registered without it, reachable from the panel's buttons.
 */
export const registerIssueCommands = (editor: Editor, a: IssueCommandActions): (() => void) => {
  const offs = issueCommands(a).map((c) => {
    try {
      return editor.registerCommand(c);
    } catch {
      return editor.registerCommand({ ...c, keys: [] });
    }
  });
  return () => {
    for (const off of offs) off();
  };
};

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
 * last review. Review-mode commands: a label may keep these letters for annotating.
 */
export const issueCommands = (a: IssueCommandActions): Command[] => [
  {
    id: ISSUE_COMMANDS.tool,
    label: "Issue tool: click a point or a shape, drag a region",
    group: "Review",
    keys: ["I"],
    mode: "review",
    canRun: () => a.canPin(),
    run: (ed) => ed.setTool(ed.getState().tool.id === "issue" ? "select" : "issue"),
  },
  {
    id: ISSUE_COMMANDS.diff,
    label: "Show or hide the changes since the last review",
    group: "Review",
    keys: ["G"],
    mode: "review",
    canRun: () => a.hasDiff(),
    run: () => a.toggleDiff(),
  },
];

export const registerIssueCommands = (editor: Editor, a: IssueCommandActions): (() => void) => {
  const offs = issueCommands(a).map((c) => editor.registerCommand(c));
  return () => {
    for (const off of offs) off();
  };
};

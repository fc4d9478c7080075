import type { Editor } from "@labelbench/editor";
import { centreOn, imagePoint } from "@labelbench/geometry";
import type { Issue } from "@labelbench/schema";
import { issueCentre, issueMark } from "./issue-model";

/**
 * Brings an issue to the middle of the stage at the current zoom: a shape anchor selects its shape
 * (centred by the editor), a point, a region or a deleted shape's stored bounds are centred.
 */
export const centreIssue = (editor: Editor, issue: Issue): void => {
  const s = editor.getState();
  const a = issue.anchor;
  if (a.kind === "shape" && s.doc.shapes.has(a.annotationId) && !editor.isShapeHidden(a.annotationId)) {
    editor.select([a.annotationId], { centre: true });
    return;
  }
  const c = issueCentre(issueMark(issue, (id) => s.doc.shapes.get(id)));
  if (c) editor.setViewport(centreOn(s.viewport, imagePoint(c.x, c.y), s.stageSize));
};

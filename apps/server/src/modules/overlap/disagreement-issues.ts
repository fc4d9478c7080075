import type { Consensus, ConsensusDisagreement } from "@labelbench/quality";
import type { Geometry, IssueAnchor, IssueCategory, IssueSeverity } from "@labelbench/schema";
import { geometryBox } from "../review-issues/anchor.js";

/** An issue to pin for one disagreement of a consensus: where, what kind, how bad, and why in words. */
export interface DisagreementIssue {
  anchor: IssueAnchor;
  category: IssueCategory;
  severity: IssueSeverity;
  comment: string;
}

export interface ImageFacts {
  width: number;
  height: number;
  /** The uid each consensus shape was written under, by its index in `consensus.shapes`. */
  shapeUids: readonly string[];
  labelName: (labelId: number) => string;
}

const fmt = (x: number) => String(Math.round(x * 100) / 100);

/**
 * A region around a geometry, cut to the image (a shape left out of the consensus has no uid to pin
 * on); a point at its centre when nothing of it lies inside.
 */
export const regionOf = (g: Geometry, size: { width: number; height: number }): IssueAnchor => {
  const b = geometryBox(g);
  const x0 = Math.max(0, Math.min(size.width, b.x));
  const y0 = Math.max(0, Math.min(size.height, b.y));
  const x1 = Math.max(0, Math.min(size.width, b.x + b.width));
  const y1 = Math.max(0, Math.min(size.height, b.y + b.height));
  if (x1 > x0 && y1 > y0) return { kind: "region", x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
  return { kind: "point", x: (x0 + x1) / 2, y: (y0 + y1) / 2 };
};

/**
 * The review issue each disagreement becomes (docs/quality-workflow.md, "Blind overlap"): pinned on
 * the merged shape when the consensus kept the object, on its region when it left it out, on the
 * whole image for a tag; the comment says what the annotators did, in numbers.
 */
export const disagreementIssues = (c: Consensus, facts: ImageFacts): DisagreementIssue[] => {
  const k = c.annotators;
  const onShape = (shape: number, geometry: Geometry): IssueAnchor => {
    const uid = facts.shapeUids[shape];
    return uid === undefined
      ? regionOf(geometry, facts)
      : { kind: "shape", annotationId: uid, box: geometryBox(geometry) };
  };
  const wholeImage: IssueAnchor = { kind: "region", x: 0, y: 0, width: facts.width, height: facts.height };
  return c.disagreements.map((d: ConsensusDisagreement): DisagreementIssue => {
    if (d.kind === "below_quorum")
      return {
        anchor: regionOf(d.geometry, facts),
        category: "missing",
        severity: "major",
        comment: `Drawn as ${facts.labelName(d.labelId)} by ${d.drawnBy} of ${k} annotators; the merged annotations need ${d.needed}, so they leave it out. Add it if it belongs.`,
      };
    if (d.kind === "label_tie")
      return {
        anchor: onShape(d.shape, d.geometry),
        category: "wrong_label",
        severity: "major",
        comment: `The annotators split evenly between ${d.labelIds.map(facts.labelName).join(" and ")}; the merged shape took ${facts.labelName(d.labelIds[0] ?? 0)}. Check the label.`,
      };
    if (d.kind === "low_agreement")
      return 2 * d.drawnBy <= k
        ? {
            anchor: onShape(d.shape, d.geometry),
            category: "extra",
            severity: "minor",
            comment: `Drawn by only ${d.drawnBy} of ${k} annotators; the merged annotations keep it. Check that it belongs.`,
          }
        : {
            anchor: onShape(d.shape, d.geometry),
            category: "loose",
            severity: "minor",
            comment: `The annotators' outlines overlap little (mean IoU ${fmt(d.meanIou ?? 0)}); the merged shape is their median box or most central outline. Check its extent.`,
          };
    return {
      anchor: wholeImage,
      category: "wrong_tag",
      severity: "minor",
      comment: d.kept
        ? `Tag ${facts.labelName(d.labelId)} given by only ${d.drawnBy} of ${k} annotators; the merged annotations keep it. Check it.`
        : `Tag ${facts.labelName(d.labelId)} given by ${d.drawnBy} of ${k} annotators; the merged annotations leave it out. Add it if it applies.`,
    };
  });
};

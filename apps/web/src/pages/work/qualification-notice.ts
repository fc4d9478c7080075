import type { QualificationStatus } from "@labelbench/schema";

/** What My work says of the annotator's qualification (issue 16): how many images, never which. */
export interface QualificationNotice {
  tone: "info" | "danger" | "success";
  title: string;
  text: string;
}

const pct = (share: number) => `${Math.round(share * 100)} %`;

export const qualificationNotice = (q: QualificationStatus | undefined): QualificationNotice | null => {
  if (!q || q.state === "none") return null;
  if (q.state === "failed")
    return {
      tone: "danger",
      title: "Qualification not passed",
      text: `Your accuracy on the qualification images is ${pct(q.accuracy ?? 0)}, under the ${pct(q.pass)} this project asks for. Real work stays closed until a manager lets you try again.`,
    };
  if (q.state === "passed")
    return {
      tone: "success",
      title: "Qualified",
      text: `Your accuracy on the qualification images: ${pct(q.accuracy ?? 0)} (${pct(q.pass)} needed).`,
    };
  const soFar = q.accuracy === null ? "" : ` Accuracy so far: ${pct(q.accuracy)}.`;
  return {
    tone: "info",
    title: "Qualification first",
    text: `Label ${q.required} qualification image${q.required === 1 ? "" : "s"} before real work: ${q.submitted} of ${q.required} submitted. Real work opens at ${pct(q.pass)} accuracy.${soFar}`,
  };
};

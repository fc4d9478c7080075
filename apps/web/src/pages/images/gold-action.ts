import type { GoldKind, GoldRequest, GoldResult } from "@labelbench/schema";
import { plural } from "../../ui/format";
import type { Selection } from "./selection";

/** The words for a gold image's kind (issue 16). */
export const GOLD_LABEL: Record<GoldKind, string> = { honeypot: "Honeypot", qualification: "Qualification" };

/**
 * The request marking the selected images gold (or not: null). Gold is marked by id: "every
 * matching image" is a filter the server would have to walk, so that selection marks nothing (null)
 * and the library asks for images picked by hand instead.
 */
export const goldRequest = (s: Selection, gold: GoldKind | null): GoldRequest | null =>
  s.kind === "ids" && s.ids.size > 0 ? { imageIds: [...s.ids].sort((a, b) => a - b), gold } : null;

/** One toast line for the reply: what changed, and why the rest did not (the first reason). */
export const goldSummary = (r: GoldResult, gold: GoldKind | null): { title: string; text: string } => {
  const done = r.results.filter((x) => x.status !== "refused").length;
  const refused = r.results.filter((x) => x.status === "refused");
  const what =
    gold === null
      ? `${plural(done, "image")} no longer gold`
      : `${plural(done, "image")} marked ${GOLD_LABEL[gold].toLowerCase()}`;
  const first = refused[0];
  return {
    title: refused.length === 0 ? "Gold images updated" : "Some images were not changed",
    text:
      refused.length === 0 || !first
        ? `${what}.`
        : `${what}; ${plural(refused.length, "image")} refused (image ${first.imageId}: ${first.reason ?? "refused"}).`,
  };
};

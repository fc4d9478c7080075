import { DEFAULT_LABEL_PALETTE } from "@labelbench/schema";

/**
 * Colours offered in the label colour picker: first the server's default palette, so a picked
 * colour matches what the server would have assigned; the rest widen the choice with hues that
 * stay apart from those.
 */
export const LABEL_PALETTE = [...DEFAULT_LABEL_PALETTE, "#1f3a93", "#d62728", "#2ca02c", "#8c564b"] as const;

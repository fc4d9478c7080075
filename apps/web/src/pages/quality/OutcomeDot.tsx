import { OUTCOME_STYLE, type Outcome } from "./comparison-model";

/** The small swatch of an outcome, as the comparison view draws it: missing is dashed, the rest filled. */
export function OutcomeDot({ outcome }: { outcome: Outcome }) {
  const s = OUTCOME_STYLE[outcome];
  const dashed = s.dash.length > 0;
  return (
    <span
      className={`outcome-dot${dashed ? " outcome-dot--dashed" : ""}`}
      style={dashed ? { color: s.colour } : { background: s.colour }}
      aria-hidden="true"
    />
  );
}

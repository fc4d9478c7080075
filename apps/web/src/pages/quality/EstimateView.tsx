import type { Estimate } from "@labelbench/schema";
import { Link } from "react-router";
import { formatCount } from "../../ui/format";
import { type EstimateKind, formatEstimate, intervalBar } from "./estimate-format";

/**
 * One measured number as the QC pages show it: the value, its ± (half the 95 % interval), a small
 * bar drawing the interval on 0..1 with the value marked, and the n it rests on. The words of the
 * interval are in the title and the accessible name.
 */
export function EstimateView({
  estimate,
  kind = "rate",
  unit,
  size = "cell",
}: {
  estimate: Estimate;
  kind?: EstimateKind;
  /** What n counts ("shapes", "matches", "images"). */
  unit: string;
  size?: "cell" | "large";
}) {
  const f = formatEstimate(estimate, kind, unit);
  const bar = intervalBar(estimate);
  return (
    <span className={`estimate estimate--${size}`} title={f.title} aria-label={f.title} role="img">
      <span className="estimate__line">
        <span className="estimate__value">{f.value}</span>
        {f.plusMinus && <span className="estimate__pm">{f.plusMinus}</span>}
      </span>
      <span className="estimate__line">
        <span className={`ibar${bar.value === null ? " ibar--unknown" : ""}`}>
          <span className="ibar__range" style={{ left: `${bar.low}%`, width: `${bar.high - bar.low}%` }} />
          {bar.value !== null && <span className="ibar__value" style={{ left: `${bar.value}%` }} />}
        </span>
        <span className="estimate__n">n {formatCount(estimate.n)}</span>
      </span>
    </span>
  );
}

/** A count that opens the images behind it; a zero is plain text (nothing to open). */
export function CountLink({ count, to, label }: { count: number; to: string; label: string }) {
  if (count === 0) return <span className="muted">0</span>;
  return (
    <Link to={to} className="count-link" title={`${label}: show the images`}>
      {formatCount(count)}
    </Link>
  );
}

export interface BarRow {
  key: number;
  name: string;
  color: string;
  value: number;
  note?: string | undefined;
}

/**
 * Horizontal bars, one per label in its own colour. Plain HTML rather than a canvas: names stay
 * selectable text, screen readers get a real list, and a hundred labels cost nothing to draw.
 */
export function BarChart({
  rows,
  label,
  format,
  max,
  share = false,
}: {
  rows: BarRow[];
  label: string;
  format: (v: number) => string;
  /** Full-width value; defaults to the largest row. */
  max?: number;
  /** Also show each row's share of the total. */
  share?: boolean;
}) {
  const top = Math.max(1, max ?? Math.max(0, ...rows.map((r) => r.value)));
  const total = rows.reduce((s, r) => s + r.value, 0);
  return (
    <ul className="bar-chart" aria-label={label}>
      {rows.map((r) => (
        <li key={r.key} className="bar-chart__row">
          <span className="bar-chart__name" title={r.name}>
            <span className="swatch swatch--small" style={{ background: r.color }} aria-hidden="true" />
            {r.name}
          </span>
          <span className="bar-chart__track" aria-hidden="true">
            {r.value > 0 && (
              <span
                className="bar-chart__bar"
                style={{ width: `max(3px, ${(r.value / top) * 100}%)`, background: r.color }}
              />
            )}
          </span>
          <span className="bar-chart__value">
            {format(r.value)}
            {share && total > 0 && (
              <span className="bar-chart__share"> {Math.round((r.value / total) * 100)}%</span>
            )}
            {r.note && <span className="bar-chart__note"> · {r.note}</span>}
          </span>
        </li>
      ))}
    </ul>
  );
}

import type { Calibration } from "@labelbench/schema";
import { useEffect, useState } from "react";
import { calibrationView, parseTargetPrecision } from "./calibration-model";

const W = 232;
const H = 84;
const AXIS = 14;

/**
 * Acceptance rate per score bin as bars (plain SVG: a dozen rectangles need no chart library), the
 * threshold suggested for a target precision, and a button that moves the run's slider there.
 */
export function CalibrationChart({
  runId,
  load,
  version,
  onUseThreshold,
}: {
  runId: number;
  load: (runId: number, targetPrecision: number) => Promise<Calibration>;
  /** Changes when the run's counts do: the chart is read again. */
  version: unknown;
  onUseThreshold: (score: number) => void;
}) {
  const [target, setTarget] = useState("0.9");
  const precision = parseTargetPrecision(target);
  const [data, setData] = useState<Calibration | null>(null);
  const [error, setError] = useState<string | null>(null);
  // biome-ignore lint/correctness/useExhaustiveDependencies: `version` is the trigger to read again.
  useEffect(() => {
    if (precision === null) return;
    let live = true;
    load(runId, precision).then(
      (c) => {
        if (!live) return;
        setData(c);
        setError(null);
      },
      (err: unknown) => {
        if (live) setError(err instanceof Error ? err.message : String(err));
      },
    );
    return () => {
      live = false;
    };
  }, [runId, precision, load, version]);

  const view = data ? calibrationView(data) : null;
  const barW = view ? (W - 2) / Math.max(1, view.bars.length) : 0;
  return (
    <div className="pr-cal" data-testid={`calibration-${runId}`}>
      {error && <p className="ed-empty">Calibration not read: {error}</p>}
      {view && (
        <>
          <svg
            className="pr-cal__chart"
            viewBox={`0 0 ${W} ${H + AXIS}`}
            role="img"
            aria-label={`Acceptance rate per score bin. ${view.summary}`}
          >
            <line x1={0} y1={H} x2={W} y2={H} className="pr-cal__axis" />
            {view.bars.map((b, i) => {
              const h = b.height === null ? 0 : Math.max(1, b.height * (H - 4));
              return (
                <g key={b.from}>
                  <title>{b.title}</title>
                  {b.height === null ? (
                    <rect
                      x={1 + i * barW + 1}
                      y={H - 2}
                      width={barW - 2}
                      height={2}
                      className="pr-cal__none"
                    />
                  ) : (
                    <rect
                      x={1 + i * barW + 1}
                      y={H - h}
                      width={barW - 2}
                      height={h}
                      className="pr-cal__bar"
                      opacity={b.opacity}
                    />
                  )}
                </g>
              );
            })}
            {view.suggested !== null && (
              <line
                x1={1 + view.suggested * (W - 2)}
                x2={1 + view.suggested * (W - 2)}
                y1={0}
                y2={H}
                className="pr-cal__threshold"
              />
            )}
            <text x={0} y={H + AXIS - 2} className="pr-cal__tick">
              0
            </text>
            <text x={W / 2} y={H + AXIS - 2} className="pr-cal__tick" textAnchor="middle">
              score 0.5
            </text>
            <text x={W} y={H + AXIS - 2} className="pr-cal__tick" textAnchor="end">
              1
            </text>
          </svg>
          <p className="pr-cal__summary" data-testid={`calibration-summary-${runId}`}>
            {view.summary}
          </p>
        </>
      )}
      <div className="pr-cal__row">
        <label className="pr-cal__target">
          Target precision
          <input
            type="text"
            inputMode="decimal"
            value={target}
            onChange={(e) => setTarget(e.target.value)}
            aria-invalid={precision === null}
            size={4}
          />
        </label>
        <button
          type="button"
          className="ed-btn pr-btn-sm"
          disabled={!view || view.suggested === null}
          onClick={() => view?.suggested != null && onUseThreshold(view.suggested)}
        >
          Set slider{view?.suggested != null ? ` to ${view.suggested.toFixed(2)}` : ""}
        </button>
      </div>
    </div>
  );
}

import type { Execution } from './api';
import {
  describeSummary,
  formatMs,
  isOutsidePromise,
  latenessDomain,
  latenessPoints,
  latenessScale,
  latenessTicks,
  linearScale,
  PROMISE_MS,
  summarizeLateness,
  timeDomain,
  timeTicks,
} from './chart-math';

const WIDTH = 640;
const HEIGHT = 240;
const MARGIN = { top: 12, right: 16, bottom: 44, left: 64 };
const PLOT = {
  left: MARGIN.left,
  right: WIDTH - MARGIN.right,
  top: MARGIN.top,
  bottom: HEIGHT - MARGIN.bottom,
};
const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

/** A tick label in the schedule's zone, as fine as the step needs. */
function timeLabel(ms: number, stepMs: number, zone: string): string {
  const options: Intl.DateTimeFormatOptions =
    stepMs >= DAY_MS
      ? { day: 'numeric', month: 'short' }
      : stepMs >= MINUTE_MS
        ? { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }
        : {
            hour: '2-digit',
            minute: '2-digit',
            second: '2-digit',
            hourCycle: 'h23',
          };
  return new Intl.DateTimeFormat('en-GB', {
    ...options,
    timeZone: zone,
  }).format(ms);
}

/**
 * Lateness (firedAt − scheduledAt) of the executions shown, drawn by hand in SVG: x is
 * the scheduled time, y the lateness on a symmetric log axis (chart-math.tsx says why),
 * the ±10 s promise a shaded band, and the runs outside it red diamonds instead of dots
 * (shape, not only colour). Screen readers get the same numbers as the caption, in the
 * image's label.
 */
export function LatenessChart({
  executions,
  zone,
}: {
  executions: readonly Execution[];
  zone: string;
}) {
  const points = latenessPoints(executions);
  const summary = summarizeLateness(points.map((p) => p.latenessMs));
  const text = describeSummary(summary);
  if (points.length === 0)
    return (
      <p className="muted">
        No fired executions on this page, so no lateness to draw.
      </p>
    );

  const yDomain = latenessDomain(points.map((p) => p.latenessMs));
  const y = latenessScale(yDomain, [PLOT.bottom, PLOT.top]);
  const xDomain = timeDomain(points.map((p) => p.scheduledMs));
  const x = linearScale(xDomain, [PLOT.left, PLOT.right]);
  const { stepMs, ticks: xTicks } = timeTicks(xDomain);
  const bandTop = y(PROMISE_MS);
  const bandBottom = y(Math.max(-PROMISE_MS, yDomain[0]));
  const zero = y(0);

  return (
    <figure className="lateness-chart">
      <svg
        role="img"
        aria-label={`Lateness chart, ${text}`}
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        preserveAspectRatio="xMidYMid meet"
      >
        <rect
          className="band"
          x={PLOT.left}
          y={bandTop}
          width={PLOT.right - PLOT.left}
          height={bandBottom - bandTop}
        />
        <text className="band-label" x={PLOT.right - 4} y={bandTop + 14}>
          ±{formatMs(PROMISE_MS)} promise
        </text>
        {latenessTicks(yDomain).map((t) => (
          <g key={t} className="tick">
            <line x1={PLOT.left} x2={PLOT.right} y1={y(t)} y2={y(t)} />
            <text x={PLOT.left - 6} y={y(t) + 4} textAnchor="end">
              {formatMs(t)}
            </text>
          </g>
        ))}
        {xTicks.map((t) => (
          <g key={t} className="tick">
            <line x1={x(t)} x2={x(t)} y1={PLOT.bottom} y2={PLOT.bottom + 5} />
            <text x={x(t)} y={PLOT.bottom + 18} textAnchor="middle">
              {timeLabel(t, stepMs, zone)}
            </text>
          </g>
        ))}
        <line
          className="axis"
          x1={PLOT.left}
          x2={PLOT.right}
          y1={zero}
          y2={zero}
        />
        <line
          className="axis"
          x1={PLOT.left}
          x2={PLOT.left}
          y1={PLOT.top}
          y2={PLOT.bottom}
        />
        <text
          className="axis-title"
          x={(PLOT.left + PLOT.right) / 2}
          y={HEIGHT - 6}
          textAnchor="middle"
        >
          scheduled time ({zone})
        </text>
        <text
          className="axis-title"
          transform={`translate(12 ${(PLOT.top + PLOT.bottom) / 2}) rotate(-90)`}
          textAnchor="middle"
        >
          lateness (log scale)
        </text>
        {points.map((p) => {
          const cx = x(p.scheduledMs);
          const cy = y(p.latenessMs);
          const title = `${new Date(p.scheduledMs).toISOString()}: ${formatMs(p.latenessMs)} late`;
          return isOutsidePromise(p.latenessMs) ? (
            <path
              key={p.id}
              className="point outside"
              data-lateness-ms={p.latenessMs}
              d={`M ${cx} ${cy - 6} L ${cx + 6} ${cy} L ${cx} ${cy + 6} L ${cx - 6} ${cy} Z`}
            >
              <title>{`${title}, outside the promise`}</title>
            </path>
          ) : (
            <circle
              key={p.id}
              className="point"
              data-lateness-ms={p.latenessMs}
              cx={cx}
              cy={cy}
              r={4}
            >
              <title>{title}</title>
            </circle>
          );
        })}
      </svg>
      <figcaption>
        Lateness (fired − scheduled) of the {text}. x: scheduled time in {zone};
        y: lateness on a log scale; the shaded band is the ±
        {formatMs(PROMISE_MS)} promise, and runs outside it are red diamonds.
      </figcaption>
    </figure>
  );
}

import { useEffect, useRef, useState, type RefObject } from "react";

/**
 * Small hand-drawn SVG charts, drawn at their box's width (text stays at its CSS size), colours
 * from CSS.
 */

/** The width of an element, following resizes (520 until measured, and in server rendering). */
function useWidth(): [RefObject<HTMLDivElement | null>, number] {
  const ref = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(520);
  useEffect(() => {
    const el = ref.current;
    if (!el || typeof ResizeObserver === "undefined") return;
    const ro = new ResizeObserver(() => setWidth(Math.max(240, Math.floor(el.clientWidth))));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);
  return [ref, width];
}

export interface BarRow {
  label: string;
  value: number;
  /** Shown at the bar's end. */
  text: string;
  href?: string;
}

const ROW = 22;
const LABEL_W = 150;
const VALUE_W = 70;

/** Horizontal bars, one row each, labelled on the left and valued on the right. */
export function BarChart({ rows, label }: { rows: readonly BarRow[]; label: string }) {
  const [ref, width] = useWidth();
  const max = Math.max(0, ...rows.map((r) => r.value));
  const barW = width - LABEL_W - VALUE_W;
  const height = rows.length * ROW + 4;
  return (
    <div className="chart" ref={ref}>
      <svg viewBox={`0 0 ${width} ${height}`} role="img" aria-label={label}>
        {rows.map((r, i) => {
          const y = i * ROW + 2;
          const w = max > 0 ? Math.max(r.value > 0 ? 2 : 0, (r.value / max) * barW) : 0;
          const name = (
            <text x={LABEL_W - 6} y={y + 14} textAnchor="end">
              {clipLabel(r.label)}
            </text>
          );
          return (
            <g key={`${r.label}:${i}`}>
              <title>{`${r.label}: ${r.text}`}</title>
              {r.href ? <a href={r.href}>{name}</a> : name}
              <rect className="bar" x={LABEL_W} y={y + 3} width={w} height={ROW - 8} rx={2} />
              <text x={LABEL_W + w + 6} y={y + 14}>
                {r.text}
              </text>
            </g>
          );
        })}
      </svg>
    </div>
  );
}

export interface StackRow {
  label: string;
  href?: string;
  /** Segments in order; `key` picks the CSS class `stage-<key>`. */
  segments: readonly { key: string; value: number }[];
  text: string;
}

/** Horizontal stacked bars (time per stage per task). */
export function StackedBars({ rows, label }: { rows: readonly StackRow[]; label: string }) {
  const [ref, width] = useWidth();
  const max = Math.max(0, ...rows.map((r) => r.segments.reduce((a, s) => a + s.value, 0)));
  const barW = width - LABEL_W - VALUE_W;
  const height = rows.length * ROW + 4;
  return (
    <div className="chart" ref={ref}>
      <svg viewBox={`0 0 ${width} ${height}`} role="img" aria-label={label}>
        {rows.map((r, i) => {
          const y = i * ROW + 2;
          let x = LABEL_W;
          const name = (
            <text x={LABEL_W - 6} y={y + 14} textAnchor="end">
              {clipLabel(r.label)}
            </text>
          );
          return (
            <g key={`${r.label}:${i}`}>
              <title>{`${r.label}: ${r.text}`}</title>
              {r.href ? <a href={r.href}>{name}</a> : name}
              {r.segments.map((s) => {
                const w = max > 0 ? (s.value / max) * barW : 0;
                const rect = (
                  <rect key={s.key} className={`stage-${s.key}`} x={x} y={y + 3} width={w} height={ROW - 8} />
                );
                x += w;
                return rect;
              })}
              <text x={x + 6} y={y + 14}>
                {r.text}
              </text>
            </g>
          );
        })}
      </svg>
    </div>
  );
}

/** Vertical columns over time (or any ordered categories), with a few x labels. */
export function Columns({
  points,
  label,
}: {
  points: readonly { label: string; value: number; title: string }[];
  label: string;
}) {
  const [ref, width] = useWidth();
  const H = 160;
  const base = H - 20;
  const left = 28;
  const max = Math.max(1, ...points.map((p) => p.value));
  const slot = points.length > 0 ? (width - left) / points.length : 0;
  const every = Math.max(1, Math.ceil(points.length / 8));
  return (
    <div className="chart" ref={ref}>
      <svg viewBox={`0 0 ${width} ${H}`} role="img" aria-label={label}>
        <line className="axis" x1={left} x2={width} y1={base} y2={base} />
        <text x={left - 4} y={12} textAnchor="end">
          {max}
        </text>
        <text x={left - 4} y={base} textAnchor="end">
          0
        </text>
        {points.map((p, i) => {
          const h = (p.value / max) * (base - 10);
          const x = left + i * slot;
          return (
            <g key={i}>
              <title>{p.title}</title>
              <rect
                className="bar"
                x={x + (slot - Math.min(slot * 0.7, 48)) / 2}
                y={base - h}
                width={Math.min(slot * 0.7, 48)}
                height={h}
                rx={2}
              />
              {i % every === 0 && (
                <text x={x + slot / 2} y={H - 5} textAnchor="middle">
                  {p.label}
                </text>
              )}
            </g>
          );
        })}
      </svg>
    </div>
  );
}

function clipLabel(s: string, max = 24): string {
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

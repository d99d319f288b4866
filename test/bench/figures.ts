/** The figures a bench run reports, and how they print: a table for people, then one JSON line each. */

export interface Figure {
  /** Which part of the list it belongs to (table grouping). */
  part: string;
  name: string;
  value: number;
  unit: string;
  /** The figure it is compared with, in the same unit, measured in the same run; null when alone. */
  baseline: number | null;
  /** What the baseline is, for the table. */
  baselineName?: string;
  /** Oriented so that higher is better for us: value/baseline for rates, baseline/value for times and sizes. */
  ratio: number | null;
  /** The minimum ratio, or null. */
  target: number | null;
  /** Where this machine beat the target by far, the higher bar the README holds the service to. */
  raised?: number;
  /** Spread over rounds, for the table. */
  spread?: string;
}

export const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

/** min–max of the rounds, in the figure's precision. */
export const spread = (values: readonly number[], digits: number) =>
  `${Math.min(...values).toFixed(digits)}–${Math.max(...values).toFixed(digits)}`;

/** A figure compared with a baseline; `higherIsBetter` says how the ratio is oriented. */
export function compared(
  part: string,
  name: string,
  value: number,
  unit: string,
  baseline: number,
  baselineName: string,
  higherIsBetter: boolean,
  target: number | null,
  rounds?: string,
): Figure {
  const ratio = higherIsBetter ? value / baseline : baseline / value;
  return { part, name, value, unit, baseline, baselineName, ratio, target, spread: rounds };
}

/**
 * `figure` with its ratio taken round by round: the median of the per-round ratios of `ours` to `base`,
 * each pair measured side by side in one round, so that what the machine's other tenants do between
 * rounds weighs on both sides of each ratio alike. Value and baseline stay the medians of each side.
 */
export function paired(figure: Figure, ours: readonly number[], base: readonly number[], higherIsBetter: boolean): Figure {
  const ratios = ours.map((value, i) => (higherIsBetter ? value / base[i]! : base[i]! / value));
  return { ...figure, ratio: median(ratios) };
}

/** `figure` with the higher bar it is held to (README, Performance), beside the target. */
export function raisedTo(figure: Figure, bar: number): Figure {
  return { ...figure, raised: bar };
}

export function alone(part: string, name: string, value: number, unit: string, rounds?: string): Figure {
  return { part, name, value, unit, baseline: null, ratio: null, target: null, spread: rounds };
}

function round(value: number): number {
  const digits = Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 1 ? 2 : 4;
  return Number(value.toFixed(digits));
}

export function verdict(f: Figure): string {
  if (f.target === null || f.ratio === null) return "";
  if (!Number.isFinite(f.ratio) || f.ratio < f.target) return "MISSED";
  return f.raised === undefined || f.ratio >= f.raised ? "met" : "met; under the raised bar";
}

export function printTable(rows: string[][]) {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => [...(r[c] ?? "")].length)));
  const line = (r: string[]) =>
    r
      .map((cell, c) => cell + " ".repeat(widths[c]! - [...cell].length))
      .join(" | ")
      .trimEnd();
  console.log(line(rows[0]!));
  console.log(widths.map((w) => "-".repeat(w)).join("-|-"));
  for (const r of rows.slice(1)) console.log(line(r));
}

const show = (value: number) => (Math.abs(value) >= 100 ? value.toFixed(0) : Math.abs(value) >= 1 ? value.toFixed(2) : value.toFixed(4));

/** The table for people: every figure, its baseline, the ratio and whether the target is met. */
export function printFigures(figures: readonly Figure[]) {
  const rows = [["part", "figure", "value", "rounds (min–max)", "baseline", "ratio", "target", "raised to", ""]];
  for (const f of figures) {
    rows.push([
      f.part,
      f.name,
      `${show(f.value)} ${f.unit}`,
      f.spread ?? "",
      f.baseline === null ? "" : `${show(f.baseline)} ${f.unit} (${f.baselineName})`,
      f.ratio === null ? "" : `${f.ratio.toFixed(2)}x`,
      f.target === null ? "" : `≥ ${f.target}x`,
      f.raised === undefined ? "" : `≥ ${f.raised}x`,
      verdict(f),
    ]);
  }
  printTable(rows);
}

/** One JSON line per figure, exactly the keys. */
export function jsonLine(f: Figure): string {
  return JSON.stringify({
    name: f.name,
    value: round(f.value),
    unit: f.unit,
    baseline: f.baseline === null ? null : round(f.baseline),
    ratio: f.ratio === null ? null : Number(f.ratio.toFixed(3)),
    target: f.target,
  });
}

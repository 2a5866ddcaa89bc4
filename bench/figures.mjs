// The order statistics the benchmarks print: an element of the sorted values, never an
// interpolation, so a figure is always one that was measured.
export function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.round(p * (sorted.length - 1)))];
}

export const median = (values) => percentile(values, 0.5);

// { median, low, high } of repeated runs, and how a table shows it: "median (low-high)".
export function spread(values) {
  return { median: median(values), low: Math.min(...values), high: Math.max(...values) };
}

export function range({ median: middle, low, high }, digits = 1) {
  return `${middle.toFixed(digits)} (${low.toFixed(digits)}-${high.toFixed(digits)})`;
}

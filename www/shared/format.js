// Numbers as the reader sees them: byte counts and probabilities.

/** "1.2 MB", "340.0 kB", "12 B". */
export function formatBytes(bytes) {
  const n = Number(bytes); // wasm may hand over a BigInt for a u64
  if (n < 1e3) return `${n} B`;
  if (n < 1e6) return `${(n / 1e3).toFixed(1)} kB`;
  return `${(n / 1e6).toFixed(1)} MB`;
}

/** "1.2 MB / 3.4 MB", or just "1.2 MB" while the total is unknown (0). */
export function progressText(loaded, total) {
  return Number(total) > 0 ? `${formatBytes(loaded)} / ${formatBytes(total)}` : formatBytes(loaded);
}

/** "42%", or "4.2%" below 10%, where a whole number would read as nothing. */
export function percent(p) {
  return `${(100 * p).toFixed(p < 0.1 ? 1 : 0)}%`;
}

/** `value` with `digits` decimals ("0.50") when that is exact, else as many as it needs ("0.333"). */
export function decimals(value, digits) {
  const fixed = value.toFixed(digits);
  return Number(fixed) === value ? fixed : String(Number(value.toFixed(6)));
}

/**
 * A projected row reduced to what must equal a freshly mapped row: bookkeeping columns
 * (`observed_at`, `projected_at`, `origin`) and `raw` dropped, and timestamps as ISO strings
 * (rows read back hold Date, mapped rows hold strings in whatever offset Omise used).
 */
export function comparableRow(row: Record<string, unknown>): Record<string, unknown> {
  const { projected_at: _p, observed_at: _o, origin: _g, raw: _r, ...rest } = row;
  return Object.fromEntries(
    Object.entries(rest).map(([key, value]) => [
      key,
      value instanceof Date
        ? value.toISOString()
        : typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(value)
          ? new Date(value).toISOString()
          : value,
    ]),
  );
}

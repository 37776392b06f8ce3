/** PromQL words that are not metric names. */
const KEYWORDS = new Set([
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'bool',
  'and',
  'or',
  'unless',
  'offset',
  'inf',
  'nan',
]);

/**
 * The metric names a PromQL expression selects, for checking dashboards and alerts against the
 * metrics the code registers. Strings, label matchers (with Grafana variables), ranges and
 * grouping clauses are removed first; a word followed by `(` is a function.
 */
export function metricNamesIn(expr: string): string[] {
  const cleaned = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const names = new Set<string>();
  for (const match of cleaned.matchAll(/(?<![\w.])[a-zA-Z_:][\w:]*/g)) {
    const word = match[0];
    const rest = cleaned.slice((match.index ?? 0) + word.length).trimStart();
    if (rest.startsWith('(') || KEYWORDS.has(word.toLowerCase())) continue;
    names.add(word);
  }
  return [...names];
}

/**
 * The series names a registered metric exposes: its name, plus `_bucket`, `_sum` and `_count`
 * for a histogram and `_sum` and `_count` for a summary.
 */
export function seriesNamesOf(metric: { name: string; type: string }): string[] {
  switch (metric.type) {
    case 'histogram':
      return [metric.name, `${metric.name}_bucket`, `${metric.name}_sum`, `${metric.name}_count`];
    case 'summary':
      return [metric.name, `${metric.name}_sum`, `${metric.name}_count`];
    default:
      return [metric.name];
  }
}

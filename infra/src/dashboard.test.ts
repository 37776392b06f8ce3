import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ReceiverMetrics } from '@omise-sync/webhook-receiver';
import { WorkerMetrics, registerReconcileMetrics } from '@omise-sync/worker';
import { parse } from 'yaml';
import { metricNamesIn, seriesNamesOf } from './promql-metric-names';

const BASE = join(__dirname, '..', 'base');

interface Dashboard {
  templating: { list: { name: string; definition?: string }[] };
  panels: { title: string; targets?: { expr: string }[] }[];
}

const dashboard = JSON.parse(
  readFileSync(join(BASE, 'dashboards', 'omise-sync.json'), 'utf8'),
) as Dashboard;

/**
 * Every series the receiver's and the worker's registries expose (reconcile gauges included),
 * read from the `# TYPE` lines of their exposition text.
 */
async function registeredSeries(): Promise<Set<string>> {
  const worker = new WorkerMetrics();
  registerReconcileMetrics(worker.registry, () => Promise.resolve([]));
  const receiver = new ReceiverMetrics({ processMetrics: true });
  const text = (await worker.registry.metrics()) + (await receiver.registry.metrics());
  return new Set(
    [...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].flatMap(([, name = '', type = '']) =>
      seriesNamesOf({ name, type }),
    ),
  );
}

describe('metricNamesIn', () => {
  it.each([
    ['sum by (le, account) (rate(a_bucket{account=~"$account"}[$__rate_interval]))', ['a_bucket']],
    ['time() - max(b_seconds) > 3600 or max(c) == 0', ['b_seconds', 'c']],
    ['histogram_quantile(0.99, sum by (le) (rate(d_bucket[10m]))) > 60', ['d_bucket']],
    ['sum(rate(e_total{status!~"2..", x="by (y)"}[5m])) / ignoring(z) f', ['e_total', 'f']],
  ])('%s selects %j', (expr, names) => {
    expect(metricNamesIn(expr)).toEqual(names);
  });
});

describe('the Grafana dashboard', () => {
  const queries = dashboard.panels.flatMap((panel) =>
    (panel.targets ?? []).map((target) => ({ panel: panel.title, expr: target.expr })),
  );

  it('queries only metrics the code registers', async () => {
    const series = await registeredSeries();
    expect(series).toContain('omise_sync_event_lag_seconds_bucket');
    expect(queries.length).toBeGreaterThan(10);
    // A query the parser read no metric from would pass vacuously.
    expect(queries.filter(({ expr }) => metricNamesIn(expr).length === 0)).toEqual([]);
    const unknown = queries.flatMap(({ panel, expr }) =>
      metricNamesIn(expr)
        .filter((name) => !series.has(name))
        .map((name) => `${panel}: ${name}`),
    );
    expect(unknown).toEqual([]);
  });

  it('has an account variable from a registered metric, which every query follows', async () => {
    const variable = dashboard.templating.list.find((v) => v.name === 'account');
    const metric = /label_values\((\w+),\s*account\)/.exec(variable?.definition ?? '')?.[1];
    expect(metric).toBeDefined();
    expect((await registeredSeries()).has(metric ?? '')).toBe(true);
    // Every metric carries `account`, so every selector follows the variable.
    const unfiltered = queries.filter(({ expr }) => {
      const selectors = expr.match(/\{[^}]*\}/g) ?? [];
      return (
        selectors.length < metricNamesIn(expr).length ||
        selectors.some((selector) => !selector.includes('account=~"$account"'))
      );
    });
    expect(unfiltered).toEqual([]);
  });

  it('ships as a ConfigMap the Grafana sidecar picks up (label grafana_dashboard)', () => {
    const kustomization = parse(readFileSync(join(BASE, 'kustomization.yaml'), 'utf8')) as {
      configMapGenerator: {
        name: string;
        files?: string[];
        options?: { labels?: Record<string, string> };
      }[];
    };
    const generator = kustomization.configMapGenerator.find((g) =>
      (g.files ?? []).some((file) => file.endsWith('dashboards/omise-sync.json')),
    );
    expect(generator?.options?.labels).toMatchObject({ grafana_dashboard: '1' });
  });
});

describe('the Prometheus alerts', () => {
  it('query only metrics the code registers', async () => {
    const rules = parse(readFileSync(join(BASE, 'prometheus-rules.yaml'), 'utf8')) as {
      spec: { groups: { rules: { alert: string; expr: string }[] }[] };
    };
    const series = await registeredSeries();
    const unknown = rules.spec.groups.flatMap((group) =>
      group.rules.flatMap((rule) =>
        metricNamesIn(rule.expr)
          .filter((name) => !series.has(name))
          .map((name) => `${rule.alert}: ${name}`),
      ),
    );
    expect(unknown).toEqual([]);
  });
});

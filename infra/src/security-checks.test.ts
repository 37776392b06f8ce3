import { describe, expect, test } from '@jest/globals';
import { PLACEHOLDER_DIGEST } from './security-checks';
import { dig, toYaml, validObjects, withEdit } from '../test/valid-manifests';
import { validateManifests } from './validate-manifests';

// Issue 23 item 8: least privilege in deployment, each rule shown failing on one broken object.
const CONTAINER = 'spec.template.spec.containers.0';

function messages(yaml: string, options = {}): string[] {
  return validateManifests(yaml, options).problems.map((p) => `${p.object}: ${p.message}`);
}

describe('least-privilege checks', () => {
  test('the valid set passes them', () => {
    expect(messages(toYaml(validObjects()))).toEqual([]);
  });

  test('when two components read the same Secret, it is reported', () => {
    const yaml = withEdit('Deployment', 'worker', (deployment) => {
      dig(deployment, `${CONTAINER}.env.0.valueFrom.secretKeyRef`).name = 'web-secrets';
    });
    expect(messages(yaml)).toContain(
      'Secret/test/web-secrets: read by Deployment/test/web, Deployment/test/worker; give each component its own Secret',
    );
  });

  test('when two components mount the same Secret as a volume (the accounts file), it is reported', () => {
    const objects = validObjects();
    for (const name of ['web', 'worker']) {
      const deployment = objects.find(
        (o) => o.kind === 'Deployment' && (o.metadata as { name: string }).name === name,
      );
      if (deployment === undefined) throw new Error(`fixture has no ${name} Deployment`);
      (dig(deployment, 'spec.template.spec.volumes') as unknown as unknown[]).push({
        name: 'omise-accounts',
        secret: {
          secretName: 'shared-accounts',
          items: [{ key: 'omise-accounts.json', path: 'omise-accounts.json' }],
        },
      });
    }
    const report = validateManifests(toYaml(objects));
    expect(report.problems.map((p) => `${p.object}: ${p.message}`)).toContain(
      'Secret/test/shared-accounts: read by Deployment/test/web, Deployment/test/worker; give each component its own Secret',
    );
    expect(report.secretKeys['shared-accounts']).toEqual(['omise-accounts.json']);
  });

  test('when the receiver reads OMISE_SECRET_KEY in signature mode, it is reported', () => {
    const yaml = withEdit('Deployment', 'web', (deployment) => {
      const env = dig(deployment, `${CONTAINER}.env`) as unknown as unknown[];
      env.push({
        name: 'OMISE_SECRET_KEY',
        valueFrom: { secretKeyRef: { name: 'web-secrets', key: 'OMISE_SECRET_KEY' } },
      });
    });
    expect(messages(yaml)).toContain(
      'Deployment/test/web: container web: the receiver reads OMISE_SECRET_KEY but verifies signatures (the default); only fetch mode needs the key',
    );
  });

  test('when the receiver verifies by fetching, it may read OMISE_SECRET_KEY', () => {
    const objects = validObjects();
    const config = objects.find((o) => o.kind === 'ConfigMap');
    (config?.data as Record<string, string>).OMISE_WEBHOOK_VERIFY = 'fetch';
    const web = objects.find(
      (o) => o.kind === 'Deployment' && (o.metadata as { name: string }).name === 'web',
    );
    if (web === undefined) throw new Error('fixture has no web Deployment');
    (dig(web, `${CONTAINER}.env`) as unknown as unknown[]).push({
      name: 'OMISE_SECRET_KEY',
      valueFrom: { secretKeyRef: { name: 'web-secrets', key: 'OMISE_SECRET_KEY' } },
    });
    expect(messages(toYaml(objects))).toEqual([]);
  });

  test('when a container runs the emulator, it is reported', () => {
    const yaml = withEdit('Deployment', 'worker', (deployment) => {
      dig(deployment, CONTAINER).args = ['emulator'];
    });
    expect(messages(yaml)).toContain(
      'Deployment/test/worker: container worker: runs the Omise emulator, which is for tests and demos only',
    );
  });

  test('when migrate holds the runtime DATABASE_URL, or another container holds MIGRATION_DATABASE_URL, it is reported', () => {
    const yaml = withEdit('Deployment', 'worker', (deployment) => {
      const container = dig(deployment, CONTAINER);
      const env = container.env as unknown[];
      env.push({
        name: 'MIGRATION_DATABASE_URL',
        valueFrom: { secretKeyRef: { name: 'worker-secrets', key: 'MIGRATION_DATABASE_URL' } },
      });
    });
    expect(messages(yaml)).toContain(
      'Deployment/test/worker: container worker: reads MIGRATION_DATABASE_URL, which only the migrate container may hold',
    );
    const migrate = withEdit('Deployment', 'worker', (deployment) => {
      dig(deployment, CONTAINER).args = ['migrate'];
    });
    expect(messages(migrate)).toEqual(
      expect.arrayContaining([
        'Deployment/test/worker: container worker: migrate must connect with MIGRATION_DATABASE_URL (the DDL role)',
        'Deployment/test/worker: container worker: migrate must not hold the runtime DATABASE_URL as well',
      ]),
    );
  });

  test('when an egress rule names no destination, it is reported', () => {
    const yaml = withEdit('NetworkPolicy', 'default-deny', (policy) => {
      dig(policy, 'spec').egress = [
        { ports: [{ protocol: 'TCP', port: 6379 }] },
        { to: [{ ipBlock: { cidr: '10.0.0.0/24' } }], ports: [{ protocol: 'TCP', port: 5432 }] },
      ];
    });
    expect(messages(yaml)).toEqual([
      'NetworkPolicy/test/default-deny: egress rule 0 allows any destination; name it with to: (a namespace or pod selector, or an ipBlock set per overlay)',
    ]);
  });

  test('when digests are required, an image pinned by tag only is reported', () => {
    expect(messages(toYaml(validObjects()), { requireDigests: true })).toEqual([
      'Deployment/test/web: container web: image "registry.example.com/app:1.0.0" is not pinned by digest (@sha256:…)',
      'CronJob/test/nightly: container reconcile: image "registry.example.com/app:1.0.0" is not pinned by digest (@sha256:…)',
    ]);
  });

  test('when releasing, the placeholder digest is reported; before release it passes', () => {
    const yaml = withEdit('Deployment', 'worker', (deployment) => {
      dig(deployment, CONTAINER).image = `registry.example.com/app@${PLACEHOLDER_DIGEST}`;
    });
    expect(messages(yaml)).toEqual([]);
    expect(messages(yaml, { release: true })).toEqual([
      `Deployment/test/worker: container worker: image "registry.example.com/app@${PLACEHOLDER_DIGEST}" still carries the placeholder digest`,
    ]);
  });
});

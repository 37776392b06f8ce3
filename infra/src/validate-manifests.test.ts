import { describe, expect, test } from '@jest/globals';
import { dig, toYaml, validObjects, withEdit } from '../test/valid-manifests';
import { validateManifests } from './validate-manifests';

const WEB_CONTAINER = 'spec.template.spec.containers.0';
const WORKER_CONTAINER = 'spec.template.spec.containers.0';

function messages(yaml: string): string[] {
  return validateManifests(yaml).problems.map((p) => `${p.object}: ${p.message}`);
}

describe('validateManifests', () => {
  test('a complete, policy-compliant set of manifests passes with no problems', () => {
    const report = validateManifests(toYaml(validObjects()));

    expect(report.problems).toEqual([]);
    expect(report.objectCount).toBe(13);
    expect(report.kinds).toMatchObject({ Deployment: 2, ScaledObject: 1, ServiceMonitor: 1 });
    expect(report.secretKeys).toEqual({
      'keda-secrets': ['REDIS_ADDRESS'],
      'web-secrets': ['OMISE_WEBHOOK_SECRETS'],
      'worker-secrets': ['DATABASE_URL'],
    });
  });

  test('a deliberately broken manifest (bad quantity, port as a string) fails schema validation', () => {
    const yaml = withEdit('Deployment', 'web', (deployment) => {
      const container = dig(deployment, WEB_CONTAINER);
      dig(container, 'resources.limits').memory = 'lots';
      dig(container, 'ports.0').containerPort = '8080';
    });

    const found = messages(yaml);

    expect(found).toContain(
      'Deployment/test/web: /spec/template/spec/containers/0/ports/0/containerPort must be integer',
    );
    expect(found).toContain(
      'Deployment/test/web: /spec/template/spec/containers/0/resources/limits/memory must match format "quantity"',
    );
    // Policy and reference checks wait until every object matches its schema.
    expect(found.every((m) => m.includes(' /spec/'))).toBe(true);
  });

  test('a resource quantity that is not a quantity is rejected by the schema', () => {
    const yaml = withEdit('Deployment', 'web', (deployment) => {
      dig(deployment, `${WEB_CONTAINER}.resources.limits`).memory = 'lots';
    });

    expect(messages(yaml)).toContain(
      'Deployment/test/web: /spec/template/spec/containers/0/resources/limits/memory must match format "quantity"',
    );
  });

  test('a misspelled enum in a CRD (ServiceMonitor scheme) is rejected by the CRD schema', () => {
    const yaml = withEdit('ServiceMonitor', 'web', (monitor) => {
      dig(monitor, 'spec.endpoints.0').scheme = 'htps';
    });

    expect(messages(yaml).join('\n')).toMatch(
      /ServiceMonitor\/test\/web: \/spec\/endpoints\/0\/scheme/,
    );
  });

  test('a KEDA ScaledObject without triggers is rejected by the KEDA schema', () => {
    const yaml = withEdit('ScaledObject', 'worker', (scaled) => {
      delete dig(scaled, 'spec').triggers;
    });

    expect(messages(yaml)).toContain(
      'ScaledObject/test/worker: /spec must have required property triggers',
    );
  });

  test('a kind without a known schema fails instead of going unchecked', () => {
    const yaml = `${toYaml(validObjects())}---\napiVersion: example.com/v1\nkind: Widget\nmetadata: { name: w }\n`;

    expect(messages(yaml)).toContain(
      'Widget/w: no schema known for example.com/v1 Widget; add its model to infra/src/schema-registry.ts',
    );
  });

  test('a YAML document that is not a Kubernetes object, and empty input, are problems', () => {
    expect(messages('just: text\n')).toEqual([
      'document 1: not a Kubernetes object (apiVersion, kind and metadata.name are required)',
    ]);
    expect(messages('')).toEqual(['input: no Kubernetes objects found']);
    expect(messages('a: [unclosed\n')[0]).toMatch(/^document 1: /);
  });

  test('a Deployment container without a readiness probe is rejected', () => {
    const yaml = withEdit('Deployment', 'web', (deployment) => {
      delete dig(deployment, WEB_CONTAINER).readinessProbe;
    });

    expect(messages(yaml)).toEqual(['Deployment/test/web: container web: no readinessProbe']);
  });

  test('a CronJob container needs no probes, but still needs resources', () => {
    const yaml = withEdit('CronJob', 'nightly', (cronJob) => {
      delete dig(cronJob, 'spec.jobTemplate.spec.template.spec.containers.0.resources').limits;
    });

    expect(messages(yaml)).toEqual([
      'CronJob/test/nightly: container reconcile: no cpu limit',
      'CronJob/test/nightly: container reconcile: no memory limit',
    ]);
  });

  test('a container that may run as root, write its root filesystem or keep capabilities is rejected', () => {
    const yaml = withEdit('Deployment', 'worker', (deployment) => {
      delete dig(deployment, 'spec.template.spec').securityContext;
      const security = dig(deployment, `${WORKER_CONTAINER}.securityContext`);
      security.readOnlyRootFilesystem = false;
      delete security.allowPrivilegeEscalation;
      security.capabilities = { add: ['NET_ADMIN'] };
    });

    expect(messages(yaml)).toEqual([
      'Deployment/test/worker: container worker: runAsNonRoot is not true',
      'Deployment/test/worker: container worker: readOnlyRootFilesystem is not true',
      'Deployment/test/worker: container worker: allowPrivilegeEscalation is not false',
      'Deployment/test/worker: container worker: capabilities do not drop ALL',
      'Deployment/test/worker: container worker: adds capabilities',
      'Deployment/test/worker: container worker: seccompProfile is not RuntimeDefault',
    ]);
  });

  test('a read-only container without an emptyDir at /tmp is rejected', () => {
    const yaml = withEdit('Deployment', 'web', (deployment) => {
      delete dig(deployment, WEB_CONTAINER).volumeMounts;
    });

    expect(messages(yaml)).toEqual([
      'Deployment/test/web: container web: /tmp is not an emptyDir mount (the root filesystem is read-only)',
    ]);
  });

  test('an image on the latest tag or with no tag is rejected', () => {
    const yaml = withEdit('Deployment', 'web', (deployment) => {
      dig(deployment, WEB_CONTAINER).image = 'registry.example.com/app:latest';
    });
    const untagged = withEdit('Deployment', 'web', (deployment) => {
      dig(deployment, WEB_CONTAINER).image = 'registry.example.com:5000/app';
    });

    expect(messages(yaml)).toEqual([
      'Deployment/test/web: container web: image "registry.example.com/app:latest" uses the latest tag',
    ]);
    expect(messages(untagged)).toEqual([
      'Deployment/test/web: container web: image "registry.example.com:5000/app" has no tag',
    ]);
  });

  test('a credential written as a literal env value is rejected', () => {
    const yaml = withEdit('Deployment', 'worker', (deployment) => {
      dig(deployment, WORKER_CONTAINER).env = [
        { name: 'DATABASE_URL', value: 'postgres://app:hunter2@db/app' },
        {
          name: 'OMISE_SECRET_KEY',
          valueFrom: { configMapKeyRef: { name: 'app-config', key: 'LOG_LEVEL' } },
        },
        { name: 'LOG_LEVEL', value: 'debug' },
      ];
    });

    expect(messages(yaml)).toEqual([
      'Deployment/test/worker: container worker: env DATABASE_URL looks like a credential but is not read from a Secret (valueFrom.secretKeyRef)',
      'Deployment/test/worker: container worker: env OMISE_SECRET_KEY looks like a credential but is not read from a Secret (valueFrom.secretKeyRef)',
    ]);
  });

  test('a Secret with values, or a ConfigMap holding a credential, is rejected', () => {
    const objects = validObjects();
    objects.push({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'app-secrets', namespace: 'test' },
      stringData: { OMISE_SECRET_KEY: 'skey_test_123' },
    });
    dig(objects[0] ?? {}, 'data').REDIS_PASSWORD = 'hunter2';

    expect(messages(toYaml(objects))).toEqual([
      'ConfigMap/test/app-config: ConfigMap key REDIS_PASSWORD looks like a credential; put it in a Secret',
      'Secret/test/app-secrets: Secret values must not live in the repository; reference a Secret the operator creates',
    ]);
  });

  test('a grace period that ends before the graceful shutdown can is rejected', () => {
    // SHUTDOWN_TIMEOUT_MS is 20000 in the ConfigMap; the preStop pause adds 5 s.
    const yaml = withEdit('Deployment', 'web', (deployment) => {
      dig(deployment, 'spec.template.spec').terminationGracePeriodSeconds = 25;
    });

    expect(messages(yaml)).toEqual([
      'Deployment/test/web: container web: terminationGracePeriodSeconds 25 must exceed SHUTDOWN_TIMEOUT_MS plus the preStop pause (25 s), or the pod is killed mid-drain',
    ]);
  });

  test('a Service, PDB and NetworkPolicy whose selectors match no pods are reported', () => {
    const objects = validObjects();
    for (const object of objects) {
      if (object.kind === 'Service') dig(object, 'spec').selector = { app: 'wbe' };
      if (object.kind === 'PodDisruptionBudget')
        dig(object, 'spec.selector.matchLabels').app = 'wbe';
      if (object.kind === 'NetworkPolicy')
        dig(object, 'spec.podSelector.matchLabels')['part-of'] = 'x';
    }

    expect(messages(toYaml(objects))).toEqual([
      'Service/test/web: selector matches no pod template',
      'PodDisruptionBudget/test/web: selector matches no pod template',
      'NetworkPolicy/test/default-deny: podSelector matches no pod template, so it protects nothing',
    ]);
  });

  test('a ScaledObject aimed at a missing Deployment, or competing with an HPA, is reported', () => {
    const missing = withEdit('ScaledObject', 'worker', (scaled) => {
      dig(scaled, 'spec.scaleTargetRef').name = 'wroker';
      dig(scaled, 'spec.triggers.0.authenticationRef').name = 'nope';
    });
    const rival = withEdit('HorizontalPodAutoscaler', 'web', (hpa) => {
      dig(hpa, 'spec.scaleTargetRef').name = 'worker';
    });

    expect(messages(missing)).toEqual([
      'ScaledObject/test/worker: scaleTargetRef Deployment/wroker is not defined',
      'ScaledObject/test/worker: trigger authenticationRef TriggerAuthentication/nope is not defined',
    ]);
    expect(messages(rival)).toEqual([
      'ScaledObject/test/worker: HorizontalPodAutoscaler/test/web also scales worker; KEDA must own it alone',
    ]);
  });

  test("a prometheus trigger that queries another namespace's metrics is reported", () => {
    const yaml = withEdit('ScaledObject', 'worker', (scaled) => {
      dig(scaled, 'spec.triggers.1.metadata').query =
        'sum(omise_sync_queue_waiting_jobs{namespace="prod"})';
    });

    expect(messages(yaml)).toEqual([
      'ScaledObject/test/worker: prometheus trigger queries namespace "prod", not its own "test"',
    ]);
  });

  test('dangling names (Ingress backend, envFrom ConfigMap, probe port, ServiceMonitor port) are reported', () => {
    const objects = validObjects();
    for (const object of objects) {
      if (object.kind === 'Ingress') {
        dig(object, 'spec.rules.0.http.paths.0.backend.service').name = 'web-typo';
      }
      if (object.kind === 'ServiceMonitor') dig(object, 'spec.endpoints.0').port = 'metrics';
      if (object.kind === 'Deployment' && dig(object, 'metadata').name === 'worker') {
        dig(object, `${WORKER_CONTAINER}.envFrom.0.configMapRef`).name = 'app-config-old';
        dig(object, `${WORKER_CONTAINER}.livenessProbe.httpGet`).port = 'http';
      }
    }

    expect(messages(toYaml(objects))).toEqual([
      'Deployment/test/worker: container worker: envFrom ConfigMap app-config-old is not defined',
      'Deployment/test/worker: container worker: livenessProbe uses port http, which the container does not name',
      'Ingress/test/web: backend Service web-typo is not defined',
      'ServiceMonitor/test/web: endpoint port metrics is not a named port of the selected Services',
    ]);
  });

  test('the same object defined twice is reported', () => {
    const objects = validObjects();
    objects.push(objects[1] ?? {});

    expect(messages(toYaml(objects))).toEqual(['ServiceAccount/test/app: defined more than once']);
  });
});

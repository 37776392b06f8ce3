import { type INetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { type ITriggerAuthentication } from '@kubernetes-models/keda/keda.sh/v1alpha1/TriggerAuthentication';
import { describeObject, type K8sObject, type Problem } from './manifest';
import { configMapsByName, envValue } from './policy-checks';
import { containersOf, workloadOf } from './workloads';

/** What a rendered overlay is for, and so how strictly its images must be pinned. */
export interface SecurityCheckOptions {
  /** Every image must be pinned by digest (the prod overlay). @defaultValue false */
  requireDigests?: boolean;
  /**
   * The manifests are about to be released: the placeholder digest must have been replaced by
   * the built image's. @defaultValue false
   */
  release?: boolean;
}

/**
 * The digest the prod overlay carries until the release process sets the built image's
 * (`kustomize edit set image omise-sync=…@sha256:…`); never a real image.
 */
export const PLACEHOLDER_DIGEST = `sha256:${'0'.repeat(64)}`;

/** The command the image's entrypoint runs (`receiver`, `worker`, `migrate`, …). */
function commandOf(args: string[] | undefined): string | undefined {
  return args?.[0];
}

/**
 * Least-privilege rules (issue 23): each Secret is read by one component only; only the
 * migration container holds the DDL database URL, and it holds nothing else of the database;
 * the receiver holds no Omise secret key unless it verifies by fetching; nothing runs the Omise
 * emulator; every egress rule names its destination; and, where asked, images are pinned by
 * digest.
 */
export function checkSecurity(objects: K8sObject[], options: SecurityCheckOptions = {}): Problem[] {
  const problems: Problem[] = [];
  const configMaps = configMapsByName(objects);
  const readers = new Map<string, Set<string>>();
  const addReader = (secret: string, namespace: string | undefined, reader: string) => {
    const key = `${namespace ?? ''}/${secret}`;
    readers.set(key, (readers.get(key) ?? new Set()).add(reader));
  };

  for (const object of objects) {
    const report = (message: string): void => {
      problems.push({ object: describeObject(object), message });
    };
    const namespace = object.metadata.namespace;

    if (object.kind === 'TriggerAuthentication') {
      const spec = (object as unknown as ITriggerAuthentication).spec;
      for (const target of spec.secretTargetRef ?? []) {
        addReader(target.name, namespace, describeObject(object));
      }
    }

    if (object.kind === 'NetworkPolicy') {
      const egress = (object as unknown as INetworkPolicy).spec?.egress ?? [];
      egress.forEach((rule, index) => {
        if ((rule.to ?? []).length === 0) {
          report(
            `egress rule ${index} allows any destination; name it with to: (a namespace or pod selector, or an ipBlock set per overlay)`,
          );
        }
      });
    }

    const workload = workloadOf(object);
    if (workload === undefined) continue;
    // A Secret mounted as a volume (the accounts file) is read as much as one in env.
    for (const volume of workload.template.spec?.volumes ?? []) {
      const secret = volume.secret?.secretName;
      if (secret !== undefined) addReader(secret, namespace, describeObject(object));
    }
    for (const { container } of containersOf(workload.template)) {
      const where = `container ${container.name}`;
      const command = commandOf(container.args);
      const env = (name: string) => container.env?.find((entry) => entry.name === name);
      for (const entry of container.env ?? []) {
        const secret = entry.valueFrom?.secretKeyRef?.name;
        if (secret !== undefined) addReader(secret, namespace, describeObject(object));
      }

      if (command === 'emulator') {
        report(`${where}: runs the Omise emulator, which is for tests and demos only`);
      }
      if (command !== 'migrate' && env('MIGRATION_DATABASE_URL') !== undefined) {
        report(`${where}: reads MIGRATION_DATABASE_URL, which only the migrate container may hold`);
      }
      if (command === 'migrate') {
        if (env('MIGRATION_DATABASE_URL') === undefined) {
          report(`${where}: migrate must connect with MIGRATION_DATABASE_URL (the DDL role)`);
        }
        if (env('DATABASE_URL') !== undefined) {
          report(`${where}: migrate must not hold the runtime DATABASE_URL as well`);
        }
      }
      if (command === 'receiver' && env('OMISE_SECRET_KEY') !== undefined) {
        const mode = envValue(container, 'OMISE_WEBHOOK_VERIFY', namespace, configMaps);
        if (mode !== 'fetch') {
          report(
            `${where}: the receiver reads OMISE_SECRET_KEY but verifies signatures (${mode ?? 'the default'}); only fetch mode needs the key`,
          );
        }
      }

      const image = container.image ?? '';
      if (options.requireDigests === true && !/@sha256:[a-f0-9]{64}$/.test(image)) {
        report(`${where}: image "${image}" is not pinned by digest (@sha256:…)`);
      }
      if (options.release === true && image.endsWith(`@${PLACEHOLDER_DIGEST}`)) {
        report(`${where}: image "${image}" still carries the placeholder digest`);
      }
    }
  }

  for (const [key, names] of readers) {
    if (names.size > 1) {
      problems.push({
        object: `Secret/${key}`,
        message: `read by ${[...names].sort().join(', ')}; give each component its own Secret`,
      });
    }
  }
  return problems;
}

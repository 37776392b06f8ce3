import { describeObject, type K8sObject, parseManifests, type Problem } from './manifest';
import { checkPolicies } from './policy-checks';
import { checkReferences } from './reference-checks';
import { checkSecurity, type SecurityCheckOptions } from './security-checks';
import { validateSchema } from './schema-registry';

/** What validating one rendered overlay found. */
export interface ManifestReport {
  /** Objects parsed from the YAML stream. */
  objectCount: number;
  /** Objects per kind, for the summary line. */
  kinds: Record<string, number>;
  /** Secret keys the manifests read (`secretKeyRef`), by Secret name: what the operator must create. */
  secretKeys: Record<string, string[]>;
  problems: Problem[];
}

/**
 * Validates the output of `kubectl kustomize`: each object against its Kubernetes or CRD
 * schema, then the project's policies, its least-privilege rules and cross-object references. Those run only once every
 * object matches its schema: they rely on the shapes, and a broken object would otherwise
 * echo as a dozen dangling references.
 */
export function validateManifests(
  yamlText: string,
  options: SecurityCheckOptions = {},
): ManifestReport {
  const { objects, problems } = parseManifests(yamlText);
  const kinds: Record<string, number> = {};
  for (const object of objects) {
    kinds[object.kind] = (kinds[object.kind] ?? 0) + 1;
    for (const message of validateSchema(object)) {
      problems.push({ object: describeObject(object), message });
    }
  }
  if (objects.length === 0 && problems.length === 0) {
    problems.push({ object: 'input', message: 'no Kubernetes objects found' });
  }
  if (problems.length === 0) {
    problems.push(
      ...checkPolicies(objects),
      ...checkSecurity(objects, options),
      ...checkReferences(objects),
    );
  }
  return {
    objectCount: objects.length,
    kinds,
    secretKeys: collectSecretKeys(objects),
    problems,
  };
}

/**
 * Every `secretKeyRef`, KEDA `secretTargetRef` and Secret volume (its `items`, or `*` for every
 * key), wherever it appears in any object.
 */
function collectSecretKeys(objects: K8sObject[]): Record<string, string[]> {
  const keys = new Map<string, Set<string>>();
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) {
      node.forEach(visit);
      return;
    }
    if (typeof node !== 'object' || node === null) return;
    for (const [field, value] of Object.entries(node)) {
      if (field === 'secretKeyRef' && typeof value === 'object' && value !== null) {
        const { name, key } = value as { name?: unknown; key?: unknown };
        if (typeof name === 'string' && typeof key === 'string') {
          keys.set(name, (keys.get(name) ?? new Set()).add(key));
        }
      } else if (
        field === 'secret' &&
        typeof value === 'object' &&
        value !== null &&
        typeof (value as { secretName?: unknown }).secretName === 'string'
      ) {
        const { secretName, items } = value as { secretName: string; items?: unknown };
        const set = keys.get(secretName) ?? new Set<string>();
        const listed = Array.isArray(items) ? (items as { key?: unknown }[]) : [];
        for (const item of listed) if (typeof item.key === 'string') set.add(item.key);
        if (listed.length === 0) set.add('*');
        keys.set(secretName, set);
      } else if (field === 'secretTargetRef' && Array.isArray(value)) {
        for (const target of value as { name?: unknown; key?: unknown }[]) {
          if (typeof target.name === 'string' && typeof target.key === 'string') {
            keys.set(target.name, (keys.get(target.name) ?? new Set()).add(target.key));
          }
        }
      } else visit(value);
    }
  };
  visit(objects);
  return Object.fromEntries([...keys].map(([name, set]) => [name, [...set].sort()]));
}

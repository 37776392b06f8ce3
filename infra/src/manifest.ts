import { parseAllDocuments } from 'yaml';

/** The part every Kubernetes object shares; the rest is checked against its schema. */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [field: string]: unknown;
}

/** One thing wrong with the manifests, named so a person can find it. */
export interface Problem {
  /** `Kind/name` (with `namespace/` when set), or the document position for unparsable input. */
  object: string;
  message: string;
}

/** `Deployment/omise-sync/omise-sync-worker` */
export function describeObject(object: K8sObject): string {
  const { namespace, name } = object.metadata;
  return namespace === undefined ? `${object.kind}/${name}` : `${object.kind}/${namespace}/${name}`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isK8sObject(value: unknown): value is K8sObject {
  return (
    isRecord(value) &&
    typeof value.apiVersion === 'string' &&
    typeof value.kind === 'string' &&
    isRecord(value.metadata) &&
    typeof value.metadata.name === 'string' &&
    value.metadata.name !== ''
  );
}

/**
 * Parses a multi-document YAML stream (what `kubectl kustomize` prints) into objects.
 * Empty documents are skipped; anything that is not a Kubernetes object is a problem.
 */
export function parseManifests(text: string): { objects: K8sObject[]; problems: Problem[] } {
  const objects: K8sObject[] = [];
  const problems: Problem[] = [];
  parseAllDocuments(text).forEach((document, index) => {
    const where = `document ${index + 1}`;
    if (document.errors.length > 0) {
      for (const error of document.errors) problems.push({ object: where, message: error.message });
      return;
    }
    const value: unknown = document.toJS();
    if (value === null || value === undefined) return;
    if (!isK8sObject(value)) {
      problems.push({
        object: where,
        message: 'not a Kubernetes object (apiVersion, kind and metadata.name are required)',
      });
      return;
    }
    objects.push(value);
  });
  return { objects, problems };
}

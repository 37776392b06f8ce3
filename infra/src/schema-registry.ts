import { ScaledJob } from '@kubernetes-models/keda/keda.sh/v1alpha1/ScaledJob';
import { ScaledObject } from '@kubernetes-models/keda/keda.sh/v1alpha1/ScaledObject';
import { TriggerAuthentication } from '@kubernetes-models/keda/keda.sh/v1alpha1/TriggerAuthentication';
import { PodMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PodMonitor';
import { PrometheusRule } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule';
import { ServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { StatefulSet } from 'kubernetes-models/apps/v1/StatefulSet';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import { CronJob } from 'kubernetes-models/batch/v1/CronJob';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { Ingress } from 'kubernetes-models/networking.k8s.io/v1/Ingress';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { Role } from 'kubernetes-models/rbac.authorization.k8s.io/v1/Role';
import { RoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Namespace } from 'kubernetes-models/v1/Namespace';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service } from 'kubernetes-models/v1/Service';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { type K8sObject } from './manifest';

/**
 * A kubernetes-models class: built from plain data, validated against its OpenAPI schema.
 * Its constructor is typed for valid input only; here it receives unchecked input, which is
 * exactly what validate() is for, so the parameter is typed `never` and the call site casts.
 */
interface ModelClass {
  readonly apiVersion: string;
  readonly kind: string;
  new (data: never): { validate(): void };
}

/**
 * The kinds this repository may render, by `apiVersion/kind`. A kind missing here fails
 * validation on purpose: add its model rather than letting an object go unchecked.
 * Versions are the ones the manifests target (Kubernetes 1.32 core models, KEDA v2,
 * Prometheus Operator v1).
 */
const MODELS: readonly ModelClass[] = [
  ConfigMap,
  Namespace,
  Secret,
  Service,
  ServiceAccount,
  Deployment,
  StatefulSet,
  Job,
  CronJob,
  HorizontalPodAutoscaler,
  PodDisruptionBudget,
  Ingress,
  NetworkPolicy,
  Role,
  RoleBinding,
  ScaledObject,
  ScaledJob,
  TriggerAuthentication,
  ServiceMonitor,
  PodMonitor,
  PrometheusRule,
];

const BY_TYPE = new Map(MODELS.map((model) => [`${model.apiVersion}/${model.kind}`, model]));

interface SchemaError {
  instancePath?: unknown;
  message?: unknown;
  params?: unknown;
}

function hasErrors(error: unknown): error is { errors: SchemaError[] } {
  return (
    typeof error === 'object' && error !== null && 'errors' in error && Array.isArray(error.errors)
  );
}

function describeSchemaError(error: SchemaError): string {
  const path =
    typeof error.instancePath === 'string' && error.instancePath !== '' ? error.instancePath : '/';
  const message = typeof error.message === 'string' ? error.message : 'is invalid';
  const allowed =
    typeof error.params === 'object' &&
    error.params !== null &&
    'allowedValues' in error.params &&
    Array.isArray(error.params.allowedValues)
      ? ` (${error.params.allowedValues.map(String).join(', ')})`
      : '';
  return `${path} ${message}${allowed}`;
}

/** True when a schema for this `apiVersion`/`kind` is known. */
export function hasSchema(object: Pick<K8sObject, 'apiVersion' | 'kind'>): boolean {
  return BY_TYPE.has(`${object.apiVersion}/${object.kind}`);
}

/**
 * Validates one object against the Kubernetes (or CRD) OpenAPI schema for its type: required
 * fields, types, enums and formats such as resource quantities. Returns one message per error.
 */
export function validateSchema(object: K8sObject): string[] {
  const model = BY_TYPE.get(`${object.apiVersion}/${object.kind}`);
  if (model === undefined) {
    return [
      `no schema known for ${object.apiVersion} ${object.kind}; add its model to infra/src/schema-registry.ts`,
    ];
  }
  try {
    new model(object as never).validate();
    return [];
  } catch (error: unknown) {
    if (hasErrors(error)) {
      // allErrors repeats the parent of a failed oneOf; keep each message once.
      return [...new Set(error.errors.map(describeSchemaError))];
    }
    return [error instanceof Error ? error.message : String(error)];
  }
}

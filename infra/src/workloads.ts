import { type IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import { type IStatefulSet } from 'kubernetes-models/apps/v1/StatefulSet';
import { type ICronJob } from 'kubernetes-models/batch/v1/CronJob';
import { type IJob } from 'kubernetes-models/batch/v1/Job';
import { type IContainer } from 'kubernetes-models/v1/Container';
import { type IPodTemplateSpec } from 'kubernetes-models/v1/PodTemplateSpec';
import { type K8sObject } from './manifest';

/** An object that runs pods, with the template its pods are made from. */
export interface Workload {
  object: K8sObject;
  template: IPodTemplateSpec;
  /** Long-running (Deployment, StatefulSet) rather than run-to-completion (Job, CronJob). */
  isLongRunning: boolean;
}

/** A label selector as Kubernetes writes it (matchLabels and matchExpressions). */
export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

/**
 * The pod template of a workload kind, or undefined for other kinds. Callers run this only on
 * objects that passed schema validation, which is what makes the narrowing casts sound.
 */
export function workloadOf(object: K8sObject): Workload | undefined {
  switch (object.kind) {
    case 'Deployment': {
      const template = (object as unknown as IDeployment).spec?.template;
      return template && { object, template, isLongRunning: true };
    }
    case 'StatefulSet': {
      const template = (object as unknown as IStatefulSet).spec?.template;
      return template && { object, template, isLongRunning: true };
    }
    case 'Job': {
      const template = (object as unknown as IJob).spec?.template;
      return template && { object, template, isLongRunning: false };
    }
    case 'CronJob': {
      const template = (object as unknown as ICronJob).spec?.jobTemplate.spec?.template;
      return template && { object, template, isLongRunning: false };
    }
    default:
      return undefined;
  }
}

/** Init containers first, then the main ones, each tagged with which list it came from. */
export function containersOf(
  template: IPodTemplateSpec,
): { container: IContainer; isInit: boolean }[] {
  const spec = template.spec;
  if (spec === undefined) return [];
  return [
    ...(spec.initContainers ?? []).map((container) => ({ container, isInit: true })),
    ...spec.containers.map((container) => ({ container, isInit: false })),
  ];
}

/** Kubernetes label-selector semantics; an empty selector matches everything. */
export function selectorMatches(
  selector: LabelSelector | undefined,
  labels: Record<string, string> | undefined,
): boolean {
  if (selector === undefined) return false;
  const have = labels ?? {};
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    if (have[key] !== value) return false;
  }
  for (const { key, operator, values = [] } of selector.matchExpressions ?? []) {
    const value = have[key];
    const ok =
      operator === 'In'
        ? value !== undefined && values.includes(value)
        : operator === 'NotIn'
          ? value === undefined || !values.includes(value)
          : operator === 'Exists'
            ? value !== undefined
            : operator === 'DoesNotExist'
              ? value === undefined
              : false;
    if (!ok) return false;
  }
  return true;
}

import { type IScaledObject } from '@kubernetes-models/keda/keda.sh/v1alpha1/ScaledObject';
import { type IServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor';
import { type IHorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import { type IIngress } from 'kubernetes-models/networking.k8s.io/v1/Ingress';
import { type INetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { type IPodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { type IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { type IContainer } from 'kubernetes-models/v1/Container';
import { type IService } from 'kubernetes-models/v1/Service';
import { describeObject, type K8sObject, type Problem } from './manifest';
import {
  containersOf,
  type LabelSelector,
  selectorMatches,
  type Workload,
  workloadOf,
} from './workloads';

/**
 * Names that must point at something: a typo in a selector or a name renders and passes every
 * schema, then fails silently in the cluster (a Service with no endpoints, an HPA with no
 * target, a NetworkPolicy that protects nothing). Objects are only compared within a namespace.
 */
export function checkReferences(objects: K8sObject[]): Problem[] {
  const problems: Problem[] = [];
  const key = (kind: string, namespace: string | undefined, name: string): string =>
    `${kind}/${namespace ?? ''}/${name}`;
  const byKey = new Map<string, K8sObject>();
  for (const object of objects) {
    const id = key(object.kind, object.metadata.namespace, object.metadata.name);
    if (byKey.has(id)) {
      problems.push({ object: describeObject(object), message: 'defined more than once' });
    }
    byKey.set(id, object);
  }
  const find = (kind: string, namespace: string | undefined, name: string): K8sObject | undefined =>
    byKey.get(key(kind, namespace, name));
  const workloads = objects.map(workloadOf).filter((w): w is Workload => w !== undefined);
  const podsIn = (namespace: string | undefined): Workload[] =>
    workloads.filter((w) => w.object.metadata.namespace === namespace);
  const selects = (
    selector: LabelSelector | undefined,
    namespace: string | undefined,
  ): Workload[] =>
    podsIn(namespace).filter((w) => selectorMatches(selector, w.template.metadata?.labels));

  for (const object of objects) {
    const report = (message: string): void => {
      problems.push({ object: describeObject(object), message });
    };
    const namespace = object.metadata.namespace;

    const workload = workloadOf(object);
    if (workload !== undefined) {
      const account = workload.template.spec?.serviceAccountName;
      if (
        account !== undefined &&
        account !== 'default' &&
        !find('ServiceAccount', namespace, account)
      ) {
        report(`serviceAccountName ${account} is not defined`);
      }
      for (const { container } of containersOf(workload.template)) {
        checkContainerReferences(container, namespace, find, report);
      }
    }

    switch (object.kind) {
      case 'Service': {
        const service = object as unknown as IService;
        const selector = service.spec?.selector;
        if (selector === undefined) break;
        const matched = selects({ matchLabels: selector }, namespace);
        if (matched.length === 0) {
          report('selector matches no pod template');
          break;
        }
        for (const port of service.spec?.ports ?? []) {
          if (typeof port.targetPort !== 'string') continue;
          const named = matched.some((w) =>
            containersOf(w.template).some(({ container }) =>
              (container.ports ?? []).some((p) => p.name === port.targetPort),
            ),
          );
          if (!named)
            report(`targetPort ${port.targetPort} is not a named port of the selected pods`);
        }
        break;
      }
      case 'PodDisruptionBudget': {
        const pdb = object as unknown as IPodDisruptionBudget;
        if (selects(pdb.spec?.selector, namespace).length === 0)
          report('selector matches no pod template');
        break;
      }
      case 'NetworkPolicy': {
        const policy = object as unknown as INetworkPolicy;
        if (selects(policy.spec?.podSelector, namespace).length === 0) {
          report('podSelector matches no pod template, so it protects nothing');
        }
        break;
      }
      case 'HorizontalPodAutoscaler': {
        const target = (object as unknown as IHorizontalPodAutoscaler).spec?.scaleTargetRef;
        if (target !== undefined && !find(target.kind, namespace, target.name)) {
          report(`scaleTargetRef ${target.kind}/${target.name} is not defined`);
        }
        break;
      }
      case 'ScaledObject': {
        const spec = (object as unknown as IScaledObject).spec;
        const targetKind = spec.scaleTargetRef.kind ?? 'Deployment';
        const targetName = spec.scaleTargetRef.name;
        if (!find(targetKind, namespace, targetName)) {
          report(`scaleTargetRef ${targetKind}/${targetName} is not defined`);
        }
        // KEDA creates its own HPA for the target; a second HPA would fight it.
        const rival = objects.find(
          (o) =>
            o.kind === 'HorizontalPodAutoscaler' &&
            o.metadata.namespace === namespace &&
            (o as unknown as IHorizontalPodAutoscaler).spec?.scaleTargetRef.name === targetName,
        );
        if (rival)
          report(`${describeObject(rival)} also scales ${targetName}; KEDA must own it alone`);
        for (const trigger of spec.triggers) {
          const ref = trigger.authenticationRef;
          if (ref === undefined) continue;
          const kind = ref.kind ?? 'TriggerAuthentication';
          const found =
            kind === 'ClusterTriggerAuthentication'
              ? objects.some((o) => o.kind === kind && o.metadata.name === ref.name)
              : find(kind, namespace, ref.name);
          if (!found) report(`trigger authenticationRef ${kind}/${ref.name} is not defined`);
        }
        // A query copied from another overlay would scale on another namespace's queues.
        for (const trigger of spec.triggers) {
          if (trigger.type !== 'prometheus') continue;
          const query = String(trigger.metadata['query'] ?? '');
          for (const match of query.matchAll(/namespace\s*=\s*"([^"]*)"/g)) {
            if (match[1] !== namespace) {
              report(
                `prometheus trigger queries namespace "${match[1]}", not its own "${namespace ?? ''}"`,
              );
            }
          }
        }
        break;
      }
      case 'Ingress': {
        const ingress = object as unknown as IIngress;
        for (const rule of ingress.spec?.rules ?? []) {
          for (const path of rule.http?.paths ?? []) {
            const backend = path.backend.service;
            if (backend === undefined) continue;
            const service = find('Service', namespace, backend.name) as unknown as
              IService | undefined;
            if (service === undefined) {
              report(`backend Service ${backend.name} is not defined`);
              continue;
            }
            const ports = service.spec?.ports ?? [];
            const ok =
              backend.port === undefined ||
              ports.some((p) => p.name === backend.port?.name || p.port === backend.port?.number);
            if (!ok)
              report(
                `backend port of ${path.path ?? '/'} is not a port of Service ${backend.name}`,
              );
          }
        }
        break;
      }
      case 'ServiceMonitor': {
        const spec = (object as unknown as IServiceMonitor).spec;
        const sameNamespaceOnly = spec.namespaceSelector === undefined;
        if (!sameNamespaceOnly) break;
        const services = objects.filter(
          (o) =>
            o.kind === 'Service' &&
            o.metadata.namespace === namespace &&
            selectorMatches(spec.selector, o.metadata.labels),
        ) as unknown as IService[];
        if (services.length === 0) {
          report('selector matches no Service');
          break;
        }
        for (const endpoint of spec.endpoints ?? []) {
          if (endpoint.port === undefined) continue;
          const exists = services.some((s) =>
            (s.spec?.ports ?? []).some((p) => p.name === endpoint.port),
          );
          if (!exists)
            report(`endpoint port ${endpoint.port} is not a named port of the selected Services`);
        }
        break;
      }
      default:
        break;
    }
  }
  return problems;
}

function checkContainerReferences(
  container: IContainer,
  namespace: string | undefined,
  find: (kind: string, namespace: string | undefined, name: string) => K8sObject | undefined,
  report: (message: string) => void,
): void {
  const configMapHas = (name: string, item?: string): boolean => {
    const map = find('ConfigMap', namespace, name) as unknown as IConfigMap | undefined;
    return map !== undefined && (item === undefined || map.data?.[item] !== undefined);
  };
  for (const source of container.envFrom ?? []) {
    const ref = source.configMapRef;
    if (ref?.name !== undefined && ref.optional !== true && !configMapHas(ref.name)) {
      report(`container ${container.name}: envFrom ConfigMap ${ref.name} is not defined`);
    }
  }
  for (const entry of container.env ?? []) {
    const ref = entry.valueFrom?.configMapKeyRef;
    if (ref?.name !== undefined && ref.optional !== true && !configMapHas(ref.name, ref.key)) {
      report(
        `container ${container.name}: env ${entry.name} reads ${ref.name}.${ref.key}, which is not defined`,
      );
    }
  }
  const portNames = new Set(
    (container.ports ?? []).map((p) => p.name).filter((n) => n !== undefined),
  );
  for (const [probeName, probe] of [
    ['startupProbe', container.startupProbe],
    ['livenessProbe', container.livenessProbe],
    ['readinessProbe', container.readinessProbe],
  ] as const) {
    const port = probe?.httpGet?.port ?? probe?.tcpSocket?.port;
    if (typeof port === 'string' && !portNames.has(port)) {
      report(
        `container ${container.name}: ${probeName} uses port ${port}, which the container does not name`,
      );
    }
  }
}

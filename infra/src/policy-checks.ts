import { type IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { type IContainer } from 'kubernetes-models/v1/Container';
import { type ISecret } from 'kubernetes-models/v1/Secret';
import { describeObject, type K8sObject, type Problem } from './manifest';
import { containersOf, type Workload, workloadOf } from './workloads';

/**
 * Env var and ConfigMap key names that hold credentials. Their values must come from a Secret
 * (`valueFrom.secretKeyRef`), never from a literal `value:` or a ConfigMap in this repository.
 */
export function isSecretName(name: string): boolean {
  return (
    /SECRET|KEY|PASSWORD|TOKEN|CREDENTIAL/i.test(name) ||
    ['DATABASE_URL', 'REDIS_URL', 'ALERT_WEBHOOK_URL'].includes(name.toUpperCase())
  );
}

/** Kubernetes' default when terminationGracePeriodSeconds is not set. */
const DEFAULT_GRACE_SECONDS = 30;

export function configMapsByName(objects: K8sObject[]): Map<string, IConfigMap> {
  const byName = new Map<string, IConfigMap>();
  for (const object of objects) {
    if (object.kind === 'ConfigMap') {
      byName.set(
        `${object.metadata.namespace ?? ''}/${object.metadata.name}`,
        object as unknown as IConfigMap,
      );
    }
  }
  return byName;
}

/** The value a container sees for an env var, following envFrom ConfigMaps; undefined if unknown. */
export function envValue(
  container: IContainer,
  name: string,
  namespace: string | undefined,
  configMaps: Map<string, IConfigMap>,
): string | undefined {
  // Explicit env wins over envFrom, as in Kubernetes.
  const direct = container.env?.find((entry) => entry.name === name);
  if (direct !== undefined) return direct.value;
  let found: string | undefined;
  for (const source of container.envFrom ?? []) {
    const mapName = source.configMapRef?.name;
    if (mapName === undefined) continue;
    const value = configMaps.get(`${namespace ?? ''}/${mapName}`)?.data?.[
      `${source.prefix ?? ''}${name}`
    ];
    // Later envFrom sources override earlier ones.
    if (value !== undefined) found = value;
  }
  return found;
}

/** Seconds a preStop `sleep N` (exec or native) holds the pod before SIGTERM. */
function preStopSeconds(container: IContainer): number {
  const preStop = container.lifecycle?.preStop;
  if (preStop?.sleep !== undefined) return preStop.sleep.seconds;
  const command = preStop?.exec?.command ?? [];
  const index = command.indexOf('sleep');
  const seconds = index === -1 ? Number.NaN : Number(command[index + 1]);
  return Number.isFinite(seconds) ? seconds : 0;
}

function checkWorkload(workload: Workload, configMaps: Map<string, IConfigMap>): string[] {
  const messages: string[] = [];
  const { template, isLongRunning, object } = workload;
  const pod = template.spec;
  if (pod === undefined) return ['pod template has no spec'];
  const podSecurity = pod.securityContext;

  for (const { container, isInit } of containersOf(template)) {
    const where = `${isInit ? 'init container' : 'container'} ${container.name}`;
    const security = container.securityContext;

    const requests = container.resources?.requests ?? {};
    const limits = container.resources?.limits ?? {};
    for (const resource of ['cpu', 'memory']) {
      if (requests[resource] === undefined) messages.push(`${where}: no ${resource} request`);
      if (limits[resource] === undefined) messages.push(`${where}: no ${resource} limit`);
    }

    if (isLongRunning && !isInit) {
      if (container.livenessProbe === undefined) messages.push(`${where}: no livenessProbe`);
      if (container.readinessProbe === undefined) messages.push(`${where}: no readinessProbe`);
    }

    const runAsNonRoot = security?.runAsNonRoot ?? podSecurity?.runAsNonRoot;
    if (runAsNonRoot !== true) messages.push(`${where}: runAsNonRoot is not true`);
    const runAsUser = security?.runAsUser ?? podSecurity?.runAsUser;
    if (runAsUser === 0) messages.push(`${where}: runAsUser is 0 (root)`);
    if (security?.readOnlyRootFilesystem !== true) {
      messages.push(`${where}: readOnlyRootFilesystem is not true`);
    }
    if (security?.allowPrivilegeEscalation !== false) {
      messages.push(`${where}: allowPrivilegeEscalation is not false`);
    }
    if (security?.privileged === true) messages.push(`${where}: runs privileged`);
    if (!(security?.capabilities?.drop ?? []).includes('ALL')) {
      messages.push(`${where}: capabilities do not drop ALL`);
    }
    if ((security?.capabilities?.add ?? []).length > 0) {
      messages.push(`${where}: adds capabilities`);
    }
    const seccomp = security?.seccompProfile?.type ?? podSecurity?.seccompProfile?.type;
    if (seccomp !== 'RuntimeDefault' && seccomp !== 'Localhost') {
      messages.push(`${where}: seccompProfile is not RuntimeDefault`);
    }

    // A read-only root still needs somewhere to write temporary files.
    const tmpMount = container.volumeMounts?.find((mount) => mount.mountPath === '/tmp');
    const tmpVolume = pod.volumes?.find((volume) => volume.name === tmpMount?.name);
    if (tmpVolume?.emptyDir === undefined) {
      messages.push(`${where}: /tmp is not an emptyDir mount (the root filesystem is read-only)`);
    }

    const image = container.image ?? '';
    if (!/@sha256:[a-f0-9]{64}$/.test(image)) {
      const tag = /:([^:/]+)$/.exec(image)?.[1];
      if (tag === undefined) messages.push(`${where}: image "${image}" has no tag`);
      else if (tag === 'latest') messages.push(`${where}: image "${image}" uses the latest tag`);
    }

    for (const entry of container.env ?? []) {
      if (!isSecretName(entry.name)) continue;
      if (entry.valueFrom?.secretKeyRef === undefined) {
        messages.push(
          `${where}: env ${entry.name} looks like a credential but is not read from a Secret (valueFrom.secretKeyRef)`,
        );
      }
    }

    const shutdown = envValue(
      container,
      'SHUTDOWN_TIMEOUT_MS',
      object.metadata.namespace,
      configMaps,
    );
    if (shutdown !== undefined && !isInit) {
      const grace = pod.terminationGracePeriodSeconds ?? DEFAULT_GRACE_SECONDS;
      const needed = Number(shutdown) / 1000 + preStopSeconds(container);
      if (!Number.isFinite(needed)) {
        messages.push(`${where}: SHUTDOWN_TIMEOUT_MS "${shutdown}" is not a number`);
      } else if (grace <= needed) {
        messages.push(
          `${where}: terminationGracePeriodSeconds ${grace} must exceed SHUTDOWN_TIMEOUT_MS plus the preStop pause (${needed} s), or the pod is killed mid-drain`,
        );
      }
    }
  }
  return messages;
}

/**
 * The project's own rules on top of the schemas: every container has requests and limits,
 * long-running containers have liveness and readiness probes, containers run non-root on a
 * read-only root with no privileges, credentials only come from Secrets, and the grace period
 * outlasts the graceful shutdown.
 */
export function checkPolicies(objects: K8sObject[]): Problem[] {
  const problems: Problem[] = [];
  const configMaps = configMapsByName(objects);
  for (const object of objects) {
    const report = (message: string): void => {
      problems.push({ object: describeObject(object), message });
    };
    if (object.kind === 'Secret') {
      const secret = object as unknown as ISecret;
      if (
        Object.keys(secret.data ?? {}).length > 0 ||
        Object.keys(secret.stringData ?? {}).length > 0
      ) {
        report(
          'Secret values must not live in the repository; reference a Secret the operator creates',
        );
      }
    }
    if (object.kind === 'ConfigMap') {
      const keys = Object.keys((object as unknown as IConfigMap).data ?? {});
      for (const key of keys.filter(isSecretName)) {
        report(`ConfigMap key ${key} looks like a credential; put it in a Secret`);
      }
    }
    const workload = workloadOf(object);
    if (workload !== undefined)
      for (const message of checkWorkload(workload, configMaps)) report(message);
  }
  return problems;
}

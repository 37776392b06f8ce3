import { once } from 'node:events';
import { createServer } from 'node:http';
import { type AddressInfo } from 'node:net';
import { createLogger } from '@omise-sync/core';
import { type z } from 'zod';
import { type FaultsPatch, ScenarioRequest } from './admin-params';
import {
  DEFAULT_DELIVERY,
  DEFAULT_PUBLIC_KEY,
  DEFAULT_SECRET_KEY,
  type EmulatorOptions,
  type Faults,
  NO_FAULTS,
  type WebhookEndpoint,
} from './emulator-options';
import { createRequestHandler, renderEventForApi } from './emulator-http';
import { EmulatorState } from './emulator-state';
import {
  CaptureChargeParams,
  CloseDisputeParams,
  CreateChargeParams,
  CreateCustomerParams,
  CreateDisputeParams,
  CreateRefundParams,
  CreateTokenParams,
  DocumentKind,
  UpdateChargeParams,
  UpdateDisputeParams,
  parseParams,
} from './request-params';
import {
  type Json,
  renderCharge,
  renderCustomer,
  renderDispute,
  renderDocument,
  renderRefund,
  renderToken,
} from './resource-render';
import { runScenario, seedCharges, type ScenarioSummary } from './scenario';
import { createSeededRandom } from './seeded-random';
import { loadSnapshot, readSnapshotRandomState, writeSnapshot } from './state-snapshot';
import { type DeliveryStats, WebhookDispatcher } from './webhook-dispatcher';

export type ResourceKind =
  'charges' | 'refunds' | 'disputes' | 'documents' | 'events' | 'tokens' | 'customers';

/**
 * State changes without HTTP, for scenarios and tests. Each one validates its input with the
 * same schema, runs the same state method and produces the same events and webhooks as the
 * matching API call; each returns the JSON the API would answer with, or throws
 * `OmiseApiError` where the API would answer with an error.
 */
export interface EmulatorActions {
  createToken(params: z.input<typeof CreateTokenParams>): Json;
  createCustomer(params: z.input<typeof CreateCustomerParams>): Json;
  createCharge(params: z.input<typeof CreateChargeParams>): Json;
  updateCharge(id: string, params: z.input<typeof UpdateChargeParams>): Json;
  captureCharge(id: string, params?: z.input<typeof CaptureChargeParams>): Json;
  reverseCharge(id: string): Json;
  expireCharge(id: string): Json;
  markChargeAsPaid(id: string): Json;
  markChargeAsFailed(id: string): Json;
  createRefund(chargeId: string, params: z.input<typeof CreateRefundParams>): Json;
  createDispute(chargeId: string, params?: z.input<typeof CreateDisputeParams>): Json;
  updateDispute(id: string, params: z.input<typeof UpdateDisputeParams>): Json;
  acceptDispute(id: string): Json;
  closeDispute(id: string, params: z.input<typeof CloseDisputeParams>): Json;
  uploadDocument(
    disputeId: string,
    file: { filename: string; content: Buffer; kind?: z.input<typeof DocumentKind> },
  ): Json;
  deleteDocument(disputeId: string, documentId: string): Json;
}

export interface ScenarioRun {
  id: number;
  name: ScenarioRequest['name'];
  status: 'running' | 'finished' | 'failed';
  startedAt: string;
  summary: ScenarioSummary | null;
  error: string | null;
}

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
  const state = new EmulatorState(
    now,
    random,
    (event) => dispatcher.dispatch(event),
    () => baseUrl,
  );
  if (options.snapshotFile !== undefined) {
    const loaded = await loadSnapshot(state, options.snapshotFile);
    if (loaded) logger.info({ file: options.snapshotFile }, 'state loaded from snapshot');
  }

  const runs: ScenarioRun[] = [];
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
    state.clear();
    logger.info('state reset');
  };
  const counts = () => ({
    charges: state.charges.size,
    refunds: state.refunds.size,
    disputes: state.disputes.size,
    documents: state.documents.size,
    events: state.events.size,
    tokens: state.tokens.size,
    customers: state.customers.size,
  });

  const actions: EmulatorActions = {
    createToken: (p) =>
      renderToken(state.createToken(parseParams(CreateTokenParams, p, 'invalid_card'))),
    createCustomer: (p) =>
      renderCustomer(state.createCustomer(parseParams(CreateCustomerParams, p)), now()),
    createCharge: (p) =>
      renderCharge(state.createCharge(parseParams(CreateChargeParams, p, 'invalid_charge')), state),
    updateCharge: (id, p) =>
      renderCharge(
        state.updateCharge(id, parseParams(UpdateChargeParams, p, 'invalid_charge')),
        state,
      ),
    captureCharge: (id, p = {}) =>
      renderCharge(
        state.captureCharge(id, parseParams(CaptureChargeParams, p, 'failed_capture')),
        state,
      ),
    reverseCharge: (id) => renderCharge(state.reverseCharge(id), state),
    expireCharge: (id) => renderCharge(state.expireCharge(id), state),
    markChargeAsPaid: (id) => renderCharge(state.markChargeAsPaid(id), state),
    markChargeAsFailed: (id) => renderCharge(state.markChargeAsFailed(id), state),
    createRefund: (chargeId, p) =>
      renderRefund(
        state.createRefund(chargeId, parseParams(CreateRefundParams, p, 'failed_refund')),
      ),
    createDispute: (chargeId, p = {}) =>
      renderDispute(state.createDispute(chargeId, parseParams(CreateDisputeParams, p)), state),
    updateDispute: (id, p) =>
      renderDispute(state.updateDispute(id, parseParams(UpdateDisputeParams, p)), state),
    acceptDispute: (id) => renderDispute(state.acceptDispute(id), state),
    closeDispute: (id, p) =>
      renderDispute(state.closeDispute(id, parseParams(CloseDisputeParams, p)), state),
    uploadDocument: (disputeId, file) =>
      renderDocument(
        state.uploadDocument(disputeId, {
          filename: file.filename,
          content: file.content,
          kind: file.kind === undefined ? undefined : parseParams(DocumentKind, file.kind),
        }),
        state,
      ),
    deleteDocument: (disputeId, documentId) => {
      const doc = state.deleteDocument(disputeId, documentId);
      return { object: 'document', id: doc.id, livemode: false, deleted: true };
    },
  };

  // Filled in below, once the emulator object exists for the scenario runner to use.
  const self: { current?: Emulator } = {};
  const startScenario = async (request: ScenarioRequest): Promise<ScenarioRun> => {
    const emulator = self.current;
    if (emulator === undefined) throw new Error('emulator is not started');
    const run: ScenarioRun = {
      id: runs.length + 1,
      name: request.name,
      status: 'running',
      startedAt: new Date(now()).toISOString(),
      summary: null,
      error: null,
    };
    runs.push(run);
    const log = logger.child({ scenario: request.name, run: run.id });
    log.info({ request }, 'scenario started');
    try {
      const scenarioOptions = {
        charges: request.charges,
        refundShare: request.refundShare,
        disputeShare: request.disputeShare,
        ...(request.seed === undefined ? {} : { seed: request.seed }),
      };
      run.summary =
        request.name === 'bulk'
          ? await seedCharges(emulator, { ...scenarioOptions, webhooks: request.webhooks })
          : await runScenario(emulator, {
              ...scenarioOptions,
              ratePerSecond: request.ratePerSecond,
            });
      run.status = 'finished';
      log.info({ summary: run.summary }, 'scenario finished');
    } catch (err) {
      run.status = 'failed';
      run.error = err instanceof Error ? err.message : String(err);
      log.error({ err }, 'scenario failed');
    }
    return { ...run };
  };
  const startScenarioJson = async (request: ScenarioRequest): Promise<Json> => ({
    ...(await startScenario(request)),
  });

  const server = createServer(
    { keepAlive: true, keepAliveTimeout: 65_000 },
    createRequestHandler({
      state,
      logger,
      secretKey,
      publicKey,
      faults: () => faults,
      adminApi: options.adminApi ?? true,
      admin: {
        stats: () => ({
          counts: counts(),
          deliveries: dispatcher.stats(),
          faults,
          webhooks: webhooks.map((w) => ({ url: w.url, secrets: w.secrets.length })),
          scenarios: runs.map((r) => ({ ...r })),
        }),
        setFaults,
        setWebhooks,
        startScenario: startScenarioJson,
        scenarios: () => runs.map((r) => ({ ...r })),
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
    await writeSnapshot(state, file);
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
      const charge = state.charges.get(id);
      return charge === undefined ? undefined : renderCharge(charge, state);
    },
    getRefund: (id) => {
      const refund = state.refunds.get(id);
      return refund === undefined ? undefined : renderRefund(refund);
    },
    getDispute: (id) => {
      const dispute = state.disputes.get(id);
      return dispute === undefined ? undefined : renderDispute(dispute, state);
    },
    getEvent: (id) => {
      const event = state.events.get(id);
      return event === undefined ? undefined : renderEventForApi(event);
    },
    listAll: (kind) => {
      switch (kind) {
        case 'charges':
          return state.chargeList.map((c) => renderCharge(c, state));
        case 'refunds':
          return state.refundList.map(renderRefund);
        case 'disputes':
          return state.disputeList.map((d) => renderDispute(d, state));
        case 'documents':
          return [...state.documents.values()].map((d) => renderDocument(d, state));
        case 'events':
          return state.eventList.map(renderEventForApi);
        case 'tokens':
          return [...state.tokens.values()].map(renderToken);
        case 'customers':
          return [...state.customers.values()].map((c) => renderCustomer(c, now()));
      }
    },
    count: (kind) => counts()[kind],
    startScenario: (request) => startScenario(parseParams(ScenarioRequest, request)),
    withoutWebhooks: (fn) => state.withoutWebhooks(fn),
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

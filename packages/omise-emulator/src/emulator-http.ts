import { randomUUID } from 'node:crypto';
import { type IncomingMessage, type ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import busboy from 'busboy';
import { type Logger } from '@omise-sync/core';
import { type z } from 'zod';
import { FaultsPatch, ScenarioRequest, WebhooksInput } from './admin-params';
import { type Faults } from './emulator-options';
import { type EmulatorState, MAX_DOCUMENT_BYTES, fileTooLarge } from './emulator-state';
import { parseListQuery, pageList } from './list-page';
import { OmiseApiError, badRequest } from './omise-api-error';
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
  parseFormBody,
  parseParams,
} from './request-params';
import {
  type Json,
  renderCharge,
  renderCustomer,
  renderDispute,
  renderDocument,
  renderEvent,
  renderDeliveryRecord,
  renderRefund,
  renderToken,
  toOmiseJson,
} from './resource-render';
import { type EventState, type DisputeStatus } from './resource-types';

/** What the HTTP layer needs from the emulator (kept narrow so it is easy to test). */
export interface HttpContext {
  state: EmulatorState;
  logger: Logger;
  secretKey: string;
  publicKey: string;
  faults(): Faults;
  /** Whether `/_emulator/*` is served; when not, those paths are unknown like any other. */
  adminApi: boolean;
  admin: {
    stats(): Json;
    setFaults(patch: FaultsPatch): Faults;
    setWebhooks(list: WebhooksInput): void;
    startScenario(request: ScenarioRequest): Promise<Json>;
    scenarios(): Json[];
    reset(): void;
    idle(timeoutMs: number): Promise<boolean>;
  };
}

type KeyKind = 'secret' | 'public';

interface Request {
  method: string;
  segments: string[];
  query: URLSearchParams;
  raw: IncomingMessage;
  body(): Promise<Record<string, unknown>>;
}

const API_VERSION = '2019-05-29';
const MAX_BODY_BYTES = 1024 * 1024;

export function renderEventForApi(event: EventState): Json {
  const payload = event.payload ?? '';
  return renderEvent(
    event,
    event.deliveries.map((d) => renderDeliveryRecord(d, payload)),
  );
}

/** node:http request handler: Omise's API and vault paths plus the `/_emulator` admin API. */
export function createRequestHandler(ctx: HttpContext) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    void handle(ctx, req, res);
  };
}

async function handle(ctx: HttpContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const requestId = randomUUID();
  res.setHeader('x-request-id', requestId);
  const url = new URL(req.url ?? '/', 'http://emulator');
  const segments = url.pathname.split('/').filter((s) => s !== '');
  let bodyPromise: Promise<Record<string, unknown>> | undefined;
  const request: Request = {
    method: req.method ?? 'GET',
    segments,
    query: url.searchParams,
    raw: req,
    body: () => (bodyPromise ??= readBody(req, url.searchParams)),
  };
  try {
    if (segments[0] === '_emulator' && ctx.adminApi) {
      await handleAdmin(ctx, request, res);
      return;
    }
    await applyRequestFaults(ctx);
    const result = await route(ctx, request);
    if (result instanceof BinaryBody) {
      res.writeHead(200, {
        'content-type': result.contentType,
        'content-length': result.content.length,
      });
      res.end(result.content);
      return;
    }
    sendJson(res, 200, result, req.headers['omise-version']);
  } catch (err) {
    if (err instanceof OmiseApiError) {
      for (const [name, value] of Object.entries(err.headers)) res.setHeader(name, value);
      if (err.status === 502) {
        // A gateway failure comes from the load balancer, not the API: HTML, not JSON.
        res.writeHead(502, { 'content-type': 'text/html' });
        res.end(
          '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n</body>\r\n</html>\r\n',
        );
        return;
      }
      sendJson(res, err.status, err.toJSON(), undefined);
      return;
    }
    ctx.logger.error({ err, requestId, method: req.method, url: req.url }, 'unhandled error');
    sendJson(
      res,
      500,
      new OmiseApiError(500, 'internal_server_error', 'internal server error').toJSON(),
      undefined,
    );
  }
}

/** `body` is an object to serialize, or a string that is already the serialized body. */
function sendJson(res: ServerResponse, status: number, body: unknown, version: unknown): void {
  if (res.headersSent) return;
  const text = typeof body === 'string' ? body : toOmiseJson(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-cache, no-store',
    'omise-version': typeof version === 'string' && version !== '' ? version : API_VERSION,
  });
  res.end(text);
}

async function applyRequestFaults(ctx: HttpContext): Promise<void> {
  const faults = ctx.faults();
  const { random } = ctx.state;
  const latency =
    faults.latencyMs + (faults.latencyJitterMs > 0 ? random.next() * faults.latencyJitterMs : 0);
  if (latency > 0) await sleep(latency);
  if (random.chance(faults.rateLimitShare)) {
    throw new OmiseApiError(429, 'too_many_requests', 'too many requests, slow down', {
      'retry-after': String(faults.retryAfterSeconds),
    });
  }
  if (random.chance(faults.serverErrorShare)) {
    const status = random.pick([500, 502, 503]);
    throw status === 503
      ? new OmiseApiError(503, 'service_unavailable', 'service is temporarily unavailable', {
          'retry-after': String(faults.retryAfterSeconds),
        })
      : new OmiseApiError(status, 'internal_server_error', 'internal server error');
  }
}

function authenticate(ctx: HttpContext, req: IncomingMessage, accepted: readonly KeyKind[]): void {
  const header = req.headers.authorization;
  const fail = (message: string): OmiseApiError =>
    new OmiseApiError(401, 'authentication_failure', message);
  if (header === undefined || !/^basic /i.test(header)) {
    throw fail('authentication failed');
  }
  const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
  const key = decoded.includes(':') ? decoded.slice(0, decoded.indexOf(':')) : decoded;
  const kind: KeyKind | undefined =
    key === ctx.secretKey ? 'secret' : key === ctx.publicKey ? 'public' : undefined;
  if (kind === undefined) throw fail('authentication failed');
  if (!accepted.includes(kind)) {
    throw fail(
      kind === 'public'
        ? 'authentication failed: this endpoint needs your secret key'
        : 'authentication failed: this endpoint needs your public key',
    );
  }
}

async function readRaw(req: IncomingMessage, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > limit) {
      req.resume();
      throw new OmiseApiError(413, 'request_too_large', 'request body is too large');
    }
    chunks.push(buf);
  }
  return Buffer.concat(chunks);
}

async function readBody(
  req: IncomingMessage,
  query: URLSearchParams,
): Promise<Record<string, unknown>> {
  const fromQuery = parseFormBody(query.toString());
  const raw = await readRaw(req, MAX_BODY_BYTES);
  if (raw.length === 0) return fromQuery;
  const type = req.headers['content-type'] ?? '';
  if (type.includes('application/json')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw.toString('utf8'));
    } catch {
      throw badRequest('request body is not valid JSON');
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw badRequest('request body must be a JSON object');
    }
    return { ...fromQuery, ...(parsed as Record<string, unknown>) };
  }
  return { ...fromQuery, ...parseFormBody(raw.toString('utf8')) };
}

function notRoutable(): OmiseApiError {
  return new OmiseApiError(404, 'not_found', 'the requested resource was not found');
}

const DISPUTE_FILTERS: Readonly<Record<string, readonly DisputeStatus[]>> = {
  open: ['open'],
  pending: ['pending'],
  closed: ['won', 'lost'],
};

/** A non-JSON answer (document downloads). */
class BinaryBody {
  constructor(
    readonly contentType: string,
    readonly content: Buffer,
  ) {}
}

async function route(ctx: HttpContext, req: Request): Promise<Json | string | BinaryBody> {
  const { state } = ctx;
  const { method, segments } = req;
  const [, id, sub, subId, extra] = segments;
  const resource = segments[0] ?? '';
  const secret = (): void => authenticate(ctx, req.raw, ['secret']);
  const list = () => parseListQuery(req.query, state.now());

  switch (resource) {
    case 'tokens': {
      authenticate(ctx, req.raw, ['public']);
      if (method === 'POST' && id === undefined) {
        return renderToken(
          state.createToken(parseParams(CreateTokenParams, await req.body(), 'invalid_card')),
        );
      }
      if (method === 'GET' && id !== undefined && sub === undefined) {
        return renderToken(state.getToken(id));
      }
      throw notRoutable();
    }
    case 'customers': {
      secret();
      if (method === 'POST' && id === undefined) {
        const customer = state.createCustomer(parseParams(CreateCustomerParams, await req.body()));
        return renderCustomer(customer, state.now());
      }
      if (method === 'GET' && id !== undefined && sub === undefined) {
        return renderCustomer(state.getCustomer(id), state.now());
      }
      throw notRoutable();
    }
    case 'charges': {
      secret();
      if (id === undefined) {
        if (method === 'GET') {
          return pageList(
            state.chargeList,
            (c) => c.createdAt,
            list(),
            '/charges',
            (c) => renderCharge(c, state),
          );
        }
        if (method === 'POST') {
          const params = parseParams(CreateChargeParams, await req.body(), 'invalid_charge');
          return renderCharge(state.createCharge(params), state);
        }
        throw notRoutable();
      }
      if (sub === undefined) {
        if (method === 'GET') return state.chargeJson(state.getCharge(id));
        if (method === 'PATCH') {
          const params = parseParams(UpdateChargeParams, await req.body(), 'invalid_charge');
          return renderCharge(state.updateCharge(id, params), state);
        }
        throw notRoutable();
      }
      if (method === 'POST' && subId === undefined) {
        switch (sub) {
          case 'capture': {
            const params = parseParams(CaptureChargeParams, await req.body(), 'failed_capture');
            return renderCharge(state.captureCharge(id, params), state);
          }
          case 'reverse':
            return renderCharge(state.reverseCharge(id), state);
          case 'expire':
            return renderCharge(state.expireCharge(id), state);
          case 'mark_as_paid':
            return renderCharge(state.markChargeAsPaid(id), state);
          case 'mark_as_failed':
            return renderCharge(state.markChargeAsFailed(id), state);
          case 'refunds': {
            const params = parseParams(CreateRefundParams, await req.body(), 'failed_refund');
            return renderRefund(state.createRefund(id, params));
          }
          case 'disputes': {
            const params = parseParams(CreateDisputeParams, await req.body());
            return renderDispute(state.createDispute(id, params), state);
          }
          default:
            throw notRoutable();
        }
      }
      if (sub === 'refunds' && method === 'GET') {
        const charge = state.getCharge(id);
        if (subId === undefined) {
          return pageList(
            charge.refunds,
            (r) => r.createdAt,
            list(),
            `/charges/${id}/refunds`,
            renderRefund,
          );
        }
        return renderRefund(state.getRefund(id, subId));
      }
      if (sub === 'events' && method === 'GET' && subId === undefined) {
        state.getCharge(id);
        const events = state.eventList.filter(
          (e) =>
            (e.data as { id?: unknown }).id === id ||
            (e.data as { charge?: unknown }).charge === id,
        );
        return pageList(
          events,
          (e) => e.createdAt,
          list(),
          `/charges/${id}/events`,
          renderEventForApi,
        );
      }
      throw notRoutable();
    }
    case 'refunds': {
      secret();
      if (method === 'GET' && id === undefined) {
        return pageList(state.refundList, (r) => r.createdAt, list(), '/refunds', renderRefund);
      }
      throw notRoutable();
    }
    case 'disputes': {
      secret();
      const filter = id === undefined ? undefined : DISPUTE_FILTERS[id];
      if (method === 'GET' && (id === undefined || (filter !== undefined && sub === undefined))) {
        const items =
          filter === undefined
            ? state.disputeList
            : state.disputeList.filter((d) => filter.includes(d.status));
        return pageList(
          items,
          (d) => d.createdAt,
          list(),
          id === undefined ? '/disputes' : `/disputes/${id}`,
          (d) => renderDispute(d, state),
        );
      }
      if (id === undefined) throw notRoutable();
      if (sub === undefined) {
        if (method === 'GET') return renderDispute(state.getDispute(id), state);
        if (method === 'PATCH') {
          const params = parseParams(UpdateDisputeParams, await req.body());
          return renderDispute(state.updateDispute(id, params), state);
        }
        throw notRoutable();
      }
      if (sub === 'accept' && method === 'PATCH' && subId === undefined) {
        return renderDispute(state.acceptDispute(id), state);
      }
      if (sub === 'close' && method === 'PATCH' && subId === undefined) {
        const params = parseParams(CloseDisputeParams, await req.body());
        return renderDispute(state.closeDispute(id, params), state);
      }
      if (sub === 'documents') {
        if (subId === undefined) {
          if (method === 'GET') {
            const dispute = state.getDispute(id);
            return pageList(
              dispute.documents,
              (d) => d.createdAt,
              list(),
              `/disputes/${id}/documents`,
              (d) => renderDocument(d, state),
            );
          }
          if (method === 'POST') return renderDocument(await uploadDocument(ctx, req, id), state);
          throw notRoutable();
        }
        if (extra === 'downloads' && method === 'GET' && segments.length === 6) {
          const doc = state.getDocument(id, subId);
          if (segments[5] !== doc.downloadKey) throw notRoutable();
          return new BinaryBody(doc.contentType, doc.content);
        }
        if (extra === undefined) {
          if (method === 'GET') return renderDocument(state.getDocument(id, subId), state);
          if (method === 'DELETE') {
            const doc = state.deleteDocument(id, subId);
            return { object: 'document', id: doc.id, livemode: false, deleted: true };
          }
        }
        throw notRoutable();
      }
      throw notRoutable();
    }
    case 'events': {
      secret();
      if (method !== 'GET') throw notRoutable();
      if (id === undefined) {
        return pageList(state.eventList, (e) => e.createdAt, list(), '/events', renderEventForApi);
      }
      if (sub === undefined) return renderEventForApi(state.getEvent(id));
      throw notRoutable();
    }
    default:
      throw notRoutable();
  }
}

/** Reads a multipart upload (field `file`, optional `kind`), stopping at 10 MB. */
async function uploadDocument(ctx: HttpContext, req: Request, disputeId: string) {
  const { raw } = req;
  const drainThen = async (error: OmiseApiError): Promise<never> => {
    raw.resume();
    if (!raw.readableEnded) await new Promise((resolve) => raw.once('end', resolve));
    throw error;
  };
  try {
    ctx.state.assertCanUpload(disputeId);
  } catch (err) {
    if (err instanceof OmiseApiError) return drainThen(err);
    throw err;
  }
  const type = raw.headers['content-type'] ?? '';
  if (!type.toLowerCase().startsWith('multipart/form-data')) {
    return drainThen(badRequest('file is required (multipart/form-data field "file")'));
  }
  const upload = await new Promise<{
    file?: { filename: string; content: Buffer; truncated: boolean };
    fields: Record<string, string>;
  }>((resolve, reject) => {
    const fields: Record<string, string> = {};
    let file: { filename: string; content: Buffer; truncated: boolean } | undefined;
    const parser = busboy({
      headers: raw.headers,
      limits: { fileSize: MAX_DOCUMENT_BYTES, files: 1, fields: 20 },
    });
    parser.on('file', (name, stream, info) => {
      if (name !== 'file') {
        stream.resume();
        return;
      }
      const chunks: Buffer[] = [];
      const entry = {
        filename: info.filename ?? 'document',
        content: Buffer.alloc(0),
        truncated: false,
      };
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('limit', () => {
        entry.truncated = true;
      });
      stream.on('end', () => {
        entry.content = Buffer.concat(chunks);
      });
      file = entry;
    });
    parser.on('field', (name, value) => {
      fields[name] = value;
    });
    parser.on('close', () => resolve(file === undefined ? { fields } : { file, fields }));
    parser.on('error', (err: unknown) =>
      reject(badRequest(`malformed multipart body: ${err instanceof Error ? err.message : ''}`)),
    );
    raw.pipe(parser);
  });
  if (upload.file === undefined) throw badRequest('file is required');
  if (upload.file.truncated) throw fileTooLarge();
  const kindValue = upload.fields.kind;
  let kind: z.infer<typeof DocumentKind> | undefined;
  if (kindValue !== undefined && kindValue !== '') {
    const parsed = DocumentKind.safeParse(kindValue);
    if (!parsed.success) throw badRequest(`kind must be one of ${DocumentKind.options.join(', ')}`);
    kind = parsed.data;
  }
  return ctx.state.uploadDocument(disputeId, {
    filename: upload.file.filename || 'document',
    content: upload.file.content,
    kind,
  });
}

async function readAdminJson(req: Request): Promise<unknown> {
  const raw = await readRaw(req.raw, MAX_BODY_BYTES);
  if (raw.length === 0) return {};
  try {
    return JSON.parse(raw.toString('utf8')) as unknown;
  } catch {
    throw badRequest('request body is not valid JSON');
  }
}

async function handleAdmin(ctx: HttpContext, req: Request, res: ServerResponse): Promise<void> {
  const [, action] = req.segments;
  const key = `${req.method} ${action ?? ''}`;
  const send = (status: number, body: unknown): void => sendJson(res, status, body, undefined);
  switch (key) {
    case 'GET stats':
      send(200, ctx.admin.stats());
      return;
    case 'PUT faults':
    case 'PATCH faults': {
      const patch = parseParams(FaultsPatch, await readAdminJson(req));
      send(200, ctx.admin.setFaults(patch));
      return;
    }
    case 'PUT webhooks': {
      const list = parseParams(WebhooksInput, await readAdminJson(req));
      ctx.admin.setWebhooks(list);
      send(200, { webhooks: list.map((w) => ({ url: w.url, secrets: w.secrets.length })) });
      return;
    }
    case 'POST scenario': {
      const request = parseParams(ScenarioRequest, await readAdminJson(req));
      const run = ctx.admin.startScenario(request);
      if (request.wait) {
        send(200, await run);
      } else {
        run.catch((err: unknown) => ctx.logger.error({ err }, 'scenario failed'));
        send(202, { accepted: true, scenario: request.name });
      }
      return;
    }
    case 'GET scenarios':
      send(200, { scenarios: ctx.admin.scenarios() });
      return;
    case 'POST reset':
      ctx.admin.reset();
      send(200, { reset: true });
      return;
    case 'GET idle': {
      const timeout = Number(req.query.get('timeout_ms') ?? '30000');
      const idle = await ctx.admin.idle(Number.isFinite(timeout) ? timeout : 30_000);
      send(idle ? 200 : 408, { idle, deliveries: ctx.admin.stats().deliveries });
      return;
    }
    default:
      throw new OmiseApiError(
        404,
        'not_found',
        `no admin endpoint ${req.method} /_emulator/${action ?? ''}`,
      );
  }
}

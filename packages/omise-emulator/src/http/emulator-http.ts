import { randomUUID } from 'node:crypto';
import { type IncomingMessage, type ServerResponse } from 'node:http';
import { type Logger } from '@omise-sync/core';
import { type UncheckedActions } from '../emulator-actions';
import { type Faults } from '../emulator-options';
import { OmiseApiError } from '../omise-api-error';
import { toOmiseJson } from '../resource-render';
import { type EmulatorStore } from '../state/emulator-store';
import { type AdminControls, ADMIN_ROUTES } from './admin-routes';
import { type ApiKeys, authenticate, selectAccount } from './api-key-auth';
import { API_ROUTES, type ApiReply, BinaryBody, RESOURCE_KEYS, notRoutable } from './api-routes';
import { readAdminBody, readApiBody } from './request-body';
import { applyRequestFaults } from './request-faults';
import { findRoute, pathSegments } from './route-table';

/** One account as the HTTP layer sees it: the keys that select it and its state. */
export interface HttpAccount extends ApiKeys {
  store: EmulatorStore;
  actions: UncheckedActions;
  faults(): Faults;
}

/** What the HTTP layer needs from the emulator (kept narrow so it is easy to test). */
export interface HttpContext {
  /** Every account, the primary one first (it answers requests whose key matches none). */
  accounts: readonly [HttpAccount, ...HttpAccount[]];
  logger: Logger;
  /** Whether `/_emulator/*` is served; when not, those paths are unknown like any other. */
  adminApi: boolean;
  /** The admin controls of an account (`?account=NAME`, null for the primary one). */
  admin(account: string | null): AdminControls | undefined;
}

const API_VERSION = '2019-05-29';

/** What a gateway failure looks like: it comes from the load balancer, not the API. */
const BAD_GATEWAY_HTML =
  '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n</body>\r\n</html>\r\n';

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
  const segments = pathSegments(url.pathname);
  const method = req.method ?? 'GET';
  try {
    if (segments[0] === '_emulator' && ctx.adminApi) {
      const reply = await answerAdmin(ctx, method, segments, url.searchParams, req);
      sendJson(res, reply.status, reply.body, undefined);
      return;
    }
    const account = selectAccount(ctx.accounts, req);
    await applyRequestFaults(account.faults(), account.store.random);
    const reply = await answerApi(account, method, segments, url.searchParams, req);
    if (reply instanceof BinaryBody) {
      res.writeHead(200, {
        'content-type': reply.contentType,
        'content-length': reply.content.length,
      });
      res.end(reply.content);
      return;
    }
    sendJson(res, 200, reply, req.headers['omise-version']);
  } catch (err) {
    if (err instanceof OmiseApiError) {
      for (const [name, value] of Object.entries(err.headers)) res.setHeader(name, value);
      if (err.status === 502) {
        res.writeHead(502, { 'content-type': 'text/html' });
        res.end(BAD_GATEWAY_HTML);
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

async function answerApi(
  ctx: HttpAccount,
  method: string,
  segments: readonly string[],
  query: URLSearchParams,
  req: IncomingMessage,
): Promise<ApiReply> {
  const key = RESOURCE_KEYS.get(segments[0] ?? '');
  if (key === undefined) throw notRoutable();
  authenticate(req, ctx, key);
  const found = findRoute(API_ROUTES, method, segments);
  if (found === undefined) throw notRoutable();
  let body: Promise<Record<string, unknown>> | undefined;
  const call = {
    store: ctx.store,
    actions: ctx.actions,
    query,
    raw: req,
    body: () => (body ??= readApiBody(req, query)),
  };
  return found.route.handler(call, found.params);
}

async function answerAdmin(
  ctx: HttpContext,
  method: string,
  segments: readonly string[],
  query: URLSearchParams,
  req: IncomingMessage,
) {
  const found = findRoute(ADMIN_ROUTES, method, segments);
  if (found === undefined) {
    throw new OmiseApiError(
      404,
      'not_found',
      `no admin endpoint ${method} /_emulator/${segments.slice(1).join('/')}`,
    );
  }
  const admin = ctx.admin(query.get('account'));
  if (admin === undefined) {
    throw new OmiseApiError(404, 'not_found', `no emulator account ${query.get('account') ?? ''}`);
  }
  const call = { admin, logger: ctx.logger, query, body: () => readAdminBody(req) };
  return found.route.handler(call, found.params);
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

import { type IncomingMessage } from 'node:http';
import { OmiseApiError, badRequest } from '../omise-api-error';
import { parseFormBody } from '../request-params';

const MAX_BODY_BYTES = 1024 * 1024;

async function readRaw(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > MAX_BODY_BYTES) {
      req.resume();
      throw new OmiseApiError(413, 'request_too_large', 'request body is too large');
    }
    chunks.push(buf);
  }
  return Buffer.concat(chunks);
}

function parseJson(raw: Buffer): unknown {
  try {
    return JSON.parse(raw.toString('utf8')) as unknown;
  } catch {
    throw badRequest('request body is not valid JSON');
  }
}

/** An API body, form-encoded or JSON, merged over the query parameters as Omise does. */
export async function readApiBody(
  req: IncomingMessage,
  query: URLSearchParams,
): Promise<Record<string, unknown>> {
  const fromQuery = parseFormBody(query.toString());
  const raw = await readRaw(req);
  if (raw.length === 0) return fromQuery;
  const type = req.headers['content-type'] ?? '';
  if (type.includes('application/json')) {
    const parsed = parseJson(raw);
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw badRequest('request body must be a JSON object');
    }
    return { ...fromQuery, ...(parsed as Record<string, unknown>) };
  }
  return { ...fromQuery, ...parseFormBody(raw.toString('utf8')) };
}

/** An admin body: JSON only, `{}` when empty. */
export async function readAdminBody(req: IncomingMessage): Promise<unknown> {
  const raw = await readRaw(req);
  return raw.length === 0 ? {} : parseJson(raw);
}

import { type IncomingMessage } from 'node:http';
import { PayloadTooLargeError, RequestAbortedError } from './receiver-errors';

const EMPTY = Buffer.alloc(0);

/**
 * Reads the request body as the exact bytes sent, up to `limitBytes`. The signature is
 * computed over these bytes, so nothing (no JSON or charset decoding) may run before it.
 * A declared Content-Length above the limit is refused before reading a byte; a body that
 * grows past the limit while streaming is refused as soon as it does.
 *
 * This runs for every delivery, so it does the least the stream API allows: the body counts as
 * read once the HTTP parser has seen its end (`req.complete`), which for a body that came in
 * with its headers is already so at the first 'data' event, one tick and one event before
 * 'end'; and the listeners are not removed (the request and they are discarded together).
 *
 * @returns the body; rejects with PayloadTooLargeError above the limit, RequestAbortedError
 *   when the client disconnects first
 */
export function readRawBody(req: IncomingMessage, limitBytes: number): Promise<Buffer> {
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > limitBytes) {
    return Promise.reject(new PayloadTooLargeError(limitBytes));
  }
  return new Promise<Buffer>((resolve, reject) => {
    let first: Buffer | undefined;
    let more: Buffer[] | undefined;
    let received = 0;
    let settled = false;
    const finish = () => {
      if (settled) return;
      settled = true;
      if (first === undefined) resolve(EMPTY);
      else resolve(more === undefined ? first : Buffer.concat([first, ...more]));
    };
    req.on('data', (chunk: Buffer) => {
      if (settled) return;
      received += chunk.length;
      if (received > limitBytes) {
        settled = true;
        // Stop reading; the 413 answer closes the connection (see the error handler).
        req.pause();
        reject(new PayloadTooLargeError(limitBytes));
        return;
      }
      if (first === undefined) first = chunk;
      else (more ??= []).push(chunk);
      if (req.complete) finish();
    });
    req.on('end', finish);
    // 'close' also follows a stream error (a reset connection): without an 'error' listener
    // node does not emit the error itself, and 'close' alone tells that the body is lost.
    req.on('close', () => {
      if (settled) return;
      settled = true;
      reject(new RequestAbortedError('client closed the connection before sending the body'));
    });
  });
}

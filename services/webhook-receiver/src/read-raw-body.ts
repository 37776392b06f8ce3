import { type IncomingMessage } from 'node:http';
import { PayloadTooLargeError, RequestAbortedError } from './receiver-errors';

/**
 * Reads the request body as the exact bytes sent, up to `limitBytes`. The signature is
 * computed over these bytes, so nothing (no JSON or charset decoding) may run before it.
 * A declared Content-Length above the limit is refused before reading a byte; a body that
 * grows past the limit while streaming is refused as soon as it does.
 *
 * @throws PayloadTooLargeError above the limit
 * @throws RequestAbortedError when the client disconnects first
 */
export function readRawBody(req: IncomingMessage, limitBytes: number): Promise<Buffer> {
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > limitBytes) {
    return Promise.reject(new PayloadTooLargeError(limitBytes));
  }
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    const cleanup = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
    };
    const onData = (chunk: Buffer) => {
      received += chunk.length;
      if (received > limitBytes) {
        cleanup();
        // Stop reading; the 413 answer closes the connection (see the error handler).
        req.pause();
        reject(new PayloadTooLargeError(limitBytes));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(chunks.length === 1 && chunks[0] !== undefined ? chunks[0] : Buffer.concat(chunks));
    };
    const onError = (error: Error) => {
      cleanup();
      reject(new RequestAbortedError('request stream failed', { cause: error }));
    };
    const onClose = () => {
      if (!req.complete) {
        cleanup();
        reject(new RequestAbortedError('client closed the connection before sending the body'));
      }
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
  });
}

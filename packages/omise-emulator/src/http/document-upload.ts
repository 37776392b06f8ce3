import { type IncomingMessage } from 'node:http';
import busboy from 'busboy';
import { OmiseApiError, badRequest } from '../omise-api-error';
import { DocumentKind } from '../request-params';
import { type DocumentState } from '../resource-types';
import {
  MAX_DOCUMENT_BYTES,
  assertCanUpload,
  DOCUMENT_CONTENT_TYPES,
  fileTooLarge,
  invalidContentType,
  uploadDocument,
} from '../state/documents.state';
import { type EmulatorStore } from '../state/emulator-store';

interface UploadedFile {
  filename: string;
  /** The part's Content-Type (busboy reports `text/plain`, RFC 7578's default, when absent). */
  mimeType: string;
  content: Buffer;
  truncated: boolean;
}

/** Reads the multipart body: the `file` part (at most 10 MB kept) and the form fields. */
function readMultipart(
  raw: IncomingMessage,
): Promise<{ file?: UploadedFile; fields: Record<string, string> }> {
  return new Promise((resolve, reject) => {
    const fields: Record<string, string> = {};
    let file: UploadedFile | undefined;
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
      const entry: UploadedFile = {
        filename: info.filename ?? 'document',
        mimeType: info.mimeType.toLowerCase(),
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
}

/**
 * `POST /disputes/:id/documents`: a multipart upload (field `file`, optional `kind`). Checked in
 * this order: the dispute is open (400 `documents_locked`), the body is multipart with a file
 * (400 `bad_request`), at most 10 MB (413), its part's Content-Type is PNG, JPEG or PDF (400
 * `invalid_file_type`), `kind` is known (400 `bad_request`), then its bytes (422). A
 * refused upload is drained before the error is answered, so the client sees the response
 * rather than a reset connection.
 */
export async function receiveDocumentUpload(
  store: EmulatorStore,
  raw: IncomingMessage,
  disputeId: string,
): Promise<DocumentState> {
  const drainThen = async (error: OmiseApiError): Promise<never> => {
    raw.resume();
    if (!raw.readableEnded) await new Promise((resolve) => raw.once('end', resolve));
    throw error;
  };
  try {
    assertCanUpload(store, disputeId);
  } catch (err) {
    if (err instanceof OmiseApiError) return drainThen(err);
    throw err;
  }
  const type = raw.headers['content-type'] ?? '';
  if (!type.toLowerCase().startsWith('multipart/form-data')) {
    return drainThen(badRequest('file is required (multipart/form-data field "file")'));
  }
  const upload = await readMultipart(raw);
  if (upload.file === undefined) throw badRequest('file is required');
  if (upload.file.truncated) throw fileTooLarge();
  if (!DOCUMENT_CONTENT_TYPES.has(upload.file.mimeType)) throw invalidContentType();
  const kindValue = upload.fields.kind;
  let kind: DocumentKind | undefined;
  if (kindValue !== undefined && kindValue !== '') {
    const parsed = DocumentKind.safeParse(kindValue);
    if (!parsed.success) throw badRequest(`kind must be one of ${DocumentKind.options.join(', ')}`);
    kind = parsed.data;
  }
  return uploadDocument(store, disputeId, {
    filename: upload.file.filename || 'document',
    content: upload.file.content,
    kind,
  });
}

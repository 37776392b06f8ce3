import { encodeMultipart } from '../multipart-body';
import type { ListParams, OmiseListIterable } from '../omise-list-iterable';
import type { Requester } from '../omise-request';
import { DeletedObject } from '../schemas/common.schema';
import { DisputeDocument } from '../schemas/document.schema';
import { OmiseList } from '../schemas/list.schema';
import { requestList } from './resource-request';

/** A file to attach to a dispute. */
export interface UploadDocumentParams {
  filename: string;
  content: Uint8Array;
  /** `image/png`, `image/jpeg` or `application/pdf`; guessed from the file name when absent. */
  contentType?: string;
  /** Evidence kind, e.g. `proof_of_receipt` (the parameter is not officially documented). */
  kind?: string;
}

/** Largest document Omise accepts (10 MB). */
export const MAX_DOCUMENT_BYTES = 10 * 1024 * 1024;
const DOCUMENT_TYPES: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  pdf: 'application/pdf',
};

export interface DocumentsResource {
  list(disputeId: string, params?: ListParams): OmiseListIterable<DisputeDocument>;
  retrieve(disputeId: string, documentId: string): Promise<DisputeDocument>;
  /** Multipart upload (PNG, JPG or PDF, at most 10 MB); the dispute must be open. */
  upload(disputeId: string, params: UploadDocumentParams): Promise<DisputeDocument>;
  delete(disputeId: string, documentId: string): Promise<DeletedObject>;
}

const DocumentList = OmiseList(DisputeDocument);

function documentContentType(params: UploadDocumentParams): string {
  if (params.contentType !== undefined) return params.contentType;
  const extension = params.filename.split('.').pop()?.toLowerCase() ?? '';
  const guessed = DOCUMENT_TYPES[extension];
  if (guessed === undefined) {
    throw new TypeError(
      `cannot tell the content type of "${params.filename}"; pass contentType (PNG, JPG or PDF)`,
    );
  }
  return guessed;
}

export function createDocumentsResource(request: Requester): DocumentsResource {
  return {
    list: (disputeId, params) =>
      requestList(request, '/disputes/:id/documents', { id: disputeId }, DocumentList, params),
    retrieve: (disputeId, documentId) =>
      request({
        method: 'GET',
        path: '/disputes/:id/documents/:documentId',
        pathParams: { id: disputeId, documentId },
        kind: 'read',
        schema: DisputeDocument,
      }),
    upload: async (disputeId, params) => {
      if (params.content.byteLength === 0) throw new RangeError('document content is empty');
      if (params.content.byteLength > MAX_DOCUMENT_BYTES) {
        throw new RangeError(
          `document is ${params.content.byteLength} bytes; Omise accepts at most ${MAX_DOCUMENT_BYTES}`,
        );
      }
      const body = encodeMultipart(params.kind === undefined ? {} : { kind: params.kind }, [
        {
          field: 'file',
          filename: params.filename,
          contentType: documentContentType(params),
          content: params.content,
        },
      ]);
      return request({
        method: 'POST',
        path: '/disputes/:id/documents',
        pathParams: { id: disputeId },
        body: { type: 'raw', ...body },
        kind: 'action',
        schema: DisputeDocument,
      });
    },
    delete: (disputeId, documentId) =>
      request({
        method: 'DELETE',
        path: '/disputes/:id/documents/:documentId',
        pathParams: { id: disputeId, documentId },
        kind: 'idempotent',
        schema: DeletedObject,
      }),
  };
}

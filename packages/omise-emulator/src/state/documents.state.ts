import { createHash } from 'node:crypto';
import { OmiseApiError, badRequest, notFound } from '../omise-api-error';
import { type DocumentKind } from '../request-params';
import { renderDispute } from '../resource-render';
import { type DisputeState, type DocumentState } from '../resource-types';
import { type EmulatorStore } from './emulator-store';
import { emitEvent } from './events.state';

export const MAX_DOCUMENT_BYTES = 10 * 1024 * 1024;

export interface UploadDocumentInput {
  filename: string;
  content: Buffer;
  kind?: DocumentKind | undefined;
}

export const fileTooLarge = (): OmiseApiError =>
  new OmiseApiError(413, 'file_too_large', 'file must not be larger than 10 MB');

/** The part's declared Content-Type is not one Omise takes (the recorded 400). */
export const invalidContentType = (): OmiseApiError =>
  new OmiseApiError(400, 'invalid_file_type', 'invalid content-type');

/** The declared types a document part may carry (`image/jpg` is what many clients send). */
export const DOCUMENT_CONTENT_TYPES: ReadonlySet<string> = new Set([
  'image/png',
  'image/jpeg',
  'image/jpg',
  'application/pdf',
]);

/** PNG, JPEG or PDF by their magic bytes (the declared content type is not trusted). */
function sniffDocumentType(content: Buffer): string | undefined {
  if (
    content.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))
  ) {
    return 'image/png';
  }
  if (content[0] === 0xff && content[1] === 0xd8 && content[2] === 0xff) return 'image/jpeg';
  if (content.subarray(0, 5).toString('latin1') === '%PDF-') return 'application/pdf';
  return undefined;
}

function assertDocumentsEditable(dispute: DisputeState): void {
  if (dispute.status !== 'open') {
    throw new OmiseApiError(400, 'documents_locked', 'documents list cannot be modified');
  }
}

/** A document of the given dispute; one of another dispute is not found. */
export function getDocument(
  store: EmulatorStore,
  disputeId: string,
  documentId: string,
): DocumentState {
  const doc = store.documents.find(documentId);
  if (doc === undefined || doc.disputeId !== disputeId) throw notFound('document', documentId);
  return doc;
}

/** Checks a dispute can take a document before the upload is read (HTTP streams it). */
export function assertCanUpload(store: EmulatorStore, disputeId: string): DisputeState {
  const dispute = store.disputes.get(disputeId);
  assertDocumentsEditable(dispute);
  return dispute;
}

export function uploadDocument(
  store: EmulatorStore,
  disputeId: string,
  input: UploadDocumentInput,
): DocumentState {
  const dispute = assertCanUpload(store, disputeId);
  if (input.content.length === 0) throw badRequest('file is empty');
  if (input.content.length > MAX_DOCUMENT_BYTES) throw fileTooLarge();
  const contentType = sniffDocumentType(input.content);
  if (contentType === undefined) {
    // The declared type was acceptable but the bytes are not: the request is well formed, its
    // file is not (422, as the Omise behaviour says; the recorded 400 is for the header).
    throw new OmiseApiError(422, 'invalid_file_type', 'file is not a PNG, JPEG or PDF');
  }
  const doc: DocumentState = {
    id: store.newId('docu'),
    createdAt: store.stamp(),
    disputeId,
    filename: input.filename,
    kind: input.kind ?? null,
    contentType,
    content: input.content,
    downloadKey: createHash('sha1')
      .update(store.newId('dl'))
      .digest('hex')
      .slice(0, 16)
      .toUpperCase(),
  };
  store.documents.add(doc);
  dispute.documents.push(doc);
  emitEvent(store, 'dispute.update', renderDispute(dispute, store));
  return doc;
}

export function deleteDocument(
  store: EmulatorStore,
  disputeId: string,
  documentId: string,
): DocumentState {
  const dispute = store.disputes.get(disputeId);
  const doc = getDocument(store, disputeId, documentId);
  assertDocumentsEditable(dispute);
  store.documents.delete(doc);
  dispute.documents.splice(dispute.documents.indexOf(doc), 1);
  emitEvent(store, 'dispute.update', renderDispute(dispute, store));
  return doc;
}

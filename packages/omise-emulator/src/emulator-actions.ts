import { type z } from 'zod';
import {
  CaptureChargeParams,
  CloseDisputeParams,
  CreateChargeParams,
  CreateCustomerParams,
  CreateDisputeParams,
  CreateRefundParams,
  CreateTokenParams,
  CreateTransferParams,
  DocumentKind,
  UpdateChargeParams,
  UpdateDisputeParams,
  UpdateTransferParams,
  parseParams,
} from './request-params';
import {
  type Json,
  renderCharge,
  renderCustomer,
  renderDispute,
  renderDocument,
  renderRefund,
  renderReceipt,
  renderToken,
  renderTransfer,
} from './resource-render';
import {
  captureCharge,
  createCharge,
  expireCharge,
  markChargeAsFailed,
  markChargeAsPaid,
  reverseCharge,
  updateCharge,
} from './state/charges.state';
import { createCustomer } from './state/customers.state';
import { acceptDispute, closeDispute, createDispute, updateDispute } from './state/disputes.state';
import { deleteDocument, uploadDocument } from './state/documents.state';
import { type EmulatorStore } from './state/emulator-store';
import {
  createPayout,
  createTransfer,
  destroyTransfer,
  failTransfer,
  issueReceipts,
  payTransfer,
  sendTransfer,
  updateTransfer,
} from './state/ledger.state';
import { createRefund } from './state/refunds.state';
import { createToken } from './state/tokens.state';

/**
 * State changes without HTTP, for scenarios and tests. Each one validates its input with the
 * same schema, runs the same state rule and produces the same events and webhooks as the
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
  createTransfer(params: z.input<typeof CreateTransferParams>): Json;
  /** Pays out what was settled since the previous payout; undefined when too little. */
  createPayout(): Json | undefined;
  updateTransfer(id: string, params: z.input<typeof UpdateTransferParams>): Json;
  markTransferAsSent(id: string): Json;
  markTransferAsPaid(id: string): Json;
  markTransferAsFailed(id: string): Json;
  destroyTransfer(id: string): Json;
  /** Issues the fee receipts due up to now (Omise issues them daily). */
  issueReceipts(): Json[];
}

/** The actions over unvalidated input: the HTTP routes pass request bodies straight in. */
export type UncheckedActions = ReturnType<typeof createEmulatorActions>;

/**
 * The actions on a store. Parameters are `unknown` because the schemas check them, so the
 * same functions serve `EmulatorActions` (typed for callers) and the HTTP routes (raw bodies).
 */
export function createEmulatorActions(store: EmulatorStore) {
  return {
    createToken: (p: unknown) =>
      renderToken(createToken(store, parseParams(CreateTokenParams, p, 'invalid_card'))),
    createCustomer: (p: unknown) =>
      renderCustomer(createCustomer(store, parseParams(CreateCustomerParams, p)), store.now()),
    createCharge: (p: unknown) =>
      renderCharge(
        createCharge(store, parseParams(CreateChargeParams, p, 'invalid_charge')),
        store,
      ),
    updateCharge: (id: string, p: unknown) =>
      renderCharge(
        updateCharge(store, id, parseParams(UpdateChargeParams, p, 'invalid_charge')),
        store,
      ),
    captureCharge: (id: string, p: unknown = {}) =>
      renderCharge(
        captureCharge(store, id, parseParams(CaptureChargeParams, p, 'failed_capture')),
        store,
      ),
    reverseCharge: (id: string) => renderCharge(reverseCharge(store, id), store),
    expireCharge: (id: string) => renderCharge(expireCharge(store, id), store),
    markChargeAsPaid: (id: string) => renderCharge(markChargeAsPaid(store, id), store),
    markChargeAsFailed: (id: string) => renderCharge(markChargeAsFailed(store, id), store),
    createRefund: (chargeId: string, p: unknown) =>
      renderRefund(
        createRefund(store, chargeId, parseParams(CreateRefundParams, p, 'failed_refund')),
      ),
    createDispute: (chargeId: string, p: unknown = {}) =>
      renderDispute(createDispute(store, chargeId, parseParams(CreateDisputeParams, p)), store),
    updateDispute: (id: string, p: unknown) =>
      renderDispute(updateDispute(store, id, parseParams(UpdateDisputeParams, p)), store),
    acceptDispute: (id: string) => renderDispute(acceptDispute(store, id), store),
    closeDispute: (id: string, p: unknown) =>
      renderDispute(closeDispute(store, id, parseParams(CloseDisputeParams, p)), store),
    uploadDocument: (
      disputeId: string,
      file: { filename: string; content: Buffer; kind?: unknown },
    ) =>
      renderDocument(
        uploadDocument(store, disputeId, {
          filename: file.filename,
          content: file.content,
          kind: file.kind === undefined ? undefined : parseParams(DocumentKind, file.kind),
        }),
        store,
      ),
    deleteDocument: (disputeId: string, documentId: string): Json => {
      const doc = deleteDocument(store, disputeId, documentId);
      return { object: 'document', id: doc.id, livemode: false, deleted: true };
    },
    createTransfer: (p: unknown) => {
      const params = parseParams(CreateTransferParams, p, 'invalid_amount');
      return renderTransfer(
        createTransfer(store, {
          amount: params.amount,
          currency: 'THB',
          metadata: params.metadata ?? {},
        }),
      );
    },
    createPayout: (): Json | undefined => {
      const transfer = createPayout(store);
      return transfer === undefined ? undefined : renderTransfer(transfer);
    },
    updateTransfer: (id: string, p: unknown) =>
      renderTransfer(updateTransfer(store, id, parseParams(UpdateTransferParams, p).metadata)),
    markTransferAsSent: (id: string) => renderTransfer(sendTransfer(store, id)),
    markTransferAsPaid: (id: string) => renderTransfer(payTransfer(store, id)),
    markTransferAsFailed: (id: string) => renderTransfer(failTransfer(store, id)),
    destroyTransfer: (id: string): Json => {
      const transfer = destroyTransfer(store, id);
      return { object: 'transfer', id: transfer.id, livemode: false, deleted: true };
    },
    issueReceipts: () => issueReceipts(store).map(renderReceipt),
  } satisfies EmulatorActions;
}

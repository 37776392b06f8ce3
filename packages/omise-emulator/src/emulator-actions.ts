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
  CreateLinkParams,
  CreateRecipientParams,
  CreateScheduleParams,
  DocumentKind,
  UpdateCardParams,
  UpdateCustomerParams,
  UpdateRecipientParams,
  UpdateChargeParams,
  UpdateDisputeParams,
  UpdateTransferParams,
  parseParams,
} from './request-params';
import {
  type Json,
  renderCharge,
  renderCard,
  renderCustomer,
  renderDeleted,
  renderDispute,
  renderDocument,
  renderLink,
  renderOccurrence,
  renderRecipient,
  renderRefund,
  renderReceipt,
  renderSchedule,
  renderToken,
  renderEventForApi,
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
import {
  createCustomer,
  destroyCard,
  destroyCustomer,
  updateCard,
  updateCustomer,
} from './state/customers.state';
import { createLink, destroyLink } from './state/links.state';
import {
  createRecipient,
  destroyRecipient,
  updateRecipient,
  verifyRecipient,
} from './state/recipients.state';
import { createSchedule, destroySchedule, runScheduleOccurrence } from './state/schedules.state';
import { acceptDispute, closeDispute, createDispute, updateDispute } from './state/disputes.state';
import { deleteDocument, uploadDocument } from './state/documents.state';
import { type EmulatorStore } from './state/emulator-store';
import { emitEvent } from './state/events.state';
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
  updateCustomer(id: string, params: z.input<typeof UpdateCustomerParams>): Json;
  destroyCustomer(id: string): Json;
  updateCard(customerId: string, cardId: string, params: z.input<typeof UpdateCardParams>): Json;
  destroyCard(customerId: string, cardId: string): Json;
  createRecipient(params: z.input<typeof CreateRecipientParams>): Json;
  updateRecipient(id: string, params: z.input<typeof UpdateRecipientParams>): Json;
  verifyRecipient(id: string): Json;
  destroyRecipient(id: string): Json;
  createSchedule(params: z.input<typeof CreateScheduleParams>): Json;
  destroySchedule(id: string): Json;
  /** Test mode: runs the schedule's next due date now. */
  runScheduleOccurrence(id: string): Json;
  createLink(params: z.input<typeof CreateLinkParams>): Json;
  destroyLink(id: string): Json;
  /**
   * Emits an event of any key about any object, delivered like the others: what Omise sends
   * when it introduces a kind of event omise-sync does not know yet.
   */
  emitEvent(key: string, data: Json): Json;
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
    updateCustomer: (id: string, p: unknown) =>
      renderCustomer(updateCustomer(store, id, parseParams(UpdateCustomerParams, p)), store.now()),
    destroyCustomer: (id: string) => renderDeleted('customer', destroyCustomer(store, id).id),
    updateCard: (customerId: string, cardId: string, p: unknown) =>
      renderCard(updateCard(store, customerId, cardId, parseParams(UpdateCardParams, p))),
    destroyCard: (customerId: string, cardId: string) =>
      renderDeleted('card', destroyCard(store, customerId, cardId).id),
    createRecipient: (p: unknown) =>
      renderRecipient(
        createRecipient(store, parseParams(CreateRecipientParams, p, 'invalid_recipient')),
      ),
    updateRecipient: (id: string, p: unknown) =>
      renderRecipient(updateRecipient(store, id, parseParams(UpdateRecipientParams, p))),
    verifyRecipient: (id: string) => renderRecipient(verifyRecipient(store, id)),
    destroyRecipient: (id: string) => renderDeleted('recipient', destroyRecipient(store, id).id),
    createSchedule: (p: unknown) =>
      renderSchedule(createSchedule(store, parseParams(CreateScheduleParams, p)), store.now()),
    destroySchedule: (id: string) => renderSchedule(destroySchedule(store, id), store.now()),
    runScheduleOccurrence: (id: string) => renderOccurrence(runScheduleOccurrence(store, id)),
    createLink: (p: unknown) =>
      renderLink(createLink(store, parseParams(CreateLinkParams, p)), store.now()),
    destroyLink: (id: string) => renderDeleted('link', destroyLink(store, id).id),
    emitEvent: (key: string, data: Json) => renderEventForApi(emitEvent(store, key, data)),
  } satisfies EmulatorActions;
}

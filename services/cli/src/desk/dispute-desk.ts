import { type Clock, omiseIdPattern, type AccountName } from '@omise-sync/core';
import {
  type Database,
  type DisputeActionKind,
  type DisputeActionRow,
  type DisputeDeadlineRow,
  type DisputeDocumentRow,
  type DisputeReminderRow,
  type DisputeRow,
  findBlockingUpload,
  findDisputeActions,
  findDisputeDocuments,
  findDisputeReminders,
  findDisputesByDeadline,
  finishDisputeAction,
  getDispute,
  startDisputeAction,
} from '@omise-sync/db';
import {
  type Dispute,
  type DisputeDocument,
  type OmiseClient,
  OmiseConnectionError,
  OmiseResponseValidationError,
  isOmiseError,
} from '@omise-sync/omise-client';
import {
  type DisputeObservation,
  type DisputeResponseDays,
  type DisputeSeverityRules,
  isDisputeClosed,
  projectBatch,
  resourceModules,
} from '@omise-sync/projection';
import type { Kysely } from 'kysely';
import { UsageError } from '../cli-env';
import { type DocumentKind, readEvidenceFile } from './evidence-file';

/** What the dispute desk works with. */
export interface DisputeDeskDeps {
  db: Kysely<Database>;
  /** The Omise account worked on: `omise` holds its key, and rows carry it. */
  account: AccountName;
  omise: OmiseClient;
  clock: Clock;
  severityRules: DisputeSeverityRules;
  /** Days a merchant has to answer a dispute (`DISPUTE_RESPONSE_DAYS`), maybe per card country. */
  responseDays: DisputeResponseDays;
  /** Who is acting (`--actor`, or the OS user); recorded with every action. */
  actor: string;
}

const DISPUTE_ID = omiseIdPattern('dspt');
const DOCUMENT_ID = omiseIdPattern('docu');

/** The id, checked to be an Omise dispute id (`dspt_…`) before it goes into a request. */
export function checkDisputeId(id: string | undefined): string {
  if (id === undefined || !DISPUTE_ID.test(id)) {
    throw new UsageError(
      id === undefined ? 'give the dispute id (dspt_…)' : `"${id}" is not a dispute id (dspt_…)`,
    );
  }
  return id;
}

/** The id, checked to be an Omise document id (`docu_…`). */
export function checkDocumentId(id: string | undefined): string {
  if (id === undefined || !DOCUMENT_ID.test(id)) {
    throw new UsageError(
      id === undefined ? 'give the document id (docu_…)' : `"${id}" is not a document id (docu_…)`,
    );
  }
  return id;
}

/**
 * Fetches the dispute with its documents from Omise and projects it (origin `reconcile`, so it
 * notifies nobody), the one way the desk writes dispute rows.
 */
async function refreshDispute(
  deps: DisputeDeskDeps,
  disputeId: string,
): Promise<DisputeObservation> {
  const observedAt = deps.clock.now();
  const observation = await resourceModules.dispute.fetch(deps.omise, disputeId);
  const [result] = await projectBatch(deps, [
    { kind: 'observed', type: 'dispute', observation, origin: 'reconcile', observedAt },
  ]);
  if (result?.outcome === 'failed' || result?.outcome === 'error') throw result.error;
  return observation;
}

function describeFailure(error: unknown): string {
  if (isOmiseError(error)) return `${error.code ?? error.status ?? error.name}: ${error.message}`;
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/** True when Omise may have done what was asked although no valid answer came back. */
function isOutcomeUnknown(error: unknown): boolean {
  return (
    (error instanceof OmiseConnectionError && error.requestSent) ||
    error instanceof OmiseResponseValidationError
  );
}

interface ActionStart {
  disputeId: string;
  action: DisputeActionKind;
  details: Record<string, unknown>;
  sha256?: string;
}

/** What an action did. */
export interface ActionOutcome<T> {
  /** The `omise.dispute_actions` id. */
  actionId: string;
  value: T;
  /** The dispute as Omise has it afterwards (also projected). */
  dispute: Dispute;
}

/**
 * Runs one action against Omise, recorded in `omise.dispute_actions` before it is sent and
 * after it answered, then re-projects the dispute.
 */
async function runAction<T>(
  deps: DisputeDeskDeps,
  start: ActionStart,
  call: () => Promise<T>,
  resultDetails: (value: T) => Record<string, unknown>,
): Promise<ActionOutcome<T>> {
  const actionId = await startDisputeAction(deps.db, {
    ...start,
    actor: deps.actor,
    at: deps.clock.now(),
  });
  if (actionId === undefined) throw await duplicateUpload(deps, start);
  let value: T;
  try {
    value = await call();
  } catch (error) {
    await finishDisputeAction(deps.db, actionId, {
      result: isOutcomeUnknown(error) ? 'unknown' : 'failed',
      error: describeFailure(error),
      finishedAt: deps.clock.now(),
    });
    throw error;
  }
  await finishDisputeAction(deps.db, actionId, {
    result: 'ok',
    details: resultDetails(value),
    finishedAt: deps.clock.now(),
  });
  const { dispute } = await refreshDispute(deps, start.disputeId);
  return { actionId, value, dispute };
}

async function duplicateUpload(deps: DisputeDeskDeps, start: ActionStart): Promise<UsageError> {
  const earlier =
    start.sha256 === undefined
      ? undefined
      : await findBlockingUpload(deps.db, start.disputeId, start.sha256);
  const when =
    earlier === undefined
      ? ''
      : ` (${earlier.result} by ${earlier.actor} at ${earlier.at.toISOString()})`;
  return new UsageError(
    `this file (sha256 ${start.sha256 ?? '?'}) was already uploaded to ${start.disputeId}${when}; it is never uploaded twice`,
  );
}

function requireStatus(dispute: Dispute, allowed: (status: string) => boolean, what: string): void {
  if (!allowed(dispute.status)) {
    throw new UsageError(`${dispute.id} is ${dispute.status}: ${what}`);
  }
}

/** One account's disputes from Postgres in deadline order. */
export function listDisputes(
  deps: Pick<DisputeDeskDeps, 'db' | 'account'>,
  options: { openOnly: boolean; limit?: number },
): Promise<DisputeDeadlineRow[]> {
  return findDisputesByDeadline(deps.db, {
    account: deps.account,
    openOnly: options.openOnly,
    limit: options.limit ?? 500,
  });
}

/** Everything the desk knows of a dispute. */
export interface DisputeDetails {
  dispute: DisputeRow;
  documents: DisputeDocumentRow[];
  actions: DisputeActionRow[];
  reminders: DisputeReminderRow[];
}

/** The dispute as Omise has it now (re-projected), with its documents, actions and reminders. */
export async function showDispute(
  deps: DisputeDeskDeps,
  disputeId: string,
): Promise<DisputeDetails> {
  await refreshDispute(deps, disputeId);
  const [dispute, documents, actions, reminders] = await Promise.all([
    getDispute(deps.db, disputeId),
    findDisputeDocuments(deps.db, disputeId),
    findDisputeActions(deps.db, disputeId),
    findDisputeReminders(deps.db, disputeId),
  ]);
  return { dispute, documents, actions, reminders };
}

/** The dispute's documents as Omise lists them now (re-projected). */
export async function listDocuments(
  deps: DisputeDeskDeps,
  disputeId: string,
): Promise<readonly DisputeDocument[]> {
  const { documents } = await refreshDispute(deps, disputeId);
  return documents;
}

/** Sends the merchant's answer (the dispute's `message`). */
export async function sendMessage(
  deps: DisputeDeskDeps,
  disputeId: string,
  text: string,
): Promise<ActionOutcome<Dispute>> {
  if (text.trim() === '') throw new UsageError('--text must not be empty');
  const { dispute } = await refreshDispute(deps, disputeId);
  requireStatus(dispute, (status) => !isDisputeClosed(status), 'a closed dispute takes no message');
  return runAction(
    deps,
    { disputeId, action: 'message', details: { characters: text.length } },
    () => deps.omise.disputes.update(disputeId, { message: text }),
    (updated) => ({ status: updated.status }),
  );
}

/**
 * Uploads a file as evidence. Before any request: the file exists, is at most 10 MB and is PNG,
 * JPEG or PDF by its content (`kind` is checked by the caller); then the dispute must be open
 * and the same file (sha256) not already uploaded to it.
 */
export async function uploadEvidence(
  deps: DisputeDeskDeps,
  disputeId: string,
  kind: DocumentKind,
  path: string,
): Promise<ActionOutcome<DisputeDocument>> {
  const file = await readEvidenceFile(path);
  const earlier = await findBlockingUpload(deps.db, disputeId, file.sha256);
  if (earlier !== undefined) {
    throw await duplicateUpload(deps, {
      disputeId,
      action: 'upload',
      details: {},
      sha256: file.sha256,
    });
  }
  const { dispute } = await refreshDispute(deps, disputeId);
  requireStatus(
    dispute,
    (status) => status === 'open',
    'evidence can only be uploaded while it is open',
  );
  return runAction(
    deps,
    {
      disputeId,
      action: 'upload',
      details: {
        kind,
        filename: file.filename,
        bytes: file.content.length,
        contentType: file.contentType,
      },
      sha256: file.sha256,
    },
    () =>
      deps.omise.documents.upload(disputeId, {
        filename: file.filename,
        content: file.content,
        contentType: file.contentType,
        kind,
      }),
    (document) => ({ documentId: document.id }),
  );
}

/** Removes a document from an open dispute. */
export async function deleteDocument(
  deps: DisputeDeskDeps,
  disputeId: string,
  documentId: string,
): Promise<ActionOutcome<{ id: string; deleted: boolean }>> {
  const { dispute, documents } = await refreshDispute(deps, disputeId);
  requireStatus(dispute, (status) => status === 'open', 'its documents can no longer change');
  if (!documents.some((document) => document.id === documentId)) {
    throw new UsageError(`${disputeId} has no document ${documentId} (see: disputes documents)`);
  }
  return runAction(
    deps,
    { disputeId, action: 'delete_document', details: { documentId } },
    () => deps.omise.documents.delete(disputeId, documentId),
    () => ({}),
  );
}

/** Accepts the dispute: the cardholder keeps the money, and it closes as lost. */
export async function acceptDispute(
  deps: DisputeDeskDeps,
  disputeId: string,
): Promise<ActionOutcome<Dispute>> {
  const { dispute } = await refreshDispute(deps, disputeId);
  requireStatus(dispute, (status) => !isDisputeClosed(status), 'it is already closed');
  return runAction(
    deps,
    { disputeId, action: 'accept', details: {} },
    () => deps.omise.disputes.accept(disputeId),
    (accepted) => ({ status: accepted.status }),
  );
}

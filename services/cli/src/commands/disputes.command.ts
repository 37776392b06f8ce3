import { userInfo } from 'node:os';
import { systemClock } from '@omise-sync/core';
import { type DisputeDeadlineRow, createDatabase } from '@omise-sync/db';
import { type DisputeDocument, isOmiseError } from '@omise-sync/omise-client';
import { UsageError, parseCommandArgs } from '../cli-env';
import {
  type DisputeDeskDeps,
  type DisputeDetails,
  acceptDispute,
  checkDisputeId,
  checkDocumentId,
  deleteDocument,
  listDisputes,
  listDocuments,
  sendMessage,
  showDispute,
  uploadEvidence,
} from '../desk/dispute-desk';
import { DOCUMENT_KINDS, parseDocumentKind } from '../desk/evidence-file';
import { DeskConfig, loadSyncConfigWithAccounts, selectAccounts } from '../sync/sync-config';
import { createSyncOmiseClient } from '../sync/sync-services';
import { formatTable } from '../text-table';

export const DISPUTES_USAGE = `Usage: omise-sync disputes <action> [options]

The dispute desk: answer disputes before their deadline (respond_by = opened +
DISPUTE_RESPONSE_DAYS). Actions go to the Omise API, are recorded in omise.dispute_actions
with the actor, and re-project the dispute afterwards.

  list [--open] [--limit N]                 disputes in deadline order (from Postgres)
  show <dspt_id>                            state, deadline, documents, actions, reminders
  message <dspt_id> --text "…"              send the merchant's answer
  upload <dspt_id> --kind <kind> <file>     upload evidence: PNG, JPEG or PDF (by content),
                                            at most 10 MB, to an open dispute; the same file
                                            is never uploaded twice to one dispute
  documents <dspt_id>                       the dispute's evidence documents
  delete-document <dspt_id> <docu_id>       remove a document from an open dispute
  accept <dspt_id> --yes                    accept the dispute (it closes as lost)

  --kind        ${DOCUMENT_KINDS.join(', ')}
  --account NAME  the Omise account of the dispute (required when several are configured)
  --actor NAME  who is acting (default: the OS user)
  --json        print only JSON on stdout

Exit status: 0 done, 2 usage or validation error, 1 Omise refused (its code and message shown).
`;

const options = {
  open: { type: 'boolean' },
  limit: { type: 'string' },
  text: { type: 'string' },
  kind: { type: 'string' },
  yes: { type: 'boolean' },
  actor: { type: 'string' },
  account: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean' },
} as const;

type Values = ReturnType<typeof parseDisputesArgs>['values'];

function parseDisputesArgs(args: readonly string[]) {
  return parseCommandArgs({ args: [...args], options, allowPositionals: true }, DISPUTES_USAGE);
}

const HOUR_MS = 3_600_000;

function hoursLeft(respondBy: Date, now: Date): number {
  return Math.round(((respondBy.getTime() - now.getTime()) / HOUR_MS) * 10) / 10;
}

function defaultActor(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}

function actorOf(values: Values): string {
  const actor = values.actor ?? defaultActor();
  if (actor.trim() === '' || actor.length > 200) {
    throw new UsageError('--actor must be a name of 1 to 200 characters');
  }
  return actor;
}

function parseLimit(value: string | undefined): number {
  if (value === undefined) return 500;
  const limit = Number(value);
  if (!Number.isInteger(limit) || limit <= 0)
    throw new UsageError('--limit must be a positive whole number');
  return limit;
}

/** Only the options an action takes; any other is a usage error. */
function onlyOptions(action: string, values: Values, allowed: readonly (keyof Values)[]): void {
  const extra = (Object.keys(values) as (keyof Values)[]).filter(
    (name) => values[name] !== undefined && name !== 'account' && !allowed.includes(name),
  );
  if (extra.length > 0) {
    throw new UsageError(
      `disputes ${action} takes no --${extra.join(', --')}\n\n${DISPUTES_USAGE}`,
    );
  }
}

function positionalsFor(
  action: string,
  rest: readonly string[],
  names: readonly string[],
): string[] {
  if (rest.length !== names.length) {
    throw new UsageError(
      `disputes ${action} needs ${names.join(' and ')}${rest.length > names.length ? ' only' : ''}\n\n${DISPUTES_USAGE}`,
    );
  }
  return [...rest];
}

function listJson(rows: readonly DisputeDeadlineRow[], now: Date) {
  return rows.map((row) => ({
    id: row.id,
    status: row.status,
    amount: row.amount,
    currency: row.currency,
    reasonCode: row.reason_code,
    respondBy: row.respond_by.toISOString(),
    hoursLeft: hoursLeft(row.respond_by, now),
    documents: row.documents,
    messageSent: (row.message ?? '') !== '',
    severity: row.severity,
  }));
}

function detailsJson(details: DisputeDetails, now: Date) {
  const { dispute } = details;
  return {
    id: dispute.id,
    chargeId: dispute.charge_id,
    status: dispute.status,
    amount: dispute.amount,
    currency: dispute.currency,
    reasonCode: dispute.reason_code,
    reasonMessage: dispute.reason_message,
    message: dispute.message,
    openedAt: dispute.created_at.toISOString(),
    respondBy: dispute.respond_by.toISOString(),
    hoursLeft: hoursLeft(dispute.respond_by, now),
    closedAt: dispute.closed_at?.toISOString() ?? null,
    documents: details.documents.map((document) => ({
      id: document.id,
      kind: document.kind,
      filename: document.filename,
      deleted: document.deleted,
      createdAt: document.created_at.toISOString(),
    })),
    actions: details.actions.map((action) => ({
      id: action.id,
      action: action.action,
      actor: action.actor,
      result: action.result,
      error: action.error,
      details: action.details,
      at: action.at.toISOString(),
    })),
    reminders: details.reminders.map((reminder) => ({
      kind: reminder.kind,
      dueAt: reminder.due_at.toISOString(),
      sentAt: reminder.sent_at?.toISOString() ?? null,
      cancelledAt: reminder.cancelled_at?.toISOString() ?? null,
    })),
  };
}

function documentsJson(documents: readonly DisputeDocument[]) {
  return documents.map((document) => ({
    id: document.id,
    kind: document.kind ?? null,
    filename: document.filename,
    createdAt: document.created_at ?? null,
  }));
}

function formatDetails(json: ReturnType<typeof detailsJson>): string {
  return [
    `${json.id}  ${json.status}  ${json.amount} ${json.currency}  reason ${json.reasonCode ?? 'unknown'}  charge ${json.chargeId}`,
    `opened ${json.openedAt}, respond by ${json.respondBy} (${json.hoursLeft} h left)` +
      (json.closedAt === null ? '' : `, closed ${json.closedAt}`),
    `message: ${json.message ?? '(none)'}`,
    '',
    'documents:',
    json.documents.length === 0
      ? '  (none)'
      : formatTable(
          ['id', 'kind', 'filename', 'created', 'deleted'],
          json.documents.map((d) => [
            d.id,
            d.kind,
            d.filename,
            d.createdAt,
            d.deleted ? 'yes' : '',
          ]),
        ),
    '',
    'actions:',
    json.actions.length === 0
      ? '  (none)'
      : formatTable(
          ['at', 'action', 'actor', 'result', 'error'],
          json.actions.map((a) => [a.at, a.action, a.actor, a.result, a.error]),
        ),
    '',
    'reminders:',
    json.reminders.length === 0
      ? '  (none)'
      : formatTable(
          ['kind', 'due', 'sent', 'cancelled'],
          json.reminders.map((r) => [r.kind, r.dueAt, r.sentAt, r.cancelledAt]),
        ),
  ].join('\n');
}

async function runDeskAction(
  action: string | undefined,
  rest: readonly string[],
  values: Values,
  deps: () => DisputeDeskDeps,
  print: (json: unknown, text: string) => void,
): Promise<void> {
  const now = () => deps().clock.now();
  switch (action) {
    case 'list': {
      onlyOptions(action, values, ['open', 'limit', 'json']);
      positionalsFor(action, rest, []);
      const limit = parseLimit(values.limit);
      const rows = await listDisputes(deps(), { openOnly: values.open === true, limit });
      const json = listJson(rows, now());
      print(
        json,
        json.length === 0
          ? 'no disputes'
          : formatTable(
              [
                'dispute',
                'status',
                'amount',
                'currency',
                'respond by',
                'hours left',
                'docs',
                'message',
                'severity',
              ],
              json.map((d) => [
                d.id,
                d.status,
                d.amount,
                d.currency,
                d.respondBy,
                d.hoursLeft,
                d.documents,
                d.messageSent ? 'sent' : '',
                d.severity,
              ]),
            ),
      );
      return;
    }
    case 'show': {
      onlyOptions(action, values, ['json']);
      const [id] = positionalsFor(action, rest, ['<dspt_id>']);
      const disputeId = checkDisputeId(id);
      const json = detailsJson(await showDispute(deps(), disputeId), now());
      print(json, formatDetails(json));
      return;
    }
    case 'documents': {
      onlyOptions(action, values, ['json']);
      const [id] = positionalsFor(action, rest, ['<dspt_id>']);
      const json = documentsJson(await listDocuments(deps(), checkDisputeId(id)));
      print(
        json,
        json.length === 0
          ? 'no documents'
          : formatTable(
              ['id', 'kind', 'filename', 'created'],
              json.map((d) => [d.id, d.kind, d.filename, d.createdAt]),
            ),
      );
      return;
    }
    case 'message': {
      onlyOptions(action, values, ['text', 'actor', 'json']);
      const [id] = positionalsFor(action, rest, ['<dspt_id>']);
      const disputeId = checkDisputeId(id);
      if (values.text === undefined)
        throw new UsageError(`disputes message needs --text "…"\n\n${DISPUTES_USAGE}`);
      const outcome = await sendMessage(deps(), disputeId, values.text);
      const json = {
        actionId: outcome.actionId,
        action,
        disputeId,
        status: outcome.dispute.status,
      };
      print(json, `message sent to ${disputeId}; it is now ${outcome.dispute.status}`);
      return;
    }
    case 'upload': {
      onlyOptions(action, values, ['kind', 'actor', 'json']);
      const [id, file] = positionalsFor(action, rest, ['<dspt_id>', '<file>']);
      const disputeId = checkDisputeId(id);
      const kind = parseDocumentKind(values.kind);
      const outcome = await uploadEvidence(deps(), disputeId, kind, file ?? '');
      const document = outcome.value;
      const json = {
        actionId: outcome.actionId,
        action,
        disputeId,
        status: outcome.dispute.status,
        document: { id: document.id, kind: document.kind ?? null, filename: document.filename },
      };
      print(json, `uploaded ${document.filename} to ${disputeId} as ${document.id} (${kind})`);
      return;
    }
    case 'delete-document': {
      onlyOptions(action, values, ['actor', 'json']);
      const [id, documentId] = positionalsFor(action, rest, ['<dspt_id>', '<docu_id>']);
      const disputeId = checkDisputeId(id);
      const docu = checkDocumentId(documentId);
      const outcome = await deleteDocument(deps(), disputeId, docu);
      const json = {
        actionId: outcome.actionId,
        action,
        disputeId,
        documentId: docu,
        status: outcome.dispute.status,
      };
      print(json, `deleted ${docu} from ${disputeId}`);
      return;
    }
    case 'accept': {
      onlyOptions(action, values, ['yes', 'actor', 'json']);
      const [id] = positionalsFor(action, rest, ['<dspt_id>']);
      const disputeId = checkDisputeId(id);
      if (values.yes !== true) {
        throw new UsageError(
          `accepting ${disputeId} gives the money back to the cardholder and cannot be undone; add --yes to confirm`,
        );
      }
      const outcome = await acceptDispute(deps(), disputeId);
      const json = {
        actionId: outcome.actionId,
        action,
        disputeId,
        status: outcome.dispute.status,
      };
      print(json, `accepted ${disputeId}; it is now ${outcome.dispute.status}`);
      return;
    }
    case undefined:
    default:
      throw new UsageError(
        `${action === undefined ? 'give an action' : `unknown action: ${action}`}\n\n${DISPUTES_USAGE}`,
      );
  }
}

/** `omise-sync disputes …`: the dispute desk. */
export async function disputesCommand(
  args: readonly string[],
  env: NodeJS.ProcessEnv,
): Promise<number> {
  const { values, positionals } = parseDisputesArgs(args);
  if (values.help === true) {
    console.log(DISPUTES_USAGE);
    return 0;
  }
  const [action, ...rest] = positionals;
  const actor = actorOf(values);
  let database: ReturnType<typeof createDatabase> | undefined;
  let deps: DisputeDeskDeps | undefined;
  // Usage errors surface before any configuration is read or connection opened.
  const lazyDeps = (): DisputeDeskDeps => {
    if (deps !== undefined) return deps;
    const { config, accounts } = loadSyncConfigWithAccounts(DeskConfig, env);
    const [account] = selectAccounts(accounts, values.account, 'required');
    if (account === undefined) throw new UsageError('no account configured');
    database = createDatabase({
      connectionString: config.databaseUrl,
      maxConnections: Math.max(2, config.databasePoolSize),
      applicationName: 'omise-sync-disputes',
    });
    deps = {
      db: database.db,
      omise: createSyncOmiseClient(account),
      clock: systemClock,
      account: account.account,
      severityRules: config.severityRules,
      responseDays: config.responseDays,
      actor,
    };
    return deps;
  };
  const print = (json: unknown, text: string) =>
    console.log(values.json === true ? JSON.stringify(json, null, 2) : text);
  try {
    await runDeskAction(action, rest, values, lazyDeps, print);
    return 0;
  } catch (error) {
    if (!isOmiseError(error)) throw error;
    const status = error.status === undefined ? '' : ` (HTTP ${error.status})`;
    console.error(`Omise error ${error.code ?? error.name}${status}: ${error.message}`);
    return 1;
  } finally {
    await database?.destroy();
  }
}

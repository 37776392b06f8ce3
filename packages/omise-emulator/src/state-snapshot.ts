import { createReadStream, createWriteStream, existsSync } from 'node:fs';
import { rename } from 'node:fs/promises';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import {
  type ChargeState,
  type CustomerState,
  type DisputeState,
  type DocumentState,
  type EventState,
  type LinkState,
  type ReceiptState,
  type RecipientState,
  type RefundState,
  type ScheduleState,
  type TokenState,
  type TransactionState,
  type TransferState,
} from './resource-types';
import { PRIMARY_ACCOUNT } from './emulator-options';
import { type Collection } from './state/collection';
import { type EmulatorStore } from './state/emulator-store';
import { restoreEvent } from './state/events.state';

/**
 * The state as NDJSON, one object per line (a single JSON document of 100,000 charges and
 * their events would not fit in one string). After the meta line, each account's lines follow
 * an `account` line, in dependency order: tokens, customers, charges, refunds, disputes
 * (documents inline, base64), events, then the ledger: transactions, transfers, receipts; then
 * recipients, schedules (occurrences inline) and links. Version 1 files (one account, no
 * `account` line) load into `default`; version 2 files have no recipients, schedules or links.
 */
type SnapshotLine =
  | { t: 'meta'; version: 1 | 2 | 3; random: [number, number, number, number] }
  | { t: 'account'; name: string }
  | { t: 'token'; v: TokenState }
  | { t: 'customer'; v: CustomerState }
  | { t: 'charge'; v: Omit<ChargeState, 'refunds'> }
  | { t: 'refund'; v: RefundState }
  | { t: 'dispute'; v: Omit<DisputeState, 'documents'>; documents: SnapshotDocument[] }
  | { t: 'event'; v: EventState }
  | { t: 'transaction'; v: TransactionState }
  | { t: 'transfer'; v: TransferState }
  | { t: 'receipt'; v: ReceiptState }
  | { t: 'recipient'; v: RecipientState }
  | { t: 'schedule'; v: ScheduleState }
  | { t: 'link'; v: LinkState };

type SnapshotDocument = Omit<DocumentState, 'content'> & { content: string };

/** One account's state, by the name it is saved and restored under. */
export interface SnapshotAccount {
  name: string;
  store: EmulatorStore;
}

export async function writeSnapshot(
  accounts: readonly SnapshotAccount[],
  random: [number, number, number, number],
  file: string,
): Promise<void> {
  const temp = `${file}.tmp`;
  const out = createWriteStream(temp);
  const write = async (line: SnapshotLine): Promise<void> => {
    if (!out.write(`${JSON.stringify(line)}\n`)) await once(out, 'drain');
  };
  await write({ t: 'meta', version: 3, random });
  for (const { name, store } of accounts) {
    await write({ t: 'account', name });
    await writeAccount(store, write);
  }
  out.end();
  await once(out, 'finish');
  await rename(temp, file);
}

async function writeAccount(
  store: EmulatorStore,
  write: (line: SnapshotLine) => Promise<void>,
): Promise<void> {
  for (const v of store.tokens.items) await write({ t: 'token', v });
  for (const v of store.customers.items) await write({ t: 'customer', v });
  for (const charge of store.charges.items) {
    const { refunds: _refunds, ...v } = charge;
    await write({ t: 'charge', v });
  }
  for (const v of store.refunds.items) await write({ t: 'refund', v });
  for (const dispute of store.disputes.items) {
    const { documents, ...v } = dispute;
    await write({
      t: 'dispute',
      v,
      documents: documents.map((d) => ({ ...d, content: d.content.toString('base64') })),
    });
  }
  for (const v of store.events.items) await write({ t: 'event', v });
  for (const v of store.transactions.items) await write({ t: 'transaction', v });
  for (const v of store.transfers.items) await write({ t: 'transfer', v });
  for (const v of store.receipts.items) await write({ t: 'receipt', v });
  for (const v of store.recipients.items) await write({ t: 'recipient', v });
  for (const v of store.schedules.items) await write({ t: 'schedule', v });
  for (const v of store.links.items) await write({ t: 'link', v });
}

/** The PRNG state saved in a snapshot, so ids continue where the last run stopped. */
export async function readSnapshotRandomState(
  file: string,
): Promise<[number, number, number, number] | undefined> {
  if (!existsSync(file)) return undefined;
  const lines = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
  for await (const line of lines) {
    lines.close();
    const first = JSON.parse(line) as SnapshotLine;
    return first.t === 'meta' ? first.random : undefined;
  }
  return undefined;
}

/** Adds a restored object to its collection; later stamps come no earlier than its creation. */
function restore<T extends { readonly id: string; readonly createdAt: number }>(
  store: EmulatorStore,
  collection: Collection<T>,
  object: T,
): void {
  collection.add(object);
  store.noteCreatedAt(object.createdAt);
}

/**
 * Loads a snapshot into empty states, each account's lines into the store of that name; lines
 * of an account not configured now are skipped and its name returned.
 * @returns undefined when the file does not exist, else the accounts skipped
 */
export async function loadSnapshot(
  accounts: readonly SnapshotAccount[],
  file: string,
): Promise<{ skipped: string[] } | undefined> {
  if (!existsSync(file)) return undefined;
  const byName = new Map(accounts.map((account) => [account.name, account.store]));
  const skipped: string[] = [];
  let store = byName.get(PRIMARY_ACCOUNT);
  const lines = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
  for await (const text of lines) {
    if (text === '') continue;
    const line = JSON.parse(text) as SnapshotLine;
    if (line.t === 'account') {
      store = byName.get(line.name);
      if (store === undefined) skipped.push(line.name);
      continue;
    }
    if (store === undefined) continue;
    switch (line.t) {
      case 'meta':
        break;
      case 'token':
        restore(store, store.tokens, line.v);
        break;
      case 'customer':
        store.customers.add(line.v);
        break;
      case 'charge':
        restore(store, store.charges, { ...line.v, refunds: [] });
        break;
      case 'refund': {
        store.refunds.add(line.v);
        store.charges.find(line.v.chargeId)?.refunds.push(line.v);
        break;
      }
      case 'dispute': {
        const documents: DocumentState[] = line.documents.map((d) => ({
          ...d,
          content: Buffer.from(d.content, 'base64'),
        }));
        const dispute: DisputeState = { ...line.v, documents };
        store.disputes.add(dispute);
        for (const doc of documents) store.documents.add(doc);
        break;
      }
      case 'event':
        restoreEvent(store, line.v);
        break;
      case 'transaction':
        restore(store, store.transactions, line.v);
        break;
      case 'transfer':
        restore(store, store.transfers, line.v);
        break;
      case 'receipt':
        restore(store, store.receipts, line.v);
        break;
      case 'recipient':
        restore(store, store.recipients, line.v);
        break;
      case 'schedule':
        restore(store, store.schedules, line.v);
        break;
      case 'link':
        restore(store, store.links, line.v);
        break;
    }
  }
  return { skipped };
}

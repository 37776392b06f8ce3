import { type OmiseEventJob } from '@omise-sync/core';
import { useTestDatabase } from '@omise-sync/testing';
import { seedCharges } from '@omise-sync/omise-emulator';
import { projectBatch } from '../project-batch';
import { useEmulatorDeps } from '../../test/use-emulator-deps';
import { eventResource } from './index';

function transferEvent(key: string, transferId: string): OmiseEventJob {
  const eventId = `evnt_test_${key.replace('.', '_')}_${transferId.slice(-8)}`;
  return {
    account: 'default',
    eventId,
    key,
    resourceType: 'transfer',
    resourceId: transferId,
    livemode: false,
    eventCreatedAt: new Date().toISOString(),
    receivedAt: new Date().toISOString(),
    origin: 'webhook',
    event: { object: 'event', id: eventId, key, data: { object: 'transfer', id: transferId } },
  };
}

describe('transfer resource', () => {
  const database = useTestDatabase();
  const omise = useEmulatorDeps('transfer-resource');

  const project = async (key: string, transferId: string) => {
    const job = transferEvent(key, transferId);
    const [result] = await projectBatch({ ...omise.deps, db: database.handle.db }, [
      { kind: 'event', job, resource: eventResource(job) },
    ]);
    return result;
  };
  const stored = (id: string) =>
    database.handle.db
      .selectFrom('omise.transfers')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow();

  it('when a payout is created, sent and paid, its events project the re-fetched transfer each time', async () => {
    const { emulator } = omise;
    await seedCharges(emulator, { charges: 20, refundShare: 0, disputeShare: 0, seed: 1 });
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const id = String(emulator.actions.createPayout()?.id);
    expect(await project('transfer.create', id)).toMatchObject({ outcome: 'projected' });
    expect(await stored(id)).toMatchObject({ sent: false, paid: false, deleted_at: null });

    emulator.actions.markTransferAsSent(id);
    emulator.actions.markTransferAsPaid(id);
    // The event is only a hint: whatever its key, the row is the transfer as Omise has it now.
    await project('transfer.send', id);
    const row = await stored(id);
    expect(row).toMatchObject({ sent: true, paid: true, currency: 'THB', origin: 'webhook' });
    expect(row.net).toBe(row.amount - row.fee - row.fee_vat);
    expect(row.paid_at).not.toBeNull();
    expect(JSON.stringify(row.raw)).not.toContain('DEFAULT BANK ACCOUNT');
  });

  it('when a transfer is destroyed, transfer.destroy (Omise answers 404) sets deleted_at and keeps the row', async () => {
    const { emulator } = omise;
    await seedCharges(emulator, { charges: 20, refundShare: 0, disputeShare: 0, seed: 2 });
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const id = String(emulator.actions.createPayout()?.id);
    await project('transfer.create', id);
    emulator.actions.destroyTransfer(id);
    expect(await project('transfer.destroy', id)).toMatchObject({ outcome: 'projected' });
    const row = await stored(id);
    expect(row.deleted_at).not.toBeNull();
    expect(row.amount).toBeGreaterThan(0);
  });
});

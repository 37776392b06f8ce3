import { useTestDatabase } from '@omise-sync/testing';
import { findCharge, getCharge } from './charge.repository';

describe('charge repository', () => {
  const database = useTestDatabase();

  it('when a charge was never projected, find returns undefined and get throws', async () => {
    const { db } = database.handle;
    expect(await findCharge(db, 'chrg_missing')).toBeUndefined();
    await expect(getCharge(db, 'chrg_missing')).rejects.toThrow();
  });
});

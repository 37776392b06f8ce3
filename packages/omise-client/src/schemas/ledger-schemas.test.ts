import { Balance } from './balance.schema';
import { Receipt } from './receipt.schema';
import { Transaction } from './transaction.schema';
import { Transfer } from './transfer.schema';

// Objects as Omise's documentation and omise-go's recorded fixtures show them (the shared
// fixture folder has none of these resources).
describe('ledger schemas', () => {
  it('reads a 2019-05-29 transaction as documented', () => {
    const parsed = Transaction.parse({
      object: 'transaction',
      id: 'trxn_test_no1t4tnemucod0e51mo',
      livemode: false,
      currency: 'THB',
      amount: 11862,
      location: '/transactions/trxn_test_no1t4tnemucod0e51mo',
      direction: 'credit',
      key: 'charge.captured.net',
      origin: 'chrg_test_no1t4tnemucod0e51mo',
      transferable_at: '2019-12-31T12:59:59Z',
      created_at: '2019-12-31T12:59:59Z',
    });
    expect(parsed).toMatchObject({ direction: 'credit', origin: 'chrg_test_no1t4tnemucod0e51mo' });
  });

  it('reads an old transaction (type, source, transferable, created) under the current names', () => {
    const parsed = Transaction.parse({
      object: 'transaction',
      id: 'trxn_test_4yq7duwb9jts1vxgqua',
      type: 'credit',
      amount: 96094,
      currency: 'THB',
      source: 'chrg_test_4yq7duw15p9hdrjp8oq',
      transferable: '2015-01-15T05:00:29Z',
      created: '2015-01-15T05:00:29Z',
    });
    expect(parsed).toMatchObject({
      direction: 'credit',
      origin: 'chrg_test_4yq7duw15p9hdrjp8oq',
      transferable_at: '2015-01-15T05:00:29Z',
      created_at: '2015-01-15T05:00:29Z',
    });
  });

  it('reads omise-go recorded transfers, balance and receipts', () => {
    expect(
      Transfer.parse({
        object: 'transfer',
        id: 'trsf_test_4yqacz8t3cbipcj766u',
        livemode: false,
        location: '/transfers/trsf_test_4yqacz8t3cbipcj766u',
        sent: true,
        paid: true,
        amount: 192188,
        bank_account: { object: 'bank_account', brand: 'test', last_digits: '6789' },
        currency: 'thb',
        fee: 3000,
        failure_code: null,
        failure_message: null,
        transaction: 'trxn_test_4yqafnvlztbf3908vs1',
        recipient: 'recp_test_50894vc13y8z4v51iuc',
        created_at: '2016-01-28T06:56:10Z',
      }).fee,
    ).toBe(3000);
    expect(
      Balance.parse({
        object: 'balance',
        livemode: false,
        total: 96094,
        location: '/balance',
        available: 12995317,
        currency: 'thb',
      }).available,
    ).toBe(12995317);
    expect(
      Receipt.parse({
        object: 'receipt',
        id: 'rcpt_test_12345',
        number: '1',
        date: '2017-07-13T16:59:59Z',
        charge_fee: 3650,
        voided_fee: 0,
        transfer_fee: 0,
        subtotal: 3650,
        vat: 256,
        wht: 0,
        total: 3906,
        credit_note: false,
        currency: 'thb',
      }).total,
    ).toBe(3906);
  });
});

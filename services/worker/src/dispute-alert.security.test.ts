import { buildDisputeAlert, escapeSlackText } from './dispute-alert';

// Issue 23 item 4: text from Omise (reason code, reason message, status) must reach the alert
// channel as text, never as Slack markup, and an enormous value must not make an enormous alert.
const facts = {
  id: 'dspt_test_1',
  charge_id: 'chrg_test_9',
  amount: 100,
  currency: 'THB',
  reason_code: 'fraud',
  reason_message: null,
  status: 'open',
  livemode: true,
  severity: 'medium' as const,
  reasons: [],
};

/** Every mrkdwn string in the message: the fallback text and each block's text. */
function texts(message: ReturnType<typeof buildDisputeAlert>): string[] {
  const found: string[] = [message.text];
  JSON.stringify(message.blocks, (key, value: unknown) => {
    if (key === 'text' && typeof value === 'string') found.push(value);
    return value;
  });
  return found;
}

describe('dispute alert escaping and limits', () => {
  it.each([['<!channel>'], ['<!here>'], ['<http://evil.example|click>'], ['<@U123>'], ['a & b']])(
    'when Omise sends %s as reason, message or status, the alert carries it escaped',
    (markup) => {
      const message = buildDisputeAlert('New medium dispute', {
        ...facts,
        reason_code: markup,
        reason_message: markup,
        status: markup,
      });
      const escaped = escapeSlackText(markup);
      for (const text of texts(message)) {
        expect(text).not.toContain('<');
        expect(text).not.toContain('>');
        expect(text.replace(/&(amp|lt|gt);/g, '')).not.toContain('&');
      }
      expect(JSON.stringify(message)).toContain(escaped);
    },
  );

  it('escapes per Slack: & as &amp;, < as &lt;, > as &gt;', () => {
    expect(escapeSlackText('<!channel> & <http://x|y>')).toBe(
      '&lt;!channel&gt; &amp; &lt;http://x|y&gt;',
    );
  });

  it('when the reason is 50,000 characters, every field stays within Slack limits and the body stays small', () => {
    const huge = '<'.repeat(50_000);
    const message = buildDisputeAlert('h'.repeat(50_000), {
      ...facts,
      reason_code: huge,
      reason_message: huge,
      status: huge,
      charge_id: huge,
      reasons: [huge, huge],
    });
    const body = JSON.stringify(message);
    expect(body.length).toBeLessThan(16_000);
    expect(message.text.length).toBeLessThanOrEqual(3_000);
    const [header, fieldsBlock, context] = message.blocks as [
      { text: { text: string } },
      { fields: { text: string }[] },
      { elements: { text: string }[] },
    ];
    expect(header.text.text.length).toBeLessThanOrEqual(3_000);
    expect(fieldsBlock.fields.length).toBeLessThanOrEqual(10);
    for (const field of fieldsBlock.fields) expect(field.text.length).toBeLessThanOrEqual(2_000);
    for (const element of context.elements) expect(element.text.length).toBeLessThanOrEqual(3_000);
    expect(message.blocks.length).toBeLessThanOrEqual(50);
  });

  it('when a value is cut, it is cut before escaping, so no entity is left half-written', () => {
    const cut = escapeSlackText('&'.repeat(1_000), 10);
    expect(cut).toBe(`${'&amp;'.repeat(9)}…`);
  });
});

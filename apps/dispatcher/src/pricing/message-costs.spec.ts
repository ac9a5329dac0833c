import { RateBook } from '@wt/pricing';
import { type MessageStatusUpdate } from '@wt/whatsapp';
import { type EntityManager } from 'typeorm';
import { MessageCosts, type PricedMessage } from './message-costs';

/** A manager that records the statements and answers an insert as new. */
function fakeManager() {
  const calls: { sql: string; params: unknown[] }[] = [];
  const manager = {
    query: async (sql: string, params: unknown[]) => {
      calls.push({ sql, params });
      return [{ fresh: true }];
    },
  } as unknown as EntityManager;
  return { manager, calls };
}

const row = (kind: 'template' | 'text'): PricedMessage => ({ decisionId: kind === 'text' ? 'reply:1' : 'dec_1', kind });

const status = (pricing: MessageStatusUpdate['pricing'], recipient = '33612345678'): MessageStatusUpdate => ({
  id: 'wamid.1',
  status: 'delivered',
  timestamp: String(Date.parse('2026-12-07T10:00:00Z') / 1000),
  recipient_id: recipient,
  pricing,
});

describe('MessageCosts: the billed cost of a message from the pricing of its status', () => {
  const costs = new MessageCosts(new RateBook());

  /** What a message of `kind` is billed for a status with `pricing`, and the statements that recorded it. */
  async function bill(kind: 'template' | 'text', update: MessageStatusUpdate) {
    const { manager, calls } = fakeManager();
    return { billed: await costs.billed(manager, row(kind), update), calls };
  }

  it('prices a billable marketing message at the card by the recipient country', async () => {
    const { billed, calls } = await bill(
      'template',
      status({ billable: true, pricing_model: 'PMP', category: 'marketing', type: 'regular' }),
    );
    expect(billed).toEqual({
      billable: true,
      pricingModel: 'PMP',
      category: 'marketing',
      type: 'regular',
      micros: 85_900,
      currency: 'USD',
      rateCardVersion: 'meta-2025-07-01-usd',
    });
    expect(calls[0]?.params.slice(0, 4)).toEqual(['dec_1', 'template', 'marketing', 'france']);
  });

  it('bills 0 when Meta says not billable, and prices marketing_lite as marketing', async () => {
    const free = await bill(
      'template',
      status({ billable: false, pricing_model: 'PMP', category: 'utility', type: 'free_customer_service' }),
    );
    expect(free.billed).toMatchObject({ billable: false, micros: 0 });
    const lite = await bill('template', status({ billable: true, pricing_model: 'PMP', category: 'marketing_lite' }, '4915123456789'));
    expect(lite.billed).toMatchObject({ category: 'marketing_lite', micros: 136_500 });
  });

  it("estimates an assistant reply at the card's service price (free on the shipped card)", async () => {
    const { billed, calls } = await bill(
      'text',
      status({ billable: false, pricing_model: 'PMP', category: 'service', type: 'free_customer_service' }),
    );
    expect(billed).toMatchObject({ category: 'service', micros: 0 });
    expect(calls[0]?.params.slice(0, 7)).toEqual(['reply:1', 'text', 'service', 'france', 'USD', 'meta-2025-07-01-usd', 0]);
  });

  it('prices a message to a business-scoped user id without a number by the country of its prefix', async () => {
    const update = {
      ...status({ billable: true, pricing_model: 'PMP', category: 'marketing' }),
      recipient_id: undefined,
      recipient_user_id: 'DE.1349120865530',
    };
    expect((await bill('template', update)).billed).toMatchObject({ micros: 136_500 });
  });

  it('records nothing for a status without pricing', async () => {
    const { billed, calls } = await bill('template', status(undefined));
    expect(billed).toBeUndefined();
    expect(calls).toEqual([]);
  });
});

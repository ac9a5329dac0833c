import { RateBook, type RateCard, withVolumeTiers } from '@wt/pricing';
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

const row = (kind: 'template' | 'text'): PricedMessage => ({ decisionId: kind === 'text' ? 'reply:1' : 'dec_1', kind, businessId: 'acme' });

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
      market: 'france',
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

  describe("volume tiers: billed at delivery, at the tier of the message's rank in its portfolio's month", () => {
    const card = withVolumeTiers(new RateBook().cards[0] as RateCard, 'test-tiers', 'france', 'utility', [
      { from: 1, rate: 0.03 },
      { from: 3, rate: 0.012 },
    ]);
    const tieredCosts = new MessageCosts(new RateBook([card]));
    const utility = { billable: true, pricing_model: 'PMP', category: 'utility', type: 'regular' } as const;

    /** A manager whose portfolio counter stands at `delivered` before this message (undefined: the message was counted already, at `rank`). */
    function counting(delivered: number | undefined, rank?: number) {
      const calls: string[] = [];
      const manager = {
        query: async (sql: string) => {
          calls.push(sql.trim().split(/\s+/).slice(0, 3).join(' '));
          if (sql.includes('monthly_rank = 0')) return delivered === undefined ? [] : [{}];
          if (sql.includes('portfolio_delivered_volume')) return [{ delivered: String((delivered ?? 0) + 1) }];
          if (sql.startsWith('SELECT monthly_rank')) return [{ monthly_rank: rank === undefined ? null : String(rank) }];
          return [{ fresh: true }];
        },
      } as unknown as EntityManager;
      return { manager, calls };
    }

    it('gives a `sent` status no billed price and writes nothing: its delivery decides the tier', async () => {
      const { manager, calls } = counting(0);
      expect(await tieredCosts.billed(manager, row('template'), { ...status(utility), status: 'sent' })).toBeUndefined();
      expect(calls).toEqual([]);
    });

    it('counts a delivery once and bills it at its rank: the 2nd at the list rate, the 3rd at the lower tier', async () => {
      expect(await tieredCosts.billed(counting(1).manager, row('template'), status(utility))).toMatchObject({
        micros: 30_000,
        market: 'france',
        monthlyRank: 2,
      });
      expect(await tieredCosts.billed(counting(2).manager, row('template'), status(utility))).toMatchObject({
        micros: 12_000,
        monthlyRank: 3,
      });
      // A later `read` of a message counted at rank 3: the same price, counted no further.
      const again = counting(undefined, 3);
      expect(await tieredCosts.billed(again.manager, row('template'), { ...status(utility), status: 'read' })).toMatchObject({
        micros: 12_000,
        monthlyRank: 3,
      });
      expect(again.calls.some((c) => c.includes('portfolio_delivered_volume'))).toBe(false);
    });

    it('never counts what is not tiered there: marketing, a free message, another market', async () => {
      for (const [pricing, recipient] of [
        [{ ...utility, category: 'marketing' }, '33612345678'],
        [{ ...utility, billable: false, type: 'free_customer_service' }, '33612345678'],
        [utility, '4915123456789'],
      ] as const) {
        const { manager, calls } = counting(5);
        const billed = await tieredCosts.billed(manager, row('template'), status(pricing, recipient));
        expect(billed?.monthlyRank).toBeUndefined();
        expect(calls.some((c) => c.includes('monthly_rank'))).toBe(false);
      }
    });
  });
});

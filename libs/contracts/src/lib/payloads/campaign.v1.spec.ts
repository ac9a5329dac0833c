import { Topic } from '../topics/topic.enum';
import { validatePayload } from '../validation/validate-payload';
import { CAMPAIGN_HORIZON_DAYS, MAX_CAMPAIGN_BUDGET_MESSAGES } from './campaign.v1';

const DAY_MS = 86_400_000;
const now = Date.now();
const at = (offsetMs: number) => new Date(now + offsetMs).toISOString();

const campaign = {
  campaignId: 'spring-run',
  businessId: 'acme',
  name: 'Spring run',
  status: 'active',
  phoneNumberId: '1000001',
  template: { name: 'new_collection', language: 'en_US', bodyParameters: [{ from: 'literal', value: 'Hi' }] },
  targetCategories: ['running-shoes'],
  minRelevance: 0.3,
  budgetMessages: 10,
  startsAt: at(-DAY_MS),
  endsAt: at(30 * DAY_MS),
  updatedAt: at(0),
};

/** The fields validatePayload refuses in this campaign, or [] when it accepts it. */
function refused(overrides: Record<string, unknown>): string[] {
  const result = validatePayload(Topic.CampaignsV1, { ...campaign, ...overrides });
  return result.ok ? [] : result.violations.map((v) => v.field);
}

describe('CampaignV1 holds only what the database and the decision logic hold', () => {
  it('accepts a campaign within every limit', () => {
    expect(refused({})).toEqual([]);
    expect(refused({ budgetMessages: MAX_CAMPAIGN_BUDGET_MESSAGES, maxMessagesPerPersonPerWeek: 100 })).toEqual([]);
    expect(refused({ endsAt: at((CAMPAIGN_HORIZON_DAYS - 1) * DAY_MS), name: 'Été 🏃 ok' })).toEqual([]);
  });

  it.each([2_147_483_648, 1e20, MAX_CAMPAIGN_BUDGET_MESSAGES + 1])('refuses a budget of %d messages (above the business maximum)', (n) => {
    expect(refused({ budgetMessages: n })).toEqual(['budgetMessages']);
  });

  it('refuses a weekly cap per person above the documented maximum', () => {
    expect(refused({ maxMessagesPerPersonPerWeek: 2_147_483_648 })).toEqual(['maxMessagesPerPersonPerWeek']);
  });

  it('refuses text Postgres cannot store: NUL characters and unpaired surrogates', () => {
    expect(refused({ name: 'Spring\u0000run' })).toEqual(['name']);
    expect(refused({ name: 'broken \ud800 pair' })).toEqual(['name']);
    expect(refused({ template: { ...campaign.template, bodyParameters: [{ from: 'literal', value: 'a\u0000' }] } })).toEqual([
      'template.bodyParameters.0.value',
    ]);
  });

  it('refuses dates beyond the horizon, before 2000, without a time and offset, or an end not after the start', () => {
    expect(refused({ startsAt: at((CAMPAIGN_HORIZON_DAYS + 1) * DAY_MS), endsAt: undefined })).toEqual(['startsAt']);
    expect(refused({ endsAt: '9999-12-31T00:00:00Z' })).toEqual(['endsAt']);
    expect(refused({ startsAt: '1999-12-31T23:59:59Z' })).toEqual(['startsAt']);
    expect(refused({ startsAt: '2026-12-01' })).toEqual(['startsAt']);
    expect(refused({ startsAt: '2026-12-01T10:00:00' })).toEqual(['startsAt']);
    expect(refused({ startsAt: '2026-02-30T10:00:00Z' })).toEqual(['startsAt']);
    expect(refused({ startsAt: '2026-W48-1' })).toEqual(['startsAt']);
    expect(refused({ startsAt: '2026-11-30T24:00:00Z' })).toEqual(['startsAt']);
    expect(refused({ startsAt: '2026-11-30T10:00:00.123456+05:30' })).toEqual([]);
    expect(refused({ endsAt: campaign.startsAt })).toEqual(['endsAt']);
    expect(refused({ endsAt: at(-2 * DAY_MS) })).toEqual(['endsAt']);
  });

  it('refuses an updatedAt ahead of the clock by more than the allowed skew (it would freeze the campaign)', () => {
    expect(refused({ updatedAt: at(60_000) })).toEqual([]);
    expect(refused({ updatedAt: at(DAY_MS) })).toEqual(['updatedAt']);
  });
});

describe('CampaignV1 revision 2: money budget and template category (optional, backward compatible)', () => {
  it('still accepts a revision 1 campaign (neither field)', () => {
    expect(refused({})).toEqual([]);
  });

  it('accepts a money budget in an ISO currency and a template category', () => {
    expect(refused({ budgetMoney: { amount: 12.5, currency: 'USD' }, template: { ...campaign.template, category: 'utility' } })).toEqual(
      [],
    );
  });

  it.each([
    [{ amount: 0, currency: 'USD' }, 'budgetMoney.amount'],
    [{ amount: 1e10, currency: 'USD' }, 'budgetMoney.amount'],
    [{ amount: 1.0000001, currency: 'USD' }, 'budgetMoney.amount'],
    [{ amount: 5, currency: 'usd' }, 'budgetMoney.currency'],
  ])('refuses the money budget %j', (budgetMoney, field) => {
    expect(refused({ budgetMoney })).toEqual([field]);
  });

  it('refuses a category Meta does not have', () => {
    expect(refused({ template: { ...campaign.template, category: 'promotion' } })).toEqual(['template.category']);
  });
});

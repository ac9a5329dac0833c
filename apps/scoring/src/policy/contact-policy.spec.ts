import { campaignFixture, policyFixture as policy } from '../testing/fixtures';
import { EMPTY_HISTORY, type MessagingHistory } from '../relevance/features';
import { holdoutBucket, isQuietHours, quietHoursEnd, SlotLedger } from './contact-policy';

describe('holdout', () => {
  it('is the same bucket for the same campaign and person, and differs across campaigns', () => {
    expect(holdoutBucket('c1', 'a'.repeat(64))).toBe(holdoutBucket('c1', 'a'.repeat(64)));
    expect(holdoutBucket('c1', 'a'.repeat(64))).not.toBe(holdoutBucket('c2', 'a'.repeat(64)));
    const buckets = Array.from({ length: 2000 }, (_, i) => holdoutBucket('c1', String(i)));
    expect(Math.min(...buckets)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...buckets)).toBeLessThan(1);
    expect(buckets.filter((b) => b < 0.1).length).toBeGreaterThan(150);
    expect(buckets.filter((b) => b < 0.1).length).toBeLessThan(250);
  });
});

describe('quiet hours', () => {
  it("ends at the person's next local morning (a send is scheduled for it), across midnight and in half-hour zones", () => {
    expect(quietHoursEnd(new Date('2026-06-01T19:30:12Z'), 'Europe/Paris', policy).toISOString()).toBe('2026-06-02T06:00:00.000Z'); // 21:30 CEST -> 08:00
    expect(quietHoursEnd(new Date('2026-06-01T03:10:00Z'), 'Europe/Paris', policy).toISOString()).toBe('2026-06-01T06:00:00.000Z'); // 05:10 CEST -> 08:00
    expect(quietHoursEnd(new Date('2026-06-01T20:00:00Z'), 'Asia/Kolkata', policy).toISOString()).toBe('2026-06-02T02:30:00.000Z'); // 01:30 IST -> 08:00
    expect(quietHoursEnd(new Date('2026-06-01T23:00:00Z'), 'Not/AZone', policy).toISOString()).toBe('2026-06-02T08:00:00.000Z'); // falls back to UTC
  });

  it('wraps over midnight in local time; an unknown zone falls back', () => {
    expect(isQuietHours(new Date('2026-06-01T19:30:00Z'), 'Europe/Paris', policy)).toBe(true); // 21:30 CEST
    expect(isQuietHours(new Date('2026-06-01T18:30:00Z'), 'Europe/Paris', policy)).toBe(false); // 20:30 CEST
    expect(isQuietHours(new Date('2026-06-01T05:59:00Z'), 'Europe/Paris', policy)).toBe(true); // 07:59 CEST
    expect(isQuietHours(new Date('2026-06-01T06:00:00Z'), 'Europe/Paris', policy)).toBe(false); // 08:00 CEST
    expect(isQuietHours(new Date('2026-06-01T12:00:00Z'), 'Asia/Kolkata', policy)).toBe(false); // 17:30
    expect(isQuietHours(new Date('2026-06-01T23:00:00Z'), 'Not/AZone', policy)).toBe(true); // falls back to UTC 23:00
    expect(isQuietHours(new Date('2026-06-01T23:00:00Z'), undefined, { ...policy, quietStartHour: 0, quietEndHour: 0 })).toBe(false);
  });
});

describe('SlotLedger', () => {
  const acme = campaignFixture({ businessId: 'acme' });
  const globex = campaignFixture({ campaignId: 'g', businessId: 'globex' });
  const history = (h: Partial<MessagingHistory>) => new Map([['p', { ...EMPTY_HISTORY, ...h }]]);

  it('caps messages per business per week (the campaign may ask for fewer)', () => {
    const capped = new SlotLedger(history({ byBusiness: { acme: { sentLastDay: 0, sentLastWeek: 2 } } }), policy);
    expect(capped.blocker('p', acme)).toBe('frequency_capped');
    expect(capped.blocker('p', globex)).toBeUndefined();
    const strict = new SlotLedger(history({ byBusiness: { acme: { sentLastDay: 0, sentLastWeek: 1 } } }), policy);
    expect(strict.blocker('p', { ...acme, maxMessagesPerPersonPerWeek: 1 })).toBe('frequency_capped');
  });

  it('caps messages across businesses per day: the next campaign is outcompeted', () => {
    const ledger = new SlotLedger(history({ sentLastDay: 1 }), policy);
    expect(ledger.blocker('p', acme)).toBeUndefined();
    ledger.take('p', 'acme');
    expect(ledger.blocker('p', globex)).toBe('outcompeted');
    expect(new SlotLedger(history({ sentLastDay: 2 }), policy).blocker('p', globex)).toBe('frequency_capped');
  });
});

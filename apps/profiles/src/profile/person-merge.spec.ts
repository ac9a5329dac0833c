import { emptyProfile } from './profile-state';
import { type ConsentChoice, mergeConsents, mergedProfileBase } from './person-merge';

const at = (day: number) => new Date(Date.UTC(2026, 11, day));
const choice = (businessId: string, status: ConsentChoice['status'], day: number, source = 's'): ConsentChoice => ({
  purpose: 'whatsapp_marketing',
  businessId,
  status,
  occurredAt: at(day),
  source,
});

describe('mergeConsents: a BSUID-only person merged into a number’s person never widens a consent', () => {
  it('a revocation on either side wins, even against a later grant on the other side', () => {
    expect(mergeConsents([choice('acme', 'revoked', 1)], [choice('acme', 'granted', 5)])).toEqual([choice('acme', 'revoked', 1)]);
    expect(mergeConsents([choice('acme', 'granted', 5)], [choice('acme', 'revoked', 1)])).toEqual([choice('acme', 'revoked', 1)]);
  });

  it('keeps the latest of two alike choices, and what only one side holds', () => {
    const merged = mergeConsents(
      [choice('acme', 'revoked', 3, 'stop'), choice('bistro', 'revoked', 2)],
      [choice('acme', 'revoked', 1, 'api'), choice('cafe', 'granted', 4)],
    );
    expect(merged).toEqual([choice('acme', 'revoked', 3, 'stop'), choice('bistro', 'revoked', 2), choice('cafe', 'granted', 4)]);
    expect(mergeConsents([choice('acme', 'granted', 1)], [choice('acme', 'granted', 2)])).toEqual([choice('acme', 'granted', 2)]);
  });

  it('keeps purposes apart', () => {
    const profiling: ConsentChoice = { ...choice('', 'granted', 1), purpose: 'cross_app_profiling' };
    expect(mergeConsents([choice('', 'revoked', 2)], [profiling])).toHaveLength(2);
  });
});

describe('mergedProfileBase', () => {
  it('keeps the number’s contact, fills country and time zone, keeps each service window to its later end', () => {
    const from = { ...emptyProfile('f'.repeat(64)), contact: 'sealed-bsuid', country: 'FR', timeZone: 'Europe/Paris' };
    from.serviceWindows = { '1001': '2026-12-07T12:00:00.000Z', '1002': '2026-12-07T09:00:00.000Z' };
    const into = { ...emptyProfile('i'.repeat(64)), contact: 'sealed-phone', serviceWindows: { '1002': '2026-12-07T10:00:00.000Z' } };
    expect(mergedProfileBase(from, into)).toMatchObject({
      personId: into.personId,
      contact: 'sealed-phone',
      country: 'FR',
      timeZone: 'Europe/Paris',
      serviceWindows: { '1001': '2026-12-07T12:00:00.000Z', '1002': '2026-12-07T10:00:00.000Z' },
    });
  });
});

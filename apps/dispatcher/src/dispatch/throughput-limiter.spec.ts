import { busiestWindow } from '@wt/simulation';
import { type DataSource } from 'typeorm';
import { scheduleMarginMs, ThroughputLimiter } from './throughput-limiter';

/** A fake of the two statements the limiter runs: rows per number, the same GCRA arithmetic, in memory. */
function fakeDatabase(clock: () => number): DataSource {
  const tat = new Map<string, number>();
  return {
    query: async (sql: string, params: unknown[]) => {
      if (sql.trimStart().startsWith('INSERT')) {
        for (const id of params[0] as string[]) if (!tat.has(id)) tat.set(id, clock());
        return [];
      }
      const [ids, advances] = params as [string[], number[]];
      const rows = ids.map((id, i) => {
        const next = Math.max(tat.get(id) ?? 0, clock()) + (advances[i] as number);
        tat.set(id, next);
        return { phone_number_id: id, tat_ms: String(next), now_ms: String(clock()) };
      });
      return [rows, rows.length];
    },
  } as unknown as DataSource;
}

describe('ThroughputLimiter', () => {
  it('spaces the sends of one number so that no sliding second holds more than the rate, across callers', async () => {
    const now = Date.now();
    const limiter = new ThroughputLimiter(fakeDatabase(() => now));
    // Two "replicas" reserving in turn share one schedule.
    const slots = [
      ...(await limiter.reserve('pn1', 50, 80, 25)),
      ...(await limiter.reserve('pn1', 50, 80, 25)),
      ...(await limiter.reserve('pn1', 60, 80, 25)),
    ];
    expect(busiestWindow(slots)).toBeLessThanOrEqual(80);
    expect(busiestWindow(slots)).toBeGreaterThanOrEqual(78);
    expect(new Set(slots).size).toBe(160);
  });

  it('gives each number its own schedule', async () => {
    const now = Date.now();
    const limiter = new ThroughputLimiter(fakeDatabase(() => now));
    const a = await limiter.reserve('a', 1, 10, 0);
    const b = await limiter.reserve('b', 1, 10, 0);
    expect(a[0]).toBeCloseTo(b[0] as number, -1);
  });

  it('books every number of a claim in one round trip, each on its own schedule', async () => {
    const limiter = new ThroughputLimiter(fakeDatabase(() => Date.now()));
    const first = await limiter.reserveMany(
      new Map([
        ['a', 20],
        ['b', 10],
      ]),
      80,
      30,
    );
    const second = await limiter.reserveMany(
      new Map([
        ['a', 20],
        ['b', 10],
      ]),
      80,
      30,
    );
    const a = [...(first.get('a') ?? []), ...(second.get('a') ?? [])];
    const b = [...(first.get('b') ?? []), ...(second.get('b') ?? [])];
    expect(a).toHaveLength(40);
    expect(b).toHaveLength(20);
    // One schedule per number, evenly spaced (1030 / 80 ms) across the two reservations.
    for (const slots of [a, b])
      for (let i = 1; i < slots.length; i++) expect((slots[i] as number) - (slots[i - 1] as number)).toBeCloseTo(1030 / 80, 6);
    expect(Math.abs((b[0] as number) - (a[0] as number))).toBeLessThan(50);
  });

  it("keeps the margin per send above Meta's standard 80/s: 1,000/s gets 995/s of slots, not 980, and never less margin than the guard's", async () => {
    expect(scheduleMarginMs(80, 20)).toBe(20);
    expect(scheduleMarginMs(40, 20)).toBe(20);
    expect(scheduleMarginMs(200, 20)).toBe(8);
    expect(scheduleMarginMs(1000, 20)).toBe(5);
    // A margin set below the guard's stays as set.
    expect(scheduleMarginMs(1000, 2)).toBe(2);
    const limiter = new ThroughputLimiter(fakeDatabase(() => 0));
    const slots = await limiter.reserve('fast', 1000, 1000, 20);
    expect((slots[999] as number) - (slots[0] as number)).toBeCloseTo((999 * 1005) / 1000, 2);
    expect(busiestWindow(slots)).toBeLessThanOrEqual(1000);
  });

  it('never hands out a slot closer than one interval after its last one, when a quicker reply lowers the clock-offset estimate', async () => {
    let latency = 30; // the first reply is slow: the database's clock seems 30 ms behind
    const tat = new Map<string, number>();
    const limiter = new ThroughputLimiter({
      query: async (sql: string, params: unknown[]) => {
        if (sql.trimStart().startsWith('INSERT')) return [];
        const [ids, advances] = params as [string[], number[]];
        const dbNow = Date.now() - latency;
        const rows = ids.map((id, i) => {
          const next = Math.max(tat.get(id) ?? 0, dbNow) + (advances[i] as number);
          tat.set(id, next);
          return { phone_number_id: id, tat_ms: String(next), now_ms: String(dbNow) };
        });
        return [rows, rows.length];
      },
    } as unknown as DataSource);
    const first = (await limiter.reserveMany(new Map([['a', 10]]), 80, 40)).get('a') ?? [];
    latency = 0; // a quick reply: the estimate drops by 30 ms
    const second = (await limiter.reserveMany(new Map([['a', 10]]), 80, 40)).get('a') ?? [];
    const all = [...first, ...second];
    for (let i = 1; i < all.length; i++) expect((all[i] as number) - (all[i - 1] as number)).toBeGreaterThanOrEqual(1040 / 80 - 1e-6);
  });

  it('answers concurrent reservations in the order the database made them: no two slots of a number closer than one interval', async () => {
    // The database answers in its own order, the replies arrive shuffled.
    const database = fakeDatabase(() => Date.now());
    const query = database.query.bind(database);
    const shuffled = {
      query: async (sql: string, params: unknown[]) => {
        const rows: unknown = await query(sql, params);
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 10));
        return rows;
      },
    } as unknown as DataSource;
    const limiter = new ThroughputLimiter(shuffled);
    const results = await Promise.all(Array.from({ length: 6 }, () => limiter.reserveMany(new Map([['a', 5]]), 80, 40)));
    const all = results.flatMap((r) => r.get('a') ?? []).sort((x, y) => x - y);
    expect(all).toHaveLength(30);
    for (let i = 1; i < all.length; i++) expect((all[i] as number) - (all[i - 1] as number)).toBeGreaterThanOrEqual(1040 / 80 - 1e-6);
  });
});

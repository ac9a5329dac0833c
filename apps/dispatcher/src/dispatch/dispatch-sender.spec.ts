import { type ContactSealer } from '@wt/identity';
import { type KafkaPublisher } from '@wt/kafka';
import { ReadinessRegistry } from '@wt/observability';
import { classifyWhatsAppError, type SendOptions, type SendResult, type WhatsAppCloudClient } from '@wt/whatsapp';
import { type DataSource } from 'typeorm';
import { DispatcherConfig } from '../dispatcher.config';
import { ledgerRow } from './ledger-rows.fixture';
import { type DispatchLedger, type LedgerRow } from './dispatch-ledger';
import { DispatchSender } from './dispatch-sender.service';
import { type NumberStates } from './number-states';
import { type SendLease } from './send-lease';
import { CATCH_UP_MS } from './send-pacer';
import { type RecordedOutcome } from './send-consequence';
import { SendOutcomes } from './send-outcomes';
import { type ThroughputLimiter } from './throughput-limiter';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const row = (i: number): LedgerRow =>
  ledgerRow('100', `d${i}`, {
    personId: String(i).padStart(64, '0'),
    message: { kind: 'template', contact: `sealed-${i}`, templateName: 't', language: 'en', bodyParameters: [] },
  });

/**
 * The pipeline with everything outside it faked (Postgres, the vault, Meta, Kafka): what is
 * checked is when it calls Meta relative to the slots the limiter hands out, and how it writes.
 */
function pipeline(
  rows: LedgerRow[],
  slotsFor: (call: number, count: number) => number[],
  settings: Partial<DispatcherConfig> = {},
  answerAfterMs = 0,
  firstWriteWaitsFor?: () => boolean,
  answerOf: (decisionId: string, call: number) => SendResult = (decisionId) => ({
    kind: 'accepted',
    wamid: `wamid.${decisionId}`,
    waId: '',
  }),
) {
  const calls: { decisionId: string; at: number; endpoint?: string }[] = [];
  const recorded: { decisionId: string; outcome: RecordedOutcome }[] = [];
  const acceptedWrites: string[][] = [];
  const reservations: number[] = [];
  let claimed = false;
  const ledger = {
    claimDue: async () => {
      if (claimed) return { sending: [], skipped: [] };
      claimed = true;
      return { sending: rows, skipped: [] };
    },
    acceptedMany: async (sends: { decisionId: string }[]) => {
      // A slow first write (as Postgres under load): what is accepted meanwhile waits for the next flush.
      if (acceptedWrites.length === 0 && firstWriteWaitsFor) await until(firstWriteWaitsFor);
      acceptedWrites.push(sends.map((s) => s.decisionId));
    },
    release: async () => undefined,
    resolveTimeouts: async () => [],
  } as unknown as DispatchLedger;
  const limiter = {
    reserveMany: async (counts: Map<string, number>) => {
      const count = counts.get('100') ?? 0;
      reservations.push(count);
      return new Map([['100', slotsFor(reservations.length, count)]]);
    },
    delayed: () => undefined,
  } as unknown as ThroughputLimiter;
  const client = {
    sendTemplate: async (_number: string, _to: string, _template: unknown, decisionId: string, options?: SendOptions) => {
      calls.push({ decisionId, at: Date.now(), endpoint: options?.endpoint });
      if (answerAfterMs > 0) await sleep(answerAfterMs);
      return answerOf(decisionId, calls.filter((c) => c.decisionId === decisionId).length);
    },
  } as unknown as WhatsAppCloudClient;
  const vaultCalls: number[] = [];
  const sealer = {
    openAll: async (sealed: string[]) => {
      vaultCalls.push(sealed.length);
      return sealed.map(() => ({ ok: true, e164: '+4915112345678' }));
    },
  } as unknown as ContactSealer;
  const publisher = { publishAll: async () => undefined } as unknown as KafkaPublisher;
  const dataSource = { query: async () => [] } as unknown as DataSource;
  const config = Object.assign(new DispatcherConfig(), {
    SENDER_POLL_MS: 20,
    SLOT_TOLERANCE_MS: 10,
    LEDGER_FLUSH_MS: 25,
    ...settings,
  });
  const outcomes = {
    fingerprint: 'f',
    policy: {
      ...new SendOutcomes({} as DispatchLedger, sealer, Object.assign(new DispatcherConfig(), { WHATSAPP_ACCESS_TOKEN: 't' })).policy,
    },
    record: async (row: LedgerRow, outcome: RecordedOutcome) => {
      recorded.push({ decisionId: row.decisionId, outcome });
    },
  } as unknown as SendOutcomes;
  // One replica holding the lease of number 100, at the configured rate.
  const numbers = { rateOf: () => config.WHATSAPP_MPS, isUnusable: () => false, refresh: async () => undefined } as unknown as NumberStates;
  // How long each release asks the next holder to wait (ms; 0: one window).
  const releases: number[] = [];
  const lease = {
    acquire: async () => ['100'],
    allows: () => true,
    release: async (_numbers?: readonly string[], quietMs = 0) => void releases.push(quietMs),
  } as unknown as SendLease;
  const sender = new DispatchSender(
    ledger,
    outcomes,
    limiter,
    client,
    sealer,
    publisher,
    dataSource,
    config,
    new ReadinessRegistry(),
    numbers,
    lease,
  );
  return { sender, calls, acceptedWrites, reservations, vaultCalls, recorded, releases };
}

/** Waits until `done` holds (or 3 s): a loaded machine may delay the timers, never the order. */
async function until(done: () => boolean): Promise<void> {
  for (let waited = 0; !done() && waited < 3000; waited += 20) await sleep(20);
}

describe('DispatchSender', () => {
  it('calls Meta at each slot, never before it, and writes the accepted sends in batches', async () => {
    const slots = new Map<string, number>();
    const { sender, calls, acceptedWrites } = pipeline(
      [row(1), row(2), row(3)],
      (_call, count) => {
        const first = Date.now() + 50;
        return Array.from({ length: count }, (_, i) => first + i * 15);
      },
      {},
      0,
      // Deterministic on a loaded machine: the sends that Meta accepts while a write is under way
      // are written together by the next one (one flush at a time), however late the timers fire.
      () => calls.length === 3,
    );
    const recordSlots = (sender as unknown as { schedule: { add(item: { row: LedgerRow; slot: number }): void } }).schedule;
    const add = recordSlots.add.bind(recordSlots);
    recordSlots.add = (item) => {
      slots.set(item.row.decisionId, item.slot);
      add(item);
    };
    sender.onApplicationBootstrap();
    await until(() => acceptedWrites.flat().length === 3);
    await sender.beforeApplicationShutdown();
    expect(calls.map((c) => c.decisionId).sort()).toEqual(['d1', 'd2', 'd3']);
    for (const call of calls) expect(call.at).toBeGreaterThanOrEqual(slots.get(call.decisionId) as number);
    expect(acceptedWrites.flat().sort()).toEqual(['d1', 'd2', 'd3']);
    expect(acceptedWrites.length).toBeLessThan(3);
  });

  it('opens the contacts of a whole claim in one vault round trip when it books them, not one per slot', async () => {
    const rows = [1, 2, 3, 4, 5, 6].map(row);
    let bookedAt: number | undefined;
    const { sender, calls, vaultCalls } = pipeline(rows, (_call, count) => {
      bookedAt ??= Date.now();
      return Array.from({ length: count }, (_, i) => Date.now() + 20 + i * 15);
    });
    sender.onApplicationBootstrap();
    await until(() => calls.length === rows.length);
    await sender.beforeApplicationShutdown();
    expect(calls.map((c) => c.decisionId).sort()).toEqual(['d1', 'd2', 'd3', 'd4', 'd5', 'd6']);
    // All six opened at the booking; one is opened again only if its call came more than a second
    // later (a timer very late on a loaded machine), when the contact is no longer fresh enough.
    expect(vaultCalls[0]).toBe(6);
    const reopened = vaultCalls.slice(1).reduce((a, b) => a + b, 0);
    // (900: the vault was asked a little before the booking this test sees.)
    expect(reopened).toBeLessThanOrEqual(calls.filter((c) => c.at - (bookedAt ?? 0) > 900).length);
  });

  it('a send whose slot passed (a late timer) goes at once under the admission guard, without booking another slot', async () => {
    const { sender, calls, reservations } = pipeline([row(1)], () => [Date.now() - 100]); // as if the timer had fired 100 ms late
    sender.onApplicationBootstrap();
    await until(() => calls.length === 1);
    await sender.beforeApplicationShutdown();
    expect(calls.map((c) => c.decisionId)).toEqual(['d1']);
    // One reservation, the claim's: the late send cost no round trip and left no slot unused.
    expect(reservations).toEqual([1]);
  });

  it('a number further behind than CATCH_UP_MS has its schedule moved later as a whole, keeping its spacing, and no slot is booked again', async () => {
    let bookedAt = 0;
    const { sender, calls, reservations } = pipeline([1, 2, 3].map(row), (_call, count) => {
      bookedAt = Date.now();
      // As if the pacer's timer had fired 300 ms late: every slot passed.
      return Array.from({ length: count }, (_, i) => bookedAt - 300 + i * 10);
    });
    const items: { row: LedgerRow; slot: number }[] = [];
    const schedule = (sender as unknown as { schedule: { add(item: { row: LedgerRow; slot: number }): void } }).schedule;
    const add = schedule.add.bind(schedule);
    schedule.add = (item) => {
      items.push(item);
      add(item);
    };
    sender.onApplicationBootstrap();
    await until(() => calls.length === 3);
    await sender.beforeApplicationShutdown();
    expect(calls.map((c) => c.decisionId).sort()).toEqual(['d1', 'd2', 'd3']);
    expect(reservations).toEqual([3]);
    // The slots as the pacer last moved them: CATCH_UP_MS behind the first look at most (the late
    // sends then go as the guard lets them), the spacing kept.
    const slots = items.map((item) => item.slot);
    expect(slots[0]).toBeGreaterThanOrEqual(bookedAt - CATCH_UP_MS);
    expect([(slots[1] as number) - (slots[0] as number), (slots[2] as number) - (slots[1] as number)]).toEqual([10, 10]);
    for (const call of calls)
      expect(call.at).toBeGreaterThanOrEqual(items.find((item) => item.row.decisionId === call.decisionId)?.slot as number);
  });

  it("holds a send while the number's requests answered within the last second make the rate, and makes it once later", async () => {
    // Slots far too close for a rate of 3 per second (as if the schedule had been bunched by a stall).
    const { sender, calls, acceptedWrites, reservations } = pipeline(
      [1, 2, 3, 4, 5].map(row),
      (_call, count) => Array.from({ length: count }, (_, i) => Date.now() + 20 + i * 5),
      { WHATSAPP_MPS: 3 },
      30,
    );
    sender.onApplicationBootstrap();
    await until(() => acceptedWrites.flat().length === 5);
    await sender.beforeApplicationShutdown();
    expect(calls.map((c) => c.decisionId).sort()).toEqual(['d1', 'd2', 'd3', 'd4', 'd5']);
    expect(acceptedWrites.flat().sort()).toEqual(['d1', 'd2', 'd3', 'd4', 'd5']);
    const starts = calls.map((c) => c.at).sort((a, b) => a - b);
    // The fourth waited for the first answers (30 ms) to be a second old.
    expect((starts[3] as number) - (starts[0] as number)).toBeGreaterThanOrEqual(1030);
    // It waited in the replica's queue: no slot booked again.
    expect(reservations).toEqual([5]);
  });

  it('a replica stopping after a call given up on a timeout (provoked on purpose) hands its number over only once Meta can no longer count that request', async () => {
    const { sender, calls, recorded, releases } = pipeline(
      [row(1)],
      (_call, count) => Array.from({ length: count }, () => Date.now()),
      { WHATSAPP_TIMEOUT_MS: 60_000 },
      0,
      undefined,
      () => ({ kind: 'unknown', reason: 'timeout', detail: 'no answer within the call timeout (provoked on purpose)' }),
    );
    sender.onApplicationBootstrap();
    await until(() => recorded.length === 1);
    await sender.beforeApplicationShutdown();
    expect(calls).toHaveLength(1);
    // Given up a moment ago (however long a busy machine took to stop) and held for one more call
    // timeout (60 s), then Meta's second and the margin: far more than the one window of a plain hand-over.
    expect(releases).toHaveLength(1);
    expect(releases[0]).toBeGreaterThan(30_000);
    expect(releases[0]).toBeLessThanOrEqual(60_000 + 1005);
  });

  it('hands every answer but an acceptance to one place, once: sent again from its queue when nothing left, written with the batch when accepted', async () => {
    const answers: Record<string, SendResult> = {
      d2: { kind: 'rejected', httpStatus: 400, code: 130429, title: 'Rate limit hit', category: classifyWhatsAppError(130429) },
      d3: { kind: 'unknown', reason: 'timeout', detail: 'no answer' },
    };
    const { sender, calls, acceptedWrites, recorded } = pipeline(
      [1, 2, 3, 4].map(row),
      (_call, count) => Array.from({ length: count }, (_, i) => Date.now() + 20 + i * 15),
      {},
      0,
      undefined,
      (decisionId, call) =>
        answers[decisionId] ??
        (decisionId === 'd4' && call === 1 ? { kind: 'late' } : { kind: 'accepted', wamid: `wamid.${decisionId}`, waId: '' }),
    );
    sender.onApplicationBootstrap();
    await until(() => acceptedWrites.flat().length === 2 && recorded.length === 2);
    await sender.beforeApplicationShutdown();
    expect(acceptedWrites.flat().sort()).toEqual(['d1', 'd4']);
    // d4 found no connection in time: nothing was written at Meta, it went again (and nothing was recorded for it).
    expect(calls.filter((c) => c.decisionId === 'd4')).toHaveLength(2);
    expect(recorded.sort((a, b) => a.decisionId.localeCompare(b.decisionId))).toEqual([
      {
        decisionId: 'd2',
        outcome: expect.objectContaining({ action: 'refused', code: 130429, consequence: expect.objectContaining({ action: 'retry' }) }),
      },
      { decisionId: 'd3', outcome: { action: 'in-doubt', reason: 'timeout' } },
    ]);
  });

  it('a template the Marketing Messages API refused as not synced (131009) goes through the Cloud API, still when that call found no connection in time', async () => {
    const notSynced: SendResult = {
      kind: 'rejected',
      httpStatus: 400,
      code: 131009,
      title: 'not synced',
      category: classifyWhatsAppError(131009),
    };
    const { sender, calls, acceptedWrites } = pipeline(
      [row(1)],
      () => [Date.now() + 20],
      { WHATSAPP_MM_API_NUMBERS: '100', MM_API_FALLBACK: 'cloud_api' },
      0,
      undefined,
      (decisionId, call) =>
        call === 1 ? notSynced : call === 2 ? { kind: 'late' } : { kind: 'accepted', wamid: `wamid.${decisionId}`, waId: '' },
    );
    sender.onApplicationBootstrap();
    await until(() => acceptedWrites.flat().length === 1);
    await sender.beforeApplicationShutdown();
    expect(calls.map((c) => c.endpoint)).toEqual(['marketing_messages', 'messages', 'messages']);
    expect(acceptedWrites.flat()).toEqual(['d1']);
  });
});

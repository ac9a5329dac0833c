import { busiestWindow, mulberry32, seededStalls } from '@wt/simulation';
import { ledgerRow } from './ledger-rows.fixture';
import { type AdmissionTicket, SendAdmission } from './send-admission';
import { CATCH_UP_MS, catchUpMsAt, LOOK_MS, lookAtSchedule, type PacerLimits, SENDS_PER_LOOK } from './send-pacer';
import { SendSchedule } from './send-schedule';
import { scheduleMarginMs } from './throughput-limiter';

const row = (phoneNumberId: string, i: number) => ledgerRow(phoneNumberId, `${phoneNumberId}-${i}`);

interface Run {
  seed: number;
  seconds: number;
  /** Messages per second Meta allows each number. */
  rate: number;
  numbers: number;
  /** Stalls of the sender (a GC pause, a busy event loop: its timers fire late) and of Meta, per second and how long at most. */
  senderStalls: [perSecond: number, maxMs: number];
  metaStalls: [perSecond: number, maxMs: number];
  /** The sender's time to start one send (its event loop does nothing else meanwhile). */
  sendCostMs: number;
  /** How late the pacer's timer fires at most (a busy event loop), beside the stalls. */
  timerLateMs: number;
  limits?: PacerLimits;
}

const STEP_MS = 0.25;
/** The sender's defaults: booked up to CLAIM_AHEAD_MS ahead, a quarter second of the rate at a time, THROUGHPUT_MARGIN_MS. */
const CLAIM_AHEAD_MS = 200;
const MARGIN_MS = 20;
const CONCURRENCY = 128;

/**
 * Numbers with more messages than they can send, in simulated time (STEP_MS steps), through the
 * real schedule, pacer and admission guard: each number's slots booked (GCRA, as the limiter books
 * them) up to CLAIM_AHEAD_MS ahead, the pacer looking at the earliest slot LOOK_MS after its last
 * look at the soonest (at once after a full look), its timer firing late by up to `timerLateMs`, and late by a whole stall
 * when the sender stalls (answers arriving meanwhile are read when it ends). Meta stamps each
 * request when its handler gets it (a request arriving during one of Meta's stalls when that
 * ends), then answers it. Returns each number's stamps.
 */
function simulate(run: Run): Map<string, number[]> {
  const random = mulberry32(run.seed);
  const end = run.seconds * 1000;
  const senderStalled = seededStalls(random, end, ...run.senderStalls);
  const metaStalled = seededStalls(random, end, ...run.metaStalls);
  const schedule = new SendSchedule();
  const admission = new SendAdmission(run.rate);
  const intervalMs = (1000 + scheduleMarginMs(run.rate, MARGIN_MS)) / run.rate;
  const numbers = Array.from({ length: run.numbers }, (_, i) => `pn${i}`);
  const tat = new Map(numbers.map((n) => [n, 0]));
  const booked = new Map(numbers.map((n) => [n, 0]));
  const stamps = new Map(numbers.map((n): [string, number[]] => [n, []]));
  const inFlight: { ticket: AdmissionTicket; answeredAt: number }[] = [];
  let lastLook = -Infinity;
  let lookAt = 0;
  let busyUntil = 0;
  for (let t = 0; t < end; t += STEP_MS) {
    if (t < busyUntil || senderStalled(t) !== undefined) continue;
    for (let i = inFlight.length - 1; i >= 0; i--) {
      const request = inFlight[i] as { ticket: AdmissionTicket; answeredAt: number };
      if (request.answeredAt <= t) {
        admission.settle(request.ticket, t);
        inFlight.splice(i, 1);
      }
    }
    // The claim loop: a quarter second of the rate booked when a number's slots reach less than CLAIM_AHEAD_MS ahead.
    for (const number of numbers) {
      const next = tat.get(number) as number;
      if (next >= t + CLAIM_AHEAD_MS) continue;
      let slot = Math.max(next, t);
      const count = Math.max(1, Math.floor(run.rate / 4));
      for (let i = 0; i < count; i++, slot += intervalMs) {
        const n = (booked.get(number) as number) + 1;
        booked.set(number, n);
        schedule.add({ row: row(number, n), slot });
      }
      tat.set(number, slot);
    }
    if (t < lookAt) continue;
    lastLook = t;
    const look = lookAtSchedule(schedule, admission, t, t, CONCURRENCY - inFlight.length, run.limits);
    // The limiter's `delayed`: the number's next reservation starts after its moved slots.
    for (const { phoneNumberId, delayMs } of look.moved) tat.set(phoneNumberId, (tat.get(phoneNumberId) as number) + delayMs);
    for (const [i, { item, ticket }] of look.ready.entries()) {
      const toMeta = (i + 1) * run.sendCostMs + random() * 1.5;
      const stamp = metaStalled(t + toMeta) ?? t + toMeta;
      stamps.get(item.row.phoneNumberId)?.push(stamp);
      inFlight.push({ ticket, answeredAt: stamp + 0.3 + random() * 2 });
    }
    busyUntil = t + look.ready.length * run.sendCostMs;
    const earliest = schedule.earliest() ?? Infinity;
    lookAt = (look.full ? t : Math.max(earliest, lastLook + LOOK_MS)) + random() * run.timerLateMs;
  }
  return stamps;
}

/** Each number's stamps per second, as a share of the rate; and the busiest sliding second of any number. */
function figures(run: Run): { ratios: number[]; busiest: number } {
  const stamps = [...simulate(run).values()];
  return {
    ratios: stamps.map((s) => s.length / run.seconds / run.rate),
    busiest: Math.max(...stamps.map((s) => busiestWindow(s))),
  };
}

// A loaded machine: the sender's timers fire up to 10 ms late, and it stalls three times a second up to 60 ms; Meta once up to 30 ms.
const loaded = { senderStalls: [3, 60], metaStalls: [1, 30], sendCostMs: 0.3, timerLateMs: 10 } satisfies Partial<Run>;
/** Barely catching up (10 ms, the slot tolerance): every longer stall moves the number's schedule later (the pacer at 80/s, and before at any rate). */
const noCatchUp: PacerLimits = { catchUpMs: () => catchUpMsAt(80, 80, 10), perLook: SENDS_PER_LOOK };

describe('the pacer (lookAtSchedule) on a simulated clock', () => {
  it('keeps a number upgraded to 1,000/s at 97 % of its rate or more under stalls, never over its rate in any sliding second', () => {
    for (let seed = 1; seed <= 4; seed++) {
      const run: Run = { seed, seconds: 20, rate: 1000, numbers: 1, ...loaded };
      const { ratios, busiest } = figures(run);
      expect(ratios[0]).toBeGreaterThanOrEqual(0.97);
      expect(busiest).toBeLessThanOrEqual(1000);
      // The same stalls without catching up lose what each stall costs.
      expect(figures({ ...run, limits: noCatchUp }).ratios[0]).toBeLessThan((ratios[0] as number) - 0.03);
    }
  });

  it('lets 15 numbers at 80/s run only the slot tolerance behind (not worth a burst of 15 catching up): each within its rate under the same stalls', () => {
    expect(catchUpMsAt(1000, 80, 10)).toBe(CATCH_UP_MS);
    expect(catchUpMsAt(80, 80, 10)).toBe(10);
    for (let seed = 1; seed <= 2; seed++) {
      const { ratios, busiest } = figures({ seed, seconds: 20, rate: 80, numbers: 15, ...loaded, limits: noCatchUp });
      expect(Math.min(...ratios)).toBeGreaterThanOrEqual(0.9);
      expect(busiest).toBeLessThanOrEqual(80);
    }
  });

  it('on a quiet machine sends 1,000/s at the schedule (995/s: its margin) and 80/s at 98 %', () => {
    const quiet = { senderStalls: [0, 0], metaStalls: [0, 0], sendCostMs: 0.1, timerLateMs: 1 } satisfies Partial<Run>;
    expect(figures({ seed: 1, seconds: 10, rate: 1000, numbers: 1, ...quiet }).ratios[0]).toBeGreaterThanOrEqual(0.985);
    expect(figures({ seed: 1, seconds: 10, rate: 80, numbers: 1, ...quiet }).ratios[0]).toBeGreaterThanOrEqual(0.975);
  });

  it('lets a late number catch up within CATCH_UP_MS, at most SENDS_PER_LOOK a look and as the guard admits; further behind, moves it later', () => {
    const schedule = new SendSchedule();
    const admission = new SendAdmission(30);
    // 40 sends 1 ms apart, booked from 0: at 250 the number is 250 ms behind.
    for (let i = 0; i < 40; i++) schedule.add({ row: row('a', i), slot: i });
    const first = lookAtSchedule(schedule, admission, 250, 250, 100);
    expect(first.moved).toEqual([expect.objectContaining({ phoneNumberId: 'a', delayMs: 250 - CATCH_UP_MS })]);
    expect(first.ready.map((r) => r.item.slot)).toEqual(Array.from({ length: SENDS_PER_LOOK }, (_, i) => 150 + i));
    expect(first.full).toBe(true);
    // The next look: 14 more (the guard's 30), then it holds the number.
    const second = lookAtSchedule(schedule, admission, 250 + LOOK_MS, 250 + LOOK_MS, 100);
    expect(second.moved).toEqual([]);
    expect(second.ready).toHaveLength(30 - SENDS_PER_LOOK);
    expect(second.missed.map((m) => m.why)).toEqual(['held']);
    expect(second.full).toBe(false);
    // No free call: nothing starts.
    const third = lookAtSchedule(schedule, new SendAdmission(30), 260, 260, 0);
    expect(third.ready).toEqual([]);
    expect(third.missed.map((m) => m.why)).toEqual(['concurrency']);
  });
});

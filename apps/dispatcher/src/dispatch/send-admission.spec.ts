import { busiestWindow, mulberry32, seededStalls } from '@wt/simulation';
import { type AdmissionTicket, SendAdmission } from './send-admission';

/** Who decides whether a send may start: the guard, or (to show the test bites) nobody. */
interface Gate {
  admit(id: string, now: number): AdmissionTicket | undefined;
  settle(ticket: AdmissionTicket, at: number): void;
}

interface Run {
  seed: number;
  seconds: number;
  /** Time between two attempts of the sender (its schedule); a held attempt is not made again, its message waits for a later one. */
  intervalMs: number;
  /** Milliseconds from the start of a request to Meta's handler, and from there to our receipt. */
  latencyMs: (rnd: () => number) => [number, number];
  /** Stalls per second on either side (GC, a busy event loop), each up to `stallMaxMs`. */
  stallsPerSecond: number;
  stallMaxMs: number;
}

/**
 * One business number in simulated time (0.5 ms steps): a sender attempting a send at every
 * schedule tick (a stalled sender catches up with every tick it missed at once), Meta stamping
 * each request somewhere between its start and our receipt of its answer. Meta stalls (a request
 * arriving meanwhile is handled when the stall ends, with whatever came before it) and the sender
 * stalls (no attempts; answers that arrive meanwhile are read when it ends).
 */
function simulate(gate: Gate, run: Run) {
  const rnd = mulberry32(run.seed);
  const step = 0.5;
  const end = run.seconds * 1000;
  const metaStalled = seededStalls(rnd, end, run.stallsPerSecond, run.stallMaxMs);
  const senderStalled = seededStalls(rnd, end, run.stallsPerSecond, run.stallMaxMs);

  const inFlight: { ticket: AdmissionTicket; answeredAt: number }[] = [];
  const stamps: number[] = [];
  let nextAttempt = 0;
  let attempts = 0;
  let held = 0;
  for (let t = 0; t < end; t += step) {
    if (senderStalled(t) !== undefined) continue;
    // Answers that have arrived are read (late, after a stall of ours).
    for (let i = inFlight.length - 1; i >= 0; i -= 1) {
      const request = inFlight[i] as { ticket: AdmissionTicket; answeredAt: number };
      if (request.answeredAt <= t) {
        gate.settle(request.ticket, t);
        inFlight.splice(i, 1);
      }
    }
    while (nextAttempt <= t) {
      nextAttempt += run.intervalMs;
      attempts += 1;
      const ticket = gate.admit('pn', t);
      if (!ticket) {
        held += 1;
        continue;
      }
      const [toMeta, back] = run.latencyMs(rnd);
      let handled = t + toMeta;
      const stall = metaStalled(handled);
      if (stall !== undefined) handled = stall + rnd() * 0.5;
      const answeredAt = handled + back;
      // Meta's stamp: at its handler most of the time, anywhere within [start, answer] otherwise.
      const pick = rnd();
      stamps.push(pick < 0.5 ? handled : pick < 0.75 ? answeredAt : t + rnd() * (answeredAt - t));
      inFlight.push({ ticket, answeredAt });
    }
  }
  return { stamps, attempts, held, admittedPerSecond: stamps.length / run.seconds };
}

const LIMIT = 80;
/** The GCRA schedule's spacing with its default 40 ms margin. */
const SCHEDULE_MS = (1000 + 40) / LIMIT;
const normalLatency = (rnd: () => number): [number, number] => [1 + rnd() * 4, 1 + rnd() * 10];

describe('SendAdmission', () => {
  it('never lets Meta stamp more than the limit in any sliding second, whatever the latencies and stalls', () => {
    const runs: Omit<Run, 'seed'>[] = [
      // The schedule's pace with frequent stalls on both sides, up to half a second.
      { seconds: 60, intervalMs: SCHEDULE_MS, latencyMs: normalLatency, stallsPerSecond: 2, stallMaxMs: 500 },
      // A sender trying twice the rate (no schedule at all): the guard alone holds the line.
      { seconds: 60, intervalMs: 1000 / (2 * LIMIT), latencyMs: normalLatency, stallsPerSecond: 1, stallMaxMs: 300 },
      // Slow, scattered answers.
      {
        seconds: 60,
        intervalMs: SCHEDULE_MS,
        latencyMs: (rnd) => [rnd() * 150, rnd() < 0.05 ? rnd() * 2000 : rnd() * 60],
        stallsPerSecond: 0.5,
        stallMaxMs: 1200,
      },
    ];
    for (const [i, run] of runs.entries()) {
      for (let seed = 1; seed <= 6; seed += 1) {
        const result = simulate(new SendAdmission(LIMIT, 0), { ...run, seed: seed * 101 + i });
        expect(result.stamps.length).toBeGreaterThan(run.seconds * LIMIT * 0.5);
        expect(busiestWindow(result.stamps)).toBeLessThanOrEqual(LIMIT);
      }
    }
  });

  it('the same sender without the guard is rejected: the stalls do bunch the stamps', () => {
    const open: Gate = { admit: (id) => ({ phoneNumberId: id, open: true }), settle: () => undefined };
    const result = simulate(open, {
      seed: 7,
      seconds: 60,
      intervalMs: SCHEDULE_MS,
      latencyMs: normalLatency,
      stallsPerSecond: 2,
      stallMaxMs: 500,
    });
    expect(busiestWindow(result.stamps)).toBeGreaterThan(LIMIT);
  });

  it('at normal latency holds back none of the schedule, and alone still admits 95 % of the limit', () => {
    for (let seed = 1; seed <= 5; seed += 1) {
      const paced = simulate(new SendAdmission(LIMIT), {
        seed,
        seconds: 30,
        intervalMs: SCHEDULE_MS,
        latencyMs: normalLatency,
        stallsPerSecond: 0,
        stallMaxMs: 0,
      });
      expect(paced.held).toBe(0);
      expect(paced.admittedPerSecond).toBeGreaterThanOrEqual(0.95 * LIMIT);

      // Attempts every half millisecond: the guard is the only limit.
      const eager = simulate(new SendAdmission(LIMIT), {
        seed,
        seconds: 30,
        intervalMs: 0.5,
        latencyMs: normalLatency,
        stallsPerSecond: 0,
        stallMaxMs: 0,
      });
      expect(eager.admittedPerSecond).toBeGreaterThanOrEqual(0.95 * LIMIT);
      expect(eager.admittedPerSecond).toBeLessThanOrEqual(LIMIT);
    }
  });

  it('counts a request until its answer is a window (and the margin) old, and one without an answer until it is given up', () => {
    const guard = new SendAdmission(2, 5);
    const a = guard.admit('pn', 0);
    const b = guard.admit('pn', 10);
    expect(a && b).toBeTruthy();
    expect(guard.admit('pn', 20)).toBeUndefined();
    // `a` answered at 30: it still counts up to 30 + 1000 + 5.
    guard.settle(a as AdmissionTicket, 30);
    expect(guard.admit('pn', 1034.9)).toBeUndefined();
    expect(guard.counted('pn', 1034.9)).toBe(2);
    // `b` never answered (a timeout): in flight until given up at 10,010.
    const c = guard.admit('pn', 1035.5);
    expect(c).toBeTruthy();
    expect(guard.admit('pn', 9000)).toBeUndefined();
    guard.settle(c as AdmissionTicket, 1040);
    guard.settle(b as AdmissionTicket, 10_010);
    expect(guard.counted('pn', 10_010)).toBe(1);
    expect(guard.admit('pn', 10_010)).toBeTruthy();
    // Settling twice counts once.
    guard.settle(b as AdmissionTicket, 10_020);
    expect(guard.counted('pn', 10_020)).toBe(2);
  });

  it('counts a request given up without an answer (abandoned) for its hold too, in case Meta handles it late', () => {
    const guard = new SendAdmission(1, 5);
    const a = guard.admit('pn', 0) as AdmissionTicket;
    // Given up at 10,000 (a timeout), held 10,000 more: it counts until 20,000 + 1,000 + 5.
    guard.abandon(a, 10_000, 10_000);
    expect(guard.admit('pn', 15_000)).toBeUndefined();
    expect(guard.counted('pn', 21_004)).toBe(1);
    expect(guard.admit('pn', 21_006)).toBeTruthy();
  });

  it('says how long until none of its requests counts: the last answer plus the window, or an abandoned one plus its hold', () => {
    const guard = new SendAdmission(10, 5);
    expect(guard.quietMs(0)).toBe(0);
    const a = guard.admit('pn', 0) as AdmissionTicket;
    guard.settle(a, 100);
    expect(guard.quietMs(600)).toBe(505);
    expect(guard.quietMs(2_000)).toBe(0);
    const b = guard.admit('other', 2_000) as AdmissionTicket;
    // Given up at 10,000 (a timeout), held 8,000 more: Meta may count it until 18,000 + 1,000 + 5.
    guard.abandon(b, 10_000, 8_000);
    expect(guard.quietMs(10_000)).toBe(9_005);
  });

  it('forgets a request that was never written, and keeps the numbers apart', () => {
    const guard = new SendAdmission(1);
    const a = guard.admit('pn', 0) as AdmissionTicket;
    expect(guard.admit('pn', 1)).toBeUndefined();
    expect(guard.admit('other', 1)).toBeTruthy();
    guard.cancel(a);
    expect(guard.counted('pn', 2)).toBe(0);
    expect(guard.admit('pn', 2)).toBeTruthy();
  });
});

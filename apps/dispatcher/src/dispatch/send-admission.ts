/**
 * Meta counts a send in its sliding second at some instant between the moment we start the request
 * and the moment its answer reaches us: it is never later than our receipt of the answer, whatever
 * either side's clock says or however long either process stalled. Spacing the starts evenly (the
 * GCRA schedule) is not enough on its own: a stall in the sender after the request left, or at
 * Meta, bunches on-time requests, and Meta may stamp more than its rate within one second (130429).
 *
 * This guard closes that gap for the sends of one process. A send of a number may start at `a`
 * only if fewer than `limit` of the number's earlier requests are still unanswered or were
 * answered after `a - window - margin`. Take any window of Meta's one second and the last request
 * k admitted among those it stamped there: every other request j stamped there was admitted
 * before k, and its answer came at or after its stamp, which is within the window, hence after
 * `a_k - window`; so j was counted when k was admitted, and the window holds at most `limit`.
 *
 * It needs no clock in common with Meta, only this process's monotonic clock (`performance.now()`
 * in the sender; times here are passed in). Normally it costs nothing beyond the schedule's own
 * margin: the guard holds back only when the round trip plus `marginMs` exceeds the schedule's
 * spare time per second (it admits at most about `limit / (1 + (latency + margin) / window)` per
 * second). During a stall the answers come late, so it throttles exactly when bunching is possible.
 *
 * A request with no answer (timeout, dropped connection) counts as in flight until the caller
 * gives up on it, then as answered at that moment, or, `abandon`ed, as answered `holdMs` later:
 * Meta (or a stalled sandbox) may still handle a request it received after we gave up on it, and
 * would stamp it in a second the guard no longer watches. A request that was never written (nothing
 * reached Meta) is `cancel`led.
 */
/** The guard's margin on top of Meta's second (ms): the difference in rate between our clock and Meta's, and the rounding of its timestamps. */
export const ADMISSION_MARGIN_MS = 5;

export class SendAdmission {
  private readonly numbers = new Map<string, NumberState>();

  /**
   * @param limit Meta's throughput per number (or a function of the number): at most this many stamps in any sliding `windowMs`.
   * @param marginMs Added to the window, for the difference in rate between our clock and Meta's
   *   and the rounding of its timestamps.
   */
  private readonly limitOf: (phoneNumberId: string) => number;

  constructor(
    limit: number | ((phoneNumberId: string) => number),
    private readonly marginMs = ADMISSION_MARGIN_MS,
    private readonly windowMs = 1000,
  ) {
    this.limitOf = typeof limit === 'number' ? () => limit : limit;
  }

  /**
   * Admits a send of `phoneNumberId` starting now (monotonic ms) if the number's recent requests
   * leave room; the ticket must be settled or cancelled. Undefined: the send must not start now.
   * The caller must take `now` at or before the moment the request is written.
   */
  admit(phoneNumberId: string, now: number): AdmissionTicket | undefined {
    let state = this.numbers.get(phoneNumberId);
    if (!state) {
      state = { inFlight: 0, answered: [], head: 0, abandoned: [] };
      this.numbers.set(phoneNumberId, state);
    }
    this.forget(state, now);
    if (state.inFlight + state.answered.length - state.head + state.abandoned.length >= this.limitOf(phoneNumberId)) return undefined;
    state.inFlight++;
    return { phoneNumberId, open: true };
  }

  /** The request's answer arrived (or the caller gave up on it) at `at`: it counts until `at + window + margin`. */
  settle(ticket: AdmissionTicket, at: number): void {
    const state = this.close(ticket);
    if (!state) return;
    // Answers are settled in time order on a monotonic clock; a caller's `at` a little older than
    // the last one still keeps the list sorted enough, as the later time is kept.
    const last = state.answered[state.answered.length - 1];
    state.answered.push(last !== undefined && last > at ? last : at);
  }

  /**
   * Given up at `at` without an answer (a timeout): it counts as if answered at `at + holdMs`, in
   * case Meta handles it that late. Kept apart from the answers, whose order `settle` relies on.
   */
  abandon(ticket: AdmissionTicket, at: number, holdMs: number): void {
    const state = this.close(ticket);
    if (state) state.abandoned.push(at + holdMs);
  }

  /** The request was never written (nothing reached Meta): it stops counting. */
  cancel(ticket: AdmissionTicket): void {
    this.close(ticket);
  }

  /** How many more sends of the number would be admitted now. */
  room(phoneNumberId: string, now: number): number {
    return this.limitOf(phoneNumberId) - this.counted(phoneNumberId, now);
  }

  /** Requests of the number that count now (in flight, or answered within the window and margin). */
  counted(phoneNumberId: string, now: number): number {
    const state = this.numbers.get(phoneNumberId);
    if (!state) return 0;
    this.forget(state, now);
    return state.inFlight + state.answered.length - state.head + state.abandoned.length;
  }

  /**
   * How long from `now` until no request of this process counts any more, for any number: the
   * last answer's window and margin, or an abandoned request's hold and then its window. For a
   * replica handing its numbers over once its calls are done (none in flight): the next sender must
   * wait this long, which is more than one window after a timeout.
   */
  quietMs(now: number): number {
    let until = now;
    for (const state of this.numbers.values()) {
      this.forget(state, now);
      const lastAnswer = state.head < state.answered.length ? state.answered[state.answered.length - 1] : undefined;
      for (const at of [...state.abandoned, ...(lastAnswer === undefined ? [] : [lastAnswer])])
        until = Math.max(until, at + this.windowMs + this.marginMs);
    }
    return until - now;
  }

  /** Numbers with requests that count now (in flight, or answered within the window and margin). */
  active(now: number): string[] {
    return [...this.numbers.keys()].filter((id) => this.counted(id, now) > 0);
  }

  private close(ticket: AdmissionTicket): NumberState | undefined {
    if (!ticket.open) return undefined;
    ticket.open = false;
    const state = this.numbers.get(ticket.phoneNumberId);
    if (state) state.inFlight--;
    return state;
  }

  /** Drops the answers that came at or before `now - window - margin`. */
  private forget(state: NumberState, now: number): void {
    const before = now - this.windowMs - this.marginMs;
    while (state.head < state.answered.length && (state.answered[state.head] as number) <= before) state.head++;
    if (state.abandoned.length > 0) state.abandoned = state.abandoned.filter((at) => at > before);
    if (state.head > 1024 && state.head * 2 > state.answered.length) {
      state.answered = state.answered.slice(state.head);
      state.head = 0;
    }
  }
}

/** One admitted send; settled (answered or given up) or cancelled (never written) exactly once. */
export interface AdmissionTicket {
  readonly phoneNumberId: string;
  open: boolean;
}

interface NumberState {
  /** Admitted, not yet settled or cancelled. */
  inFlight: number;
  /** Answer times, ascending, from `head` on (earlier entries are forgotten). */
  answered: number[];
  head: number;
  /** Times until which abandoned requests count as answered (few: timeouts). */
  abandoned: number[];
}

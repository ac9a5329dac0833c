import { type AdmissionTicket, type SendAdmission } from './send-admission';
import { type Scheduled, type SendSchedule } from './send-schedule';

/**
 * How far a number may run behind its schedule (ms). A send whose slot passed (a late timer, a
 * stall, the guard holding) goes as soon as the admission guard lets it: the number makes up the
 * time instead of losing it, and the guard keeps what Meta counts within the rate in any second.
 * A number further behind has its schedule moved later, to this far behind.
 */
export const CATCH_UP_MS = 100;
/**
 * How far a number at `rate` may run behind its schedule: CATCH_UP_MS above Meta's standard rate
 * (a number upgraded to 1,000/s loses a send per millisecond of a stall otherwise); at the standard
 * rate and below, `slotToleranceMs`: many numbers catching up at once after each stall of a busy
 * process overload it (and Meta, or the sandbox) more than the few slots they would make up.
 */
export function catchUpMsAt(rate: number, standardRate: number, slotToleranceMs: number): number {
  return rate > standardRate ? CATCH_UP_MS : slotToleranceMs;
}

/** How often the pacer looks for due sends (ms). */
export const LOOK_MS = 4;
/**
 * Sends started at most per look, so that a look stays short (answers are read between two looks):
 * the others go at the next, in slot order, which comes at once (a busy process looks less often).
 */
export const SENDS_PER_LOOK = 16;

export type PacerMiss = 'held' | 'concurrency';

/** What one look of the pacer decided. */
export interface PacerLook {
  /** Sends to start now, earliest slot first, each with its admission ticket. */
  ready: { item: Scheduled; ticket: AdmissionTicket }[];
  /** Numbers that were more than `catchUpMs` behind: their schedule moved later by `delayMs`. */
  moved: { phoneNumberId: string; delayMs: number; first: Scheduled }[];
  /** Due sends that could not start: the guard held them, or no call was free (the first of each number). */
  missed: { item: Scheduled; why: PacerMiss }[];
  /** The look started its share (`perLook`): more may be due, the next look comes at once. */
  full: boolean;
}

export interface PacerLimits {
  /** How far a number may run behind (ms). */
  catchUpMs: (phoneNumberId: string) => number;
  perLook: number;
}

/**
 * One look of the pacer at `now` (`Date.now()` ms; `monotonic`, the admission guard's clock, at the
 * same moment), with `freeCalls` calls free: a number more than `catchUpMs` behind moves later to
 * that far behind; then the due sends, earliest slot first across the numbers, at most `perLook`,
 * each as the admission guard admits it (a number held gives no more this look). Pure bookkeeping:
 * the caller starts the ready sends and looks again at once if the look was `full`, else at the
 * earliest slot, `LOOK_MS` after this look at the soonest (a send held waits at most that long).
 */
export function lookAtSchedule(
  schedule: SendSchedule,
  admission: SendAdmission,
  now: number,
  monotonic: number,
  freeCalls: number,
  limits: PacerLimits = { catchUpMs: () => CATCH_UP_MS, perLook: SENDS_PER_LOOK },
): PacerLook {
  const moved = schedule.slideLate(now, limits.catchUpMs);
  const ready: PacerLook['ready'] = [];
  const missed: PacerLook['missed'] = [];
  schedule.takeDue(now, limits.perLook, (item) => {
    if (ready.length >= freeCalls) {
      missed.push({ item, why: 'concurrency' });
      return false;
    }
    // Taken now, before the contact is opened and the request written: Meta's stamp comes later.
    const ticket = admission.admit(item.row.phoneNumberId, monotonic);
    if (!ticket) {
      missed.push({ item, why: 'held' });
      return false;
    }
    ready.push({ item, ticket });
    return true;
  });
  return { ready, moved, missed, full: ready.length >= limits.perLook };
}

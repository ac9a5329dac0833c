import { type OpenedContact } from '@wt/identity';
import { type LedgerRow } from './dispatch-ledger';

/** A claimed send and its slot (when to call Meta, `Date.now()` milliseconds). */
export interface Scheduled {
  row: LedgerRow;
  slot: number;
  /** When this replica claimed it (`Date.now()` ms, taken before the claim statement). */
  claimedAt?: number;
  /** Why it first could not go at its slot (counted once), if it could not. */
  missed?: string;
  /** Its contact, opened when it was booked, and when the vault was asked (`Date.now()` ms). */
  contact?: OpenedContact;
  openedAt?: number;
}

/** The claimed sends of one replica waiting for their slots, in slot order per business number. */
export class SendSchedule {
  private readonly byNumber = new Map<string, Scheduled[]>();

  add(item: Scheduled): void {
    const queue = this.byNumber.get(item.row.phoneNumberId);
    if (!queue) {
      this.byNumber.set(item.row.phoneNumberId, [item]);
      return;
    }
    // Slots mostly come in order: insert from the end.
    let i = queue.length;
    while (i > 0 && (queue[i - 1] as Scheduled).slot > item.slot) i--;
    queue.splice(i, 0, item);
  }

  /** The earliest slot waiting, if any. */
  earliest(): number | undefined {
    let earliest: number | undefined;
    for (const queue of this.byNumber.values()) {
      const first = queue[0];
      if (first && (earliest === undefined || first.slot < earliest)) earliest = first.slot;
    }
    return earliest;
  }

  /**
   * Removes and returns up to `max` sends whose slot is at or before `now`, earliest slot first
   * across the numbers (in slot order per number), each if `admit` lets it go: a number whose send
   * it refuses keeps that send first in line and gives no more this time.
   */
  takeDue(now: number, max = Infinity, admit: (item: Scheduled) => boolean = () => true): Scheduled[] {
    const taken: Scheduled[] = [];
    const refused = new Set<string>();
    while (taken.length < max) {
      let next: Scheduled | undefined;
      for (const [number, queue] of this.byNumber) {
        const first = queue[0];
        if (first && first.slot <= now && !refused.has(number) && (!next || first.slot < next.slot)) next = first;
      }
      if (!next) break;
      const number = next.row.phoneNumberId;
      if (!admit(next)) {
        refused.add(number);
        continue;
      }
      const queue = this.byNumber.get(number) as Scheduled[];
      taken.push(queue.shift() as Scheduled);
      if (queue.length === 0) this.byNumber.delete(number);
    }
    return taken;
  }

  /**
   * Moves every waiting send of a number whose first slot passed more than `behindMs` ago later by
   * the difference, so that the number is `behindMs` behind its schedule and its sends keep their
   * spacing: it catches up that far, and a longer stall delays its schedule instead of bunching its
   * sends. Returns the numbers moved, by how much.
   */
  slideLate(now: number, behindMs: (phoneNumberId: string) => number): { phoneNumberId: string; delayMs: number; first: Scheduled }[] {
    const moved: { phoneNumberId: string; delayMs: number; first: Scheduled }[] = [];
    for (const [phoneNumberId, queue] of this.byNumber) {
      const first = queue[0];
      const allowed = behindMs(phoneNumberId);
      if (!first || now - first.slot <= allowed) continue;
      const delayMs = now - first.slot - allowed;
      for (const item of queue) item.slot += delayMs;
      moved.push({ phoneNumberId, delayMs, first });
    }
    return moved;
  }

  /** Removes and returns the sends claimed before `time`. */
  takeClaimedBefore(time: number): Scheduled[] {
    const taken: Scheduled[] = [];
    for (const [number, queue] of this.byNumber) {
      const old = (item: Scheduled) => item.claimedAt !== undefined && item.claimedAt < time;
      if (!queue.some(old)) continue;
      taken.push(...queue.filter(old));
      const kept = queue.filter((item) => !old(item));
      if (kept.length > 0) this.byNumber.set(number, kept);
      else this.byNumber.delete(number);
    }
    return taken;
  }

  /** Numbers with at least `min(number)` sends waiting. */
  numbersHolding(min: (phoneNumberId: string) => number): string[] {
    return [...this.byNumber].filter(([number, queue]) => queue.length >= min(number)).map(([number]) => number);
  }

  /** Numbers whose booked sends already reach `until` or later. */
  numbersBookedBeyond(until: number): string[] {
    const numbers: string[] = [];
    for (const [number, queue] of this.byNumber) {
      const last = queue[queue.length - 1];
      if (last && last.slot >= until) numbers.push(number);
    }
    return numbers;
  }

  /** Removes and returns everything waiting for one number. */
  takeNumber(phoneNumberId: string): Scheduled[] {
    const queue = this.byNumber.get(phoneNumberId) ?? [];
    this.byNumber.delete(phoneNumberId);
    return queue;
  }

  /** Numbers with sends waiting. */
  numbers(): string[] {
    return [...this.byNumber.keys()];
  }

  /** Removes and returns everything waiting. */
  drain(): Scheduled[] {
    const all = [...this.byNumber.values()].flat();
    this.byNumber.clear();
    return all;
  }

  get size(): number {
    let size = 0;
    for (const queue of this.byNumber.values()) size += queue.length;
    return size;
  }
}

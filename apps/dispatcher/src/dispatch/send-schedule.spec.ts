import { ledgerRow } from './ledger-rows.fixture';
import { type Scheduled, SendSchedule } from './send-schedule';

describe('SendSchedule', () => {
  it('hands out due sends in slot order per number, whatever the order they were booked in', () => {
    const schedule = new SendSchedule();
    schedule.add({ row: ledgerRow('a', 'a2'), slot: 20 });
    schedule.add({ row: ledgerRow('a', 'a1'), slot: 10 });
    schedule.add({ row: ledgerRow('b', 'b1'), slot: 15 });
    schedule.add({ row: ledgerRow('a', 'a3'), slot: 30 });
    expect(schedule.earliest()).toBe(10);
    expect(schedule.takeDue(9)).toEqual([]);
    expect(
      schedule
        .takeDue(20)
        .map((s) => s.row.decisionId)
        .sort(),
    ).toEqual(['a1', 'a2', 'b1']);
    expect(schedule.earliest()).toBe(30);
    expect(schedule.size).toBe(1);
  });

  it('says which numbers already have sends booked far enough ahead', () => {
    const schedule = new SendSchedule();
    schedule.add({ row: ledgerRow('a', 'a1'), slot: 100 });
    schedule.add({ row: ledgerRow('a', 'a2'), slot: 300 });
    schedule.add({ row: ledgerRow('b', 'b1'), slot: 150 });
    expect(schedule.numbersBookedBeyond(200)).toEqual(['a']);
    expect(schedule.numbersBookedBeyond(400)).toEqual([]);
  });

  it('moves a number further behind than allowed later as a whole, keeping its spacing, and leaves a number within it alone', () => {
    const schedule = new SendSchedule();
    schedule.add({ row: ledgerRow('a', 'a1'), slot: 100 });
    schedule.add({ row: ledgerRow('a', 'a2'), slot: 110 });
    schedule.add({ row: ledgerRow('b', 'b1'), slot: 170 });
    // 30 ms behind at most: a is 100 behind (moved 70 later), b 30 (left alone, it catches up).
    const moved = schedule.slideLate(200, () => 30);
    expect(moved.map((m) => [m.phoneNumberId, m.delayMs, m.first.row.decisionId])).toEqual([['a', 70, 'a1']]);
    expect(schedule.takeDue(200).map((s) => [s.row.decisionId, s.slot])).toEqual([
      ['a1', 170],
      ['b1', 170],
      ['a2', 180],
    ]);
  });

  it('takes due sends earliest first across the numbers, at most `max`, and no more of a number once one of its sends is refused', () => {
    const schedule = new SendSchedule();
    for (const [number, id, slot] of [
      ['a', 'a1', 100],
      ['a', 'a2', 103],
      ['a', 'a3', 104],
      ['b', 'b1', 101],
      ['b', 'b2', 102],
      ['c', 'c1', 250],
    ] as const)
      schedule.add({ row: ledgerRow(number, id), slot });
    expect(schedule.takeDue(200, 3).map((s) => s.row.decisionId)).toEqual(['a1', 'b1', 'b2']);
    const asked: string[] = [];
    const refuseA2 = (item: Scheduled) => (asked.push(item.row.decisionId), item.row.decisionId !== 'a2');
    expect(schedule.takeDue(200, 10, refuseA2)).toEqual([]);
    expect(asked).toEqual(['a2']);
    expect(schedule.takeDue(200).map((s) => s.row.decisionId)).toEqual(['a2', 'a3']);
  });

  it('gives back the sends claimed before a time (too old to start), keeping the others in order', () => {
    const schedule = new SendSchedule();
    schedule.add({ row: ledgerRow('a', 'a1'), slot: 100, claimedAt: 10 });
    schedule.add({ row: ledgerRow('a', 'a2'), slot: 110, claimedAt: 50 });
    schedule.add({ row: ledgerRow('b', 'b1'), slot: 120, claimedAt: 10 });
    expect(
      schedule
        .takeClaimedBefore(20)
        .map((s) => s.row.decisionId)
        .sort(),
    ).toEqual(['a1', 'b1']);
    expect(schedule.numbers()).toEqual(['a']);
    expect(schedule.takeDue(200).map((s) => s.row.decisionId)).toEqual(['a2']);
  });

  it('drains everything (what a stopping replica gives back)', () => {
    const schedule = new SendSchedule();
    schedule.add({ row: ledgerRow('a', 'a1'), slot: 100 });
    schedule.add({ row: ledgerRow('b', 'b1'), slot: 150 });
    expect(
      schedule
        .drain()
        .map((s) => s.row.decisionId)
        .sort(),
    ).toEqual(['a1', 'b1']);
    expect(schedule.size).toBe(0);
    expect(schedule.earliest()).toBeUndefined();
  });
});

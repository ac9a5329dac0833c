import { type LedgerRow } from './dispatch-ledger';
import { SendSchedule } from './send-schedule';

const row = (phoneNumberId: string, decisionId: string): LedgerRow => ({
  decisionId,
  personId: 'p'.repeat(64),
  businessId: 'b',
  campaignId: 'c',
  phoneNumberId,
  kind: 'template',
  message: null,
  attempts: 1,
  marketingLimitRetries: 0,
});

describe('SendSchedule', () => {
  it('hands out due sends in slot order per number, whatever the order they were booked in', () => {
    const schedule = new SendSchedule();
    schedule.add({ row: row('a', 'a2'), slot: 20 });
    schedule.add({ row: row('a', 'a1'), slot: 10 });
    schedule.add({ row: row('b', 'b1'), slot: 15 });
    schedule.add({ row: row('a', 'a3'), slot: 30 });
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
    schedule.add({ row: row('a', 'a1'), slot: 100 });
    schedule.add({ row: row('a', 'a2'), slot: 300 });
    schedule.add({ row: row('b', 'b1'), slot: 150 });
    expect(schedule.numbersBookedBeyond(200)).toEqual(['a']);
    expect(schedule.numbersBookedBeyond(400)).toEqual([]);
  });

  it('drains everything (what a stopping replica gives back)', () => {
    const schedule = new SendSchedule();
    schedule.add({ row: row('a', 'a1'), slot: 100 });
    schedule.add({ row: row('b', 'b1'), slot: 150 });
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

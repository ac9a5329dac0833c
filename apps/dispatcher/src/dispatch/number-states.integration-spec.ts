import { randomUUID } from 'node:crypto';
import { migratedDatabase } from '../testing/migrated-database';
import { NumberStates } from './number-states';

/**
 * Every `messages` webhook remembers its number's account (NumberStates.remember) in the webhook's
 * transaction. A number already stored as named must not be locked: an upsert that changes nothing
 * still locks the row, and the webhooks of one number then ran one at a time, each holding a
 * connection of the pool while it waited (the fault run's dispatcher starved). On the real
 * Postgres, another transaction holds the number's row (as a webhook's would) while a second
 * `remember` runs with lock waits refused (`lock_timeout`): it must not need the lock at all.
 */
describe('dispatcher: remembering a number as it is stored takes no lock', () => {
  const run = randomUUID().slice(0, 8);
  let db: Awaited<ReturnType<typeof migratedDatabase>>;
  const number = { phoneNumberId: `7${Date.now()}`.slice(0, 15), wabaId: `waba-${run}`, display: '15550001234' };

  beforeAll(async () => {
    db = await migratedDatabase(`wt_it_number_states_${run}`);
    await db.source.transaction((manager) => NumberStates.remember(manager, [number]));
  });

  afterAll(() => db?.drop());

  it('the same account and display number again, while another transaction holds the row: no wait', async () => {
    const holder = db.source.createQueryRunner();
    await holder.connect();
    await holder.startTransaction();
    try {
      await holder.query(`SELECT 1 FROM phone_number_state WHERE phone_number_id = $1 FOR UPDATE`, [number.phoneNumberId]);
      const again = db.source.transaction(async (manager) => {
        await manager.query(`SET LOCAL lock_timeout = '2s'`);
        await NumberStates.remember(manager, [number, { ...number, display: undefined }]);
      });
      await expect(again).resolves.toBeUndefined();
    } finally {
      await holder.rollbackTransaction();
      await holder.release();
    }
  });

  it('a changed account is still written', async () => {
    await db.source.transaction((manager) => NumberStates.remember(manager, [{ ...number, wabaId: `waba-${run}-moved` }]));
    const rows = (await db.source.query(`SELECT waba_id, display_phone_number FROM phone_number_state WHERE phone_number_id = $1`, [
      number.phoneNumberId,
    ])) as { waba_id: string; display_phone_number: string }[];
    expect(rows).toEqual([{ waba_id: `waba-${run}-moved`, display_phone_number: number.display }]);
  });
});

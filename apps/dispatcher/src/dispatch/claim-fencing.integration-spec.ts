import { type ContactSealer } from '@wt/identity';
import { randomUUID } from 'node:crypto';
import { DispatcherConfig } from '../dispatcher.config';
import { migratedDatabase } from '../testing/migrated-database';
import { DispatchLedger, type LedgerRow, type QueuedSend } from './dispatch-ledger';
import { type RecordedOutcome } from './send-consequence';
import { OutcomeRecords, SendOutcomes } from './send-outcomes';

const SCOPE = { tokenFingerprint: 'fingerprint', portfolioWindowMs: 86_400_000 };
/** Meta's pair rate refusal: its consequence puts the send back to `pending`, to be sent again. */
const PAIR_RATE: RecordedOutcome = {
  action: 'refused',
  code: 131056,
  title: 'pair rate limit hit',
  consequence: { action: 'retry', delayMs: 0, marketingLimit: false },
  maintenance: false,
};
const GIVE_UP: RecordedOutcome = {
  action: 'refused',
  code: 131000,
  title: 'something went wrong',
  consequence: { action: 'give-up', reason: 'final' },
  maintenance: false,
};

/**
 * Zombies are fenced (issue 18, point 8), on the real Postgres, with the leases' and claims' times
 * set in the rows (no sleep racing a clock):
 * - the statement that hands sends over to a claim checks the number's send lease: a replica whose
 *   lease lapsed (it froze after taking it) or passed to another claims nothing;
 * - what the sender writes about its claim names the claim's epoch: once the other replica resolved
 *   the frozen claim (`unknown`, then `expired`, reported `failed`) or the send was claimed again, the
 *   woken replica's answer (a refusal that would send it again, a give-up, giving it back) changes nothing.
 */
describe('dispatcher: claims carry a fencing token (the send lease in the claim, an epoch after it)', () => {
  const run = randomUUID().slice(0, 8);
  const number = `5${Date.now()}`.slice(0, 15);
  let db: Awaited<ReturnType<typeof migratedDatabase>>;
  let ledger: DispatchLedger;
  let seq = 0;

  beforeAll(async () => {
    db = await migratedDatabase(`wt_it_claim_fencing_${run}`);
    ledger = new DispatchLedger(db.source);
  });

  afterAll(() => db?.drop());

  /** One new pending send of `number` (its own person, so the pair pace does not hold it). */
  const enqueue = async (): Promise<string> => {
    seq += 1;
    const send: QueuedSend = {
      decisionId: `fence-${run}-${seq}`,
      personId: String(seq).padStart(64, 'f'),
      businessId: `business-${run}`,
      campaignId: `campaign-${run}`,
      phoneNumberId: number,
      message: { kind: 'text', contact: 'sealed', text: 'hello' },
    };
    await ledger.enqueue([send]);
    return send.decisionId;
  };
  /** The number's lease, as the other replica or a lapse left it (the database's clock: `until` relative to now). */
  const leaseOf = (holder: string, untilSeconds: number) =>
    db.source.query(
      `INSERT INTO send_lease (phone_number_id, holder, until, quiet_after) VALUES ($1, $2, now() + $3 * interval '1 second', now())
       ON CONFLICT (phone_number_id) DO UPDATE SET holder = EXCLUDED.holder, until = EXCLUDED.until, quiet_after = EXCLUDED.quiet_after`,
      [number, holder, untilSeconds],
    );
  const claimAs = (holder: string) =>
    ledger.claimDue(10, 10, 0, SCOPE.tokenFingerprint, [], { numbers: [number], caps: new Map(), holder });
  const stateOf = async (id: string) =>
    (
      (await db.source.query(`SELECT state, claim_epoch FROM dispatch WHERE decision_id = $1`, [id])) as {
        state: string;
        claim_epoch: string;
      }[]
    )[0];
  /** The other replica's timeout resolution of a claim made long ago (its `claimed_at` moved back): `unknown`, then `expired`. */
  const resolvedByTheOther = async (id: string) => {
    await db.source.query(`UPDATE dispatch SET claimed_at = now() - interval '1 hour' WHERE decision_id = $1`, [id]);
    await ledger.resolveTimeouts(8_000, 60_000);
    await db.source.query(`UPDATE dispatch SET updated_at = now() - interval '1 hour' WHERE decision_id = $1`, [id]);
    const expired = await ledger.resolveTimeouts(8_000, 60_000);
    expect(expired.map((r) => r.decisionId)).toContain(id);
  };
  /** Claims the number's due sends as `holder` (its lease set alive first); the claim of `id`. */
  const claimed = async (holder: string, id: string): Promise<LedgerRow> => {
    await leaseOf(holder, 60);
    const { sending } = await claimAs(holder);
    const row = sending.find((r) => r.decisionId === id);
    if (!row) throw new Error(`${id} was not claimed by ${holder}`);
    return row;
  };

  afterEach(() => db.source.query(`UPDATE dispatch SET state = 'rejected' WHERE state IN ('pending', 'sending')`));

  it('claims nothing for a number whose lease passed to another replica, or lapsed', async () => {
    const id = await enqueue();
    await leaseOf('replica-b', 60);
    expect((await claimAs('replica-a')).sending).toEqual([]);
    // Its own lease, lapsed while it was frozen (it renewed it, then stopped before the claim).
    await leaseOf('replica-a', -1);
    expect((await claimAs('replica-a')).sending).toEqual([]);
    expect(await stateOf(id)).toEqual({ state: 'pending', claim_epoch: '0' });
    // Alive: claimed, under the first epoch.
    await leaseOf('replica-a', 60);
    expect((await claimAs('replica-a')).sending.map((r) => [r.decisionId, r.claimEpoch])).toEqual([[id, '1']]);
  });

  it("a frozen replica's late answer to a claim reported failed puts nothing back to be sent (a retrying refusal, a give-up, giving it back)", async () => {
    const id = await enqueue();
    const zombie = await claimed('replica-a', id);
    await resolvedByTheOther(id);
    // Woken: Meta's pair-rate refusal would send it again; a final refusal would report it anew.
    expect(await ledger.record(zombie, PAIR_RATE, SCOPE, undefined, zombie.claimEpoch)).toMatchObject({ written: false });
    expect(await stateOf(id)).toEqual({ state: 'expired', claim_epoch: '1' });
    expect(await ledger.record(zombie, GIVE_UP, SCOPE, undefined, zombie.claimEpoch)).toMatchObject({ written: false });
    await ledger.record(zombie, { action: 'later', delayMs: 0, code: null }, SCOPE, undefined, zombie.claimEpoch);
    await ledger.release([zombie]);
    expect(await stateOf(id)).toEqual({ state: 'expired', claim_epoch: '1' });
    // Through the sender's outcomes: no `rejected` status after the `failed` one either.
    const outcomes = new SendOutcomes(ledger, {} as ContactSealer, Object.assign(new DispatcherConfig(), { WHATSAPP_ACCESS_TOKEN: 't' }));
    const out = new OutcomeRecords();
    await outcomes.record(zombie, GIVE_UP, out);
    expect(out.statuses).toEqual([]);
    expect(await stateOf(id)).toEqual({ state: 'expired', claim_epoch: '1' });
    // A webhook's failed status (no claim) still applies whatever the state: Meta's word.
    await ledger.record(zombie, PAIR_RATE, SCOPE);
    expect((await stateOf(id))?.state).toBe('pending');
  });

  it("a send claimed again (a new epoch) is not the stale claim's: its answer and its release leave the new claim alone", async () => {
    const id = await enqueue();
    const zombie = await claimed('replica-a', id);
    // Given back (the lease passed on), then claimed by the other replica.
    await ledger.release([zombie]);
    const live = await claimed('replica-b', id);
    expect(live.claimEpoch).toBe('2');
    await ledger.record(zombie, { action: 'in-doubt', reason: 'timeout' }, SCOPE, undefined, zombie.claimEpoch);
    await ledger.record(zombie, PAIR_RATE, SCOPE, undefined, zombie.claimEpoch);
    await ledger.release([zombie]);
    expect(await stateOf(id)).toEqual({ state: 'sending', claim_epoch: '2' });
    // The live claim's own answer is written.
    expect(await ledger.record(live, PAIR_RATE, SCOPE, undefined, live.claimEpoch)).toMatchObject({ written: true });
    expect(await stateOf(id)).toEqual({ state: 'pending', claim_epoch: '2' });
  });
});

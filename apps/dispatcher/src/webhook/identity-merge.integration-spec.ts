import { type PersonMergeV1, Topic } from '@wt/contracts';
import { eventually } from '@wt/testing';
import { randomBytes, randomUUID } from 'node:crypto';
import { DispatcherTestBed } from '../testing/dispatcher-fixtures';

jest.setTimeout(180_000);

/**
 * Issue 17, point 2, on the real broker, the real Postgres, the built dispatcher and the sandbox:
 * a merge another service published on `internal.identity.merges.v1` (ingest, when a business's
 * event paired a BSUID with its number) moves the dispatcher's rows of the BSUID-only person to the
 * number's person, as a merge its own webhooks find does; a replay moves nothing more.
 */
describe('dispatcher: follows the identity merges other services publish', () => {
  const run = randomUUID().slice(0, 8);
  const phoneNumberId = `6${Date.now()}`.slice(0, 15);
  let bed: DispatcherTestBed;

  beforeAll(async () => {
    bed = await DispatcherTestBed.create(run, 'merges', { PAIR_INTERVAL_MS: '0', SENDER_POLL_MS: '50' }, { SANDBOX_PAIR_INTERVAL_MS: '0' });
    await bed.start();
  }, 400_000);

  afterAll(() => bed?.stop());

  const personOf = async (table: string, column: string, value: string): Promise<string[]> =>
    (await bed.db.pg.query(`SELECT person_id FROM ${table} WHERE ${column} = $1`, [value])).rows.map(
      (r: { person_id: string }) => r.person_id,
    );

  it("moves the BSUID-only person's dispatches and unreachability to the number's person, once", async () => {
    const bsuidOnly = randomBytes(32).toString('hex');
    const person = bed.driver.person();
    const decision = bed.driver.decision({ ...person, personId: bsuidOnly }, 'merged', phoneNumberId);
    await bed.driver.publishDecisions(decision);
    await bed.driver.ledgerUntil(decision.decisionId, 'delivered', (r) => r.statuses.includes('delivered'), 60_000);
    await bed.db.pg.query(
      `INSERT INTO unreachable_recipient (person_id, until, error_code) VALUES ($1, now() + interval '1 hour', 131026)`,
      [bsuidOnly],
    );

    const merge: PersonMergeV1 = {
      fromPersonId: bsuidOnly,
      intoPersonId: person.personId,
      via: 'bsuid',
      mergedAt: new Date().toISOString(),
    };
    await bed.driver.publishRecords(Topic.IdentityMergesV1, [{ key: person.personId, value: merge }]);
    await eventually('the dispatch moved to the number’s person', async () => {
      const [owner] = await personOf('dispatch', 'decision_id', decision.decisionId);
      return owner?.trim() === person.personId ? true : undefined;
    });
    expect((await personOf('unreachable_recipient', 'person_id', person.personId)).length).toBe(1);
    expect(await personOf('unreachable_recipient', 'person_id', bsuidOnly)).toEqual([]);

    // A replay (and the dispatcher's own merges coming back) changes nothing. Known to be handled once
    // a later merge on the same key (the same partition) is: another BSUID-only person's row moved.
    const marker = randomBytes(32).toString('hex');
    await bed.db.pg.query(
      `INSERT INTO unreachable_recipient (person_id, until, error_code) VALUES ($1, now() + interval '2 hours', 131026)`,
      [marker],
    );
    await bed.driver.publishRecords(Topic.IdentityMergesV1, [
      { key: person.personId, value: merge },
      { key: person.personId, value: { ...merge, fromPersonId: marker } },
    ]);
    await eventually('the later merge applied', async () =>
      (await personOf('unreachable_recipient', 'person_id', marker)).length === 0 ? true : undefined,
    );
    expect((await personOf('dispatch', 'decision_id', decision.decisionId)).map((p) => p.trim())).toEqual([person.personId]);
    // One row for the number's person, with the later of the two unreachability ends (the stricter).
    const { rows } = await bed.db.pg.query(
      `SELECT until > now() + interval '90 minutes' AS later FROM unreachable_recipient WHERE person_id = $1`,
      [person.personId],
    );
    expect(rows).toEqual([{ later: true }]);
  });
});

import { type INestApplication } from '@nestjs/common';
import { type ConsentNormalizedV1, type EngagementNormalizedV1, type InboundMessageV1, type PersonMergeV1, Topic } from '@wt/contracts';
import { KafkaPublisher } from '@wt/kafka';
import { eventually, testBrokers, TopicProbe } from '@wt/testing';
import { randomBytes, randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { runProfilesService } from '../testing/profiles-test-bed';

const run = randomUUID().slice(0, 8);
const personId = () => randomBytes(32).toString('hex');
const HOUR = 3_600_000;

/**
 * Issue 17, point 2 (follow-up): a person known only by a business-scoped user id (BSUID) turns out
 * to be the person of a number (a webhook carried both); the dispatcher publishes the merge on
 * `internal.identity.merges.v1` and profiles moves the consent ledger, the consents and the profile
 * to the number's person, widening no consent: a revocation on either side wins. The whole profiles
 * service on the real broker and the real Postgres, fed through Kafka as in production.
 */
describe('profiles: a BSUID-only person merged into the number’s person, on the real Postgres and Kafka', () => {
  let app: INestApplication;
  let dataSource: DataSource;
  let publisher: KafkaPublisher;
  let snapshots: TopicProbe<Topic.ProfileSnapshotsV1>;

  beforeAll(async () => {
    snapshots = await TopicProbe.start(testBrokers(), Topic.ProfileSnapshotsV1);
    app = await runProfilesService('merge', run, { RETENTION_PURGE_INTERVAL_SECONDS: String(7 * 86_400) });
    dataSource = app.get(DataSource);
    publisher = app.get(KafkaPublisher);
  }, 120_000);

  afterAll(async () => {
    await snapshots?.stop();
    await app?.close();
  });

  const ago = (ms: number) => new Date(Date.now() - ms).toISOString();
  const consent = (
    person: string,
    businessId: string,
    status: 'granted' | 'revoked',
    at: string,
    source = 'web-form',
  ): ConsentNormalizedV1 => ({
    personId: person,
    purpose: 'whatsapp_marketing',
    businessId,
    status,
    occurredAt: at,
    source,
  });
  const engagement = (person: string, n: number, businessId: string): EngagementNormalizedV1 => ({
    dedupeKey: `instagram:merge-${run}-${person.slice(0, 8)}-${n}`,
    personId: person,
    contact: 'v1.aaaa.bbbb.cccc',
    source: 'instagram',
    type: 'like',
    occurredAt: ago(HOUR - n * 1000),
    categories: ['running-shoes'],
    businessId,
    country: 'FR',
    ingestedAt: ago(HOUR - n * 1000),
  });
  const inbound = (person: string, phoneNumberId: string): InboundMessageV1 => ({
    wamid: `wamid.merge-${run}-${person.slice(0, 8)}`,
    personId: person,
    contact: 'v1.aaaa.bbbb.cccc',
    contactKind: 'bsuid',
    phoneNumberId,
    kind: 'text',
    text: 'hello',
    receivedAt: ago(60_000),
  });
  const states = async (person: string) =>
    (await dataSource.query(
      `SELECT business_id, status, source FROM consent_state WHERE person_id = $1 AND purpose = 'whatsapp_marketing' ORDER BY business_id`,
      [person],
    )) as { business_id: string; status: string; source: string }[];
  const count = async (table: string, person: string) =>
    Number(((await dataSource.query(`SELECT count(*)::int AS n FROM ${table} WHERE person_id = $1`, [person])) as { n: number }[])[0]?.n);

  it('moves the ledger, consents, days and service windows to the number’s person; a revocation on either side wins; replays change nothing', async () => {
    const bsuidOnly = personId();
    const number = personId();
    const [acme, bistro, cafe, deli] = ['acme', 'bistro', 'cafe', 'deli'].map((b) => `${b}-${run}`) as [string, string, string, string];
    // The BSUID-only person typed STOP to acme and bistro; the number's person granted acme later, bistro earlier, and cafe.
    await publisher.publish(Topic.ConsentNormalizedV1, [
      { key: bsuidOnly, value: consent(bsuidOnly, acme, 'revoked', ago(5 * HOUR), 'whatsapp-reply') },
      { key: bsuidOnly, value: consent(bsuidOnly, bistro, 'revoked', ago(5 * HOUR), 'whatsapp-reply') },
      { key: bsuidOnly, value: consent(bsuidOnly, deli, 'granted', ago(5 * HOUR)) },
      { key: number, value: consent(number, acme, 'granted', ago(HOUR)) },
      { key: number, value: consent(number, bistro, 'granted', ago(9 * HOUR)) },
      { key: number, value: consent(number, cafe, 'granted', ago(HOUR)) },
      { key: number, value: consent(number, deli, 'revoked', ago(9 * HOUR)) },
    ]);
    await publisher.publish(Topic.EngagementNormalizedV1, [
      { key: bsuidOnly, value: engagement(bsuidOnly, 1, acme) },
      { key: bsuidOnly, value: engagement(bsuidOnly, 2, acme) },
      { key: number, value: engagement(number, 3, cafe) },
    ]);
    await publisher.publish(Topic.WhatsappInboundV1, [{ key: bsuidOnly, value: inbound(bsuidOnly, '7700000001') }]);
    // Both sides whole before the merge (their records are on other partitions than the merge's).
    await eventually('both people built', async () =>
      (await count('processed_event', bsuidOnly)) === 2 &&
      (await count('consent_state', bsuidOnly)) === 3 &&
      (await count('consent_state', number)) === 4 &&
      (await count('person_profile', bsuidOnly)) === 1
        ? true
        : undefined,
    );
    const ledgerBefore = (await count('consent_ledger', bsuidOnly)) + (await count('consent_ledger', number));

    const merge: PersonMergeV1 = { fromPersonId: bsuidOnly, intoPersonId: number, via: 'bsuid', mergedAt: new Date().toISOString() };
    await publisher.publish(Topic.IdentityMergesV1, [{ key: number, value: merge }]);
    const snapshot = await snapshots.waitFor((s) => s.personId === number && s.activity.totalEvents === 3, 60_000);

    // Consents: no consent widened. acme and bistro revoked (the BSUID side's STOP wins over the number's grants,
    // later or earlier); deli revoked (the number's side); cafe granted (held on one side only, never revoked).
    expect(await states(number)).toEqual([
      { business_id: acme, status: 'revoked', source: 'whatsapp-reply' },
      { business_id: bistro, status: 'revoked', source: 'whatsapp-reply' },
      { business_id: cafe, status: 'granted', source: 'web-form' },
      { business_id: deli, status: 'revoked', source: 'web-form' },
    ]);
    expect(snapshot.value.consents.whatsappMarketing).toEqual([cafe]);
    // The ledger's whole history is the number's person's now; nothing stays under the merged person.
    expect(await count('consent_ledger', number)).toBe(ledgerBefore);
    for (const table of ['consent_ledger', 'consent_state', 'person_profile', 'person_day_bucket', 'processed_event'])
      expect(await count(table, bsuidOnly)).toBe(0);
    // The profile: the days of both (3 events), the customer-service window the BSUID-only person opened.
    const [profile] = (await dataSource.query(`SELECT total_events, service_windows FROM person_profile WHERE person_id = $1`, [
      number,
    ])) as {
      total_events: number;
      service_windows: Record<string, string>;
    }[];
    expect(profile?.total_events).toBe(3);
    expect(Object.keys(profile?.service_windows ?? {})).toEqual([inbound(bsuidOnly, '7700000001').phoneNumberId]);
    // The merged person's snapshot is deleted (a tombstone on the compacted topic).
    await eventually('the tombstone of the merged person', async () =>
      snapshots.records.some((r) => r.key === bsuidOnly && r.value === null) ? true : undefined,
    );

    // A record still naming the merged person (another partition, in flight) applies to the number's person.
    await publisher.publish(Topic.ConsentNormalizedV1, [
      { key: bsuidOnly, value: consent(bsuidOnly, cafe, 'revoked', ago(60_000), 'whatsapp-reply') },
    ]);
    await eventually('the late revocation on the number’s person', async () =>
      (await states(number)).find((s) => s.business_id === cafe)?.status === 'revoked' ? true : undefined,
    );
    expect(await count('consent_state', bsuidOnly)).toBe(0);

    // A replayed merge moves nothing and publishes nothing more. A second BSUID-only person merged
    // after it (same key, so the same partition) shows the replay was handled: one snapshot more, its own.
    const published = snapshots.records.filter((r) => r.key === number).length;
    const second = personId();
    await publisher.publish(Topic.ConsentNormalizedV1, [{ key: second, value: consent(second, `marker-${run}`, 'granted', ago(0)) }]);
    await eventually('the second person built', async () => ((await count('consent_state', second)) === 1 ? true : undefined));
    await publisher.publish(Topic.IdentityMergesV1, [
      { key: number, value: merge },
      { key: number, value: { ...merge, fromPersonId: second } },
    ]);
    await snapshots.waitFor((s) => s.personId === number && s.consents.whatsappMarketing.includes(`marker-${run}`), 60_000);
    expect(snapshots.records.filter((r) => r.key === number).length).toBe(published + 1);
    // The snapshot is published just before the merge's transaction commits: read its rows once committed.
    await eventually('the second merge committed', async () => ((await count('consent_state', second)) === 0 ? true : undefined));
    expect((await states(number)).map((s) => [s.business_id, s.status])).toEqual([
      [acme, 'revoked'],
      [bistro, 'revoked'],
      [cafe, 'revoked'],
      [deli, 'revoked'],
      [`marker-${run}`, 'granted'],
    ]);
  });
});

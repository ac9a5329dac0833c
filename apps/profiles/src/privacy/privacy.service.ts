import { Injectable } from '@nestjs/common';
import { type PrivacyErasureV1, type PrivacyExportV1, type ProfileSnapshotV1, Topic } from '@wt/contracts';
import { KafkaPublisher } from '@wt/kafka';
import { PostgresKeyVault, PostgresPersonIdentifiers } from '@wt/vault';
import { toSnapshot } from '../profile/profile-snapshot';
import { ProfileRecords } from '../profile/profile-records.service';
import { ProfilesConfig } from '../profiles.config';

/** The view `GET /v1/profiles/{phone}` answers: the snapshot scoring reads, without the sealed number. */
export type ProfileView = Omit<ProfileSnapshotV1, 'contact'> & { erased: false };

/**
 * GDPR rights over what profiles holds (issue 3, point 10).
 *
 * Erasure deletes, in one transaction: the profile (interests, counters, service windows, the
 * sealed number), the current consents and the consent ledger, and the dedupe entries; it keeps
 * only a suppression record (personId, requestId, erasedAt) so that later events and consents for
 * that person are dropped and no targetable profile is rebuilt (the person is never messaged again;
 * lifting that is a manual operation, on purpose). Before the commit, a tombstone (key personId,
 * null value) goes to the compacted snapshot topic and an erasure event to
 * `internal.privacy.erasures.v1` for the other services; both are acknowledged by the brokers, so
 * a crash in between repeats the erasure (it is idempotent) rather than losing the announcement.
 *
 * Last before the commit, the person's keys are deleted from the key vault (crypto-shredding), and
 * with them the links from their WhatsApp business-scoped user ids, usernames and moved numbers:
 * every copy of their sealed number, on Kafka topics (normalized events, decisions, inbound
 * messages...) and in other services' tables, no longer opens. If that fails, nothing commits and
 * the erasure is retried.
 */
@Injectable()
export class PrivacyService {
  constructor(
    private readonly profiles: ProfileRecords,
    private readonly publisher: KafkaPublisher,
    private readonly config: ProfilesConfig,
    private readonly vault: PostgresKeyVault,
    private readonly identifiers: PostgresPersonIdentifiers,
  ) {}

  async erase(personId: string, requestId: string, now: Date): Promise<PrivacyErasureV1> {
    return this.profiles.transaction(async (manager) => {
      // BSUID-only people merged into this one are the same person: erased with them (their keys sealed what moved here).
      const merged = (
        (await manager.query(`SELECT from_person_id FROM person_merge WHERE into_person_id = $1`, [personId])) as {
          from_person_id: string;
        }[]
      ).map((r) => r.from_person_id);
      const people = [personId, ...merged];
      // Same lock the consumers take: a batch in flight finishes first, later ones see the suppression.
      await this.profiles.lockProfiles(manager, people);
      await manager.query(
        `INSERT INTO erased_person (person_id, request_id, erased_at) SELECT unnest($1::char(64)[]), $2, $3 ON CONFLICT (person_id) DO NOTHING`,
        [people, requestId, now.toISOString()],
      );
      for (const table of ['person_profile', 'person_day_bucket', 'consent_state', 'consent_ledger', 'processed_event']) {
        await manager.query(`DELETE FROM ${table} WHERE person_id = ANY($1::char(64)[])`, [people]);
      }
      const erasures: PrivacyErasureV1[] = people.map((id) => ({ personId: id, requestId, erasedAt: now.toISOString() }));
      await this.publisher.publishRaw(
        Topic.ProfileSnapshotsV1,
        people.map((id) => ({ key: id, value: null })),
      );
      await this.publisher.publish(
        Topic.PrivacyErasuresV1,
        erasures.map((e) => ({ key: e.personId, value: e })),
      );
      await this.vault.destroy(people);
      return erasures[0] as PrivacyErasureV1;
    });
  }

  /** Everything held about the person, as JSON (the sealed number only as `contactHeld`). */
  async export(personId: string, requestId: string, now: Date): Promise<PrivacyExportV1> {
    const data = await this.profiles.transaction(async (manager) => {
      const [profile] = await manager.query(
        `SELECT country, time_zone, interests, business_interests, interests_at, total_events, events_by_source,
                events_by_business, last_seen_at, service_windows, version, updated_at, contact IS NOT NULL AS contact_held
         FROM person_profile WHERE person_id = $1`,
        [personId],
      );
      const consents = await manager.query(
        `SELECT purpose, business_id, status, occurred_at, source FROM consent_state WHERE person_id = $1 ORDER BY purpose, business_id`,
        [personId],
      );
      const ledger = await manager.query(
        `SELECT purpose, business_id, status, occurred_at, source, recorded_at, asserted_via, asserted_by, asserted_key_id
         FROM consent_ledger WHERE person_id = $1 ORDER BY id`,
        [personId],
      );
      const events = await manager.query(
        `SELECT dedupe_key, occurred_at, processed_at FROM processed_event WHERE person_id = $1 ORDER BY occurred_at`,
        [personId],
      );
      const days = await manager.query(
        `SELECT to_char(day, 'YYYY-MM-DD') AS day, interests, business_interests, events_by_source, events_by_business, total_events, last_seen_at
         FROM person_day_bucket WHERE person_id = $1 ORDER BY day`,
        [personId],
      );
      const [erased] = await manager.query(`SELECT request_id, erased_at FROM erased_person WHERE person_id = $1`, [personId]);
      return {
        contactHeld: Boolean(profile?.contact_held),
        profile: profile ? omit(profile, 'contact_held') : null,
        consents,
        consentLedger: ledger,
        processedEvents: events,
        engagementByDay: days,
        erasure: erased ?? null,
      };
    });
    // The other identifiers the person is known by (WhatsApp business-scoped user ids, a number they moved to):
    // kinds and dates, not the values (sealed in the vault, like the number); erased with the person's keys.
    const answer: PrivacyExportV1 = {
      requestId,
      personId,
      exportedAt: now.toISOString(),
      source: 'profiles',
      data: { ...data, identifiers: await this.identifiers.heldBy(personId) },
    };
    await this.publisher.publish(Topic.PrivacyExportsV1, [{ key: requestId, value: answer }]);
    return answer;
  }

  /** The person's profile as scoring sees it; undefined when nothing is held (never seen, or erased). */
  async view(personId: string, now: Date): Promise<ProfileView | undefined> {
    return this.profiles.transaction(async (manager) => {
      const profile = (await this.profiles.lockProfiles(manager, [personId])).get(personId);
      if (!profile || profile.version === 0) return undefined;
      const { contact: _sealed, ...snapshot } = toSnapshot(
        profile,
        await this.profiles.consentsOf(manager, [personId]),
        this.config.INTEREST_HALF_LIFE_HOURS,
        now,
      );
      return { ...snapshot, erased: false as const };
    });
  }
}

function omit<T extends Record<string, unknown>>(row: T, key: string): Record<string, unknown> {
  const { [key]: _dropped, ...rest } = row;
  return rest;
}

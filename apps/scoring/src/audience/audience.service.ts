import { Injectable } from '@nestjs/common';
import { type ProfileSnapshotV1 } from '@wt/contracts';
import { gauge } from '@wt/observability';
import { DataSource } from 'typeorm';

const audienceGauge = gauge({ name: 'wt_scoring_audience_profiles', help: 'Profiles scoring keeps for launches, as last counted' });

/** A person who withdrew a business's marketing consent in this batch. */
export interface OptOut {
  personId: string;
  businessId: string;
}

/**
 * The latest profile snapshot of each person scoring has seen (the topic is compacted and keyed
 * by personId), so that a launch can read a campaign's opted-in audience from Postgres.
 */
@Injectable()
export class AudienceService {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Keeps the newest version of each snapshot; an older version is ignored. Returns the opt-outs
   * it saw (a business that was in the person's opt-ins and is no longer), to learn from.
   */
  async upsert(snapshots: readonly ProfileSnapshotV1[]): Promise<OptOut[]> {
    if (snapshots.length === 0) return [];
    // One JSON document for the whole batch: a jsonb[] parameter would have the driver escape
    // every snapshot's JSON again into an array literal.
    const rows: { person_id: string; removed: string[] | null }[] = await this.dataSource.query(
      `WITH input AS (
         SELECT (s->>'personId')::char(64) AS person_id, (s->>'version')::int AS version, s AS body, (s->>'updatedAt')::timestamptz AS updated_at
         FROM jsonb_array_elements($1::jsonb) AS s
       ), previous AS (
         SELECT a.person_id, a.opted_in FROM audience_profile a JOIN input i ON i.person_id = a.person_id AND a.version < i.version
       ), upserted AS (
         INSERT INTO audience_profile (person_id, version, opted_in, body, updated_at)
         SELECT person_id, version, ARRAY(SELECT jsonb_array_elements_text(body->'consents'->'whatsappMarketing')), body, updated_at FROM input
         ON CONFLICT (person_id) DO UPDATE SET version = EXCLUDED.version, opted_in = EXCLUDED.opted_in, body = EXCLUDED.body, updated_at = EXCLUDED.updated_at
         WHERE audience_profile.version < EXCLUDED.version
         RETURNING person_id, opted_in
       )
       SELECT u.person_id, ARRAY(SELECT unnest(p.opted_in) EXCEPT SELECT unnest(u.opted_in)) AS removed
       FROM upserted u JOIN previous p ON p.person_id = u.person_id`,
      [JSON.stringify(snapshots)],
    );
    return rows.flatMap((r) => (r.removed ?? []).map((businessId) => ({ personId: r.person_id.trim(), businessId })));
  }

  /** Removes erased people (a tombstone on the snapshot topic), and their scheduled evaluations. */
  async remove(personIds: readonly string[]): Promise<void> {
    if (personIds.length === 0) return;
    await this.dataSource.query(
      `WITH scheduled AS (DELETE FROM scheduled_evaluation WHERE person_id = ANY($1::char(64)[]))
       DELETE FROM audience_profile WHERE person_id = ANY($1::char(64)[])`,
      [personIds],
    );
  }

  /** One page of a business's opted-in audience, in person id order after `after`. */
  async page(businessId: string, after: string | null, limit: number): Promise<ProfileSnapshotV1[]> {
    const rows: { body: ProfileSnapshotV1 }[] = await this.dataSource.query(
      `SELECT body FROM audience_profile WHERE opted_in @> ARRAY[$1]::text[] AND ($2::char(64) IS NULL OR person_id > $2)
       ORDER BY person_id LIMIT $3`,
      [businessId, after, limit],
    );
    return rows.map((r) => r.body);
  }

  /** The audience snapshots of these people (those still in it). */
  async snapshots(personIds: readonly string[]): Promise<ProfileSnapshotV1[]> {
    if (personIds.length === 0) return [];
    const rows: { body: ProfileSnapshotV1 }[] = await this.dataSource.query(
      `SELECT body FROM audience_profile WHERE person_id = ANY($1::char(64)[]) ORDER BY person_id`,
      [personIds],
    );
    return rows.map((r) => r.body);
  }

  async count(): Promise<number> {
    const rows: { n: string }[] = await this.dataSource.query(`SELECT count(*) AS n FROM audience_profile`);
    const n = Number(rows[0]?.n ?? 0);
    audienceGauge.set(n);
    return n;
  }
}

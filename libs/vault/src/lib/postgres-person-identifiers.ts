import { type PersonIdentifierKind } from '@wt/identity';
import { counter } from '@wt/observability';
import { type DataSource } from 'typeorm';

const linksTotal = counter({
  name: 'wt_identifier_links_total',
  help: 'Identifier links written (a BSUID, parent BSUID or new number tied to a person), by kind and whether it moved to another person',
  labelNames: ['kind', 'moved'],
});

/** One identifier of a person: only its digest and sealed forms, never the identifier in clear. */
export interface IdentifierLink {
  digest: string;
  kind: PersonIdentifierKind;
  personId: string;
  /** The identifier sealed under the person's key (`ContactSealer`). */
  sealed: string;
  /** The person's WhatsApp username sealed under their key, when a webhook carried one. */
  usernameSealed?: string;
}

/** A link that moved from one person to another (a BSUID first seen alone, then with a number). */
export interface IdentifierMove {
  digest: string;
  kind: PersonIdentifierKind;
  from: string;
  to: string;
}

/** What a GDPR export says of a person's identifiers: kinds and dates, not the values. */
export interface HeldIdentifier {
  kind: PersonIdentifierKind;
  firstSeenAt: string;
  lastSeenAt: string;
  replacedAt: string | null;
  usernameHeld: boolean;
}

/**
 * The identifier links in the vault database (`person_identifier`): which person a business-scoped
 * user id, a parent id or a number the person moved to belongs to. A lookup is by digest; a link
 * names the latest person it was seen with (a BSUID first seen alone, then with a number, moves to
 * that number's person). Erasure deletes a person's links with their keys
 * (`PostgresKeyVault.destroy`).
 */
export class PostgresPersonIdentifiers {
  constructor(private readonly dataSource: DataSource) {}

  /** The person each known digest belongs to: one round trip. */
  async resolve(digests: readonly string[]): Promise<Map<string, string>> {
    const wanted = [...new Set(digests)];
    if (wanted.length === 0) return new Map();
    const rows = (await this.dataSource.query(`SELECT digest, person_id FROM person_identifier WHERE digest = ANY($1::char(64)[])`, [
      wanted,
    ])) as { digest: string; person_id: string }[];
    return new Map(rows.map((r) => [r.digest, r.person_id]));
  }

  /**
   * Writes these links (one statement; the last of a digest wins within a call). A username
   * already held is kept when a later webhook carries none. Returns the links that moved to
   * another person than the one they named before.
   */
  async link(links: readonly IdentifierLink[], seenAt = new Date()): Promise<IdentifierMove[]> {
    const byDigest = new Map(links.map((l) => [l.digest, l]));
    if (byDigest.size === 0) return [];
    const all = [...byDigest.values()].sort((a, b) => a.digest.localeCompare(b.digest));
    const rows = (await this.dataSource.query(
      `WITH input AS (
         SELECT * FROM unnest($1::char(64)[], $2::text[], $3::char(64)[], $4::text[], $5::text[]) AS t(digest, kind, person_id, sealed, username_sealed)),
       before AS (SELECT digest, person_id FROM person_identifier WHERE digest IN (SELECT digest FROM input))
       INSERT INTO person_identifier AS p (digest, kind, person_id, sealed, username_sealed, first_seen_at, last_seen_at)
       SELECT digest, kind, person_id, sealed, username_sealed, $6, $6 FROM input
       ON CONFLICT (digest) DO UPDATE SET
         person_id = EXCLUDED.person_id,
         sealed = EXCLUDED.sealed,
         username_sealed = CASE WHEN p.person_id = EXCLUDED.person_id THEN COALESCE(EXCLUDED.username_sealed, p.username_sealed) ELSE EXCLUDED.username_sealed END,
         last_seen_at = GREATEST(p.last_seen_at, EXCLUDED.last_seen_at)
       RETURNING p.digest, p.kind, (SELECT b.person_id FROM before b WHERE b.digest = p.digest) AS previous, p.person_id`,
      [
        all.map((l) => l.digest),
        all.map((l) => l.kind),
        all.map((l) => l.personId),
        all.map((l) => l.sealed),
        all.map((l) => l.usernameSealed ?? null),
        seenAt.toISOString(),
      ],
    )) as { digest: string; kind: PersonIdentifierKind; previous: string | null; person_id: string }[];
    return movesOf(rows);
  }

  /**
   * Writes these links only where the digest names nobody yet or still names `replaceable` (the
   * pseudonym of a person known only by that identifier): a link another writer gave to someone
   * else (WhatsApp's webhook linking a BSUID to a number) is never taken away. For ingest, whose
   * events are a business's word, not WhatsApp's. Returns the links that moved, and the person each
   * digest names once written (the caller's or, when it lost, the one already there).
   */
  async linkUnlessClaimed(
    links: readonly (IdentifierLink & { replaceable: string })[],
    seenAt = new Date(),
  ): Promise<{ moves: IdentifierMove[]; persons: Map<string, string> }> {
    const byDigest = new Map(links.map((l) => [l.digest, l]));
    if (byDigest.size === 0) return { moves: [], persons: new Map() };
    const all = [...byDigest.values()].sort((a, b) => a.digest.localeCompare(b.digest));
    const rows = (await this.dataSource.query(
      `WITH input AS (
         SELECT * FROM unnest($1::char(64)[], $2::text[], $3::char(64)[], $4::text[], $5::char(64)[]) AS t(digest, kind, person_id, sealed, replaceable)),
       before AS (SELECT digest, person_id FROM person_identifier WHERE digest IN (SELECT digest FROM input)),
       written AS (
         INSERT INTO person_identifier AS p (digest, kind, person_id, sealed, first_seen_at, last_seen_at)
         SELECT digest, kind, person_id, sealed, $6, $6 FROM input
         ON CONFLICT (digest) DO UPDATE SET
           person_id = EXCLUDED.person_id,
           sealed = EXCLUDED.sealed,
           username_sealed = CASE WHEN p.person_id = EXCLUDED.person_id THEN p.username_sealed ELSE NULL END,
           last_seen_at = GREATEST(p.last_seen_at, EXCLUDED.last_seen_at)
         WHERE p.person_id = EXCLUDED.person_id OR p.person_id = (SELECT i.replaceable FROM input i WHERE i.digest = p.digest)
         RETURNING p.digest, p.kind, p.person_id)
       SELECT w.digest, w.kind, b.person_id AS previous, w.person_id FROM written w LEFT JOIN before b USING (digest)`,
      [
        all.map((l) => l.digest),
        all.map((l) => l.kind),
        all.map((l) => l.personId),
        all.map((l) => l.sealed),
        all.map((l) => l.replaceable),
        seenAt.toISOString(),
      ],
    )) as { digest: string; kind: PersonIdentifierKind; previous: string | null; person_id: string }[];
    const moves = movesOf(rows);
    const written = new Set(rows.map((r) => r.digest));
    const lost = all.filter((l) => !written.has(l.digest)).map((l) => l.digest);
    const persons = new Map([...rows.map((r) => [r.digest, r.person_id] as const), ...(await this.resolve(lost))]);
    return { moves, persons };
  }

  /** Marks identifiers a person no longer uses (the BSUID of a number they left): still resolved, for late webhooks. */
  async replaced(digests: readonly string[], at = new Date()): Promise<void> {
    if (digests.length === 0) return;
    await this.dataSource.query(
      `UPDATE person_identifier SET replaced_at = $2 WHERE digest = ANY($1::char(64)[]) AND replaced_at IS NULL`,
      [[...new Set(digests)], at.toISOString()],
    );
  }

  /**
   * Where to reach people who changed number or BSUID: for each of these people with a replaced
   * identifier, their latest current one, sealed (a number before a BSUID). People who never
   * changed are absent: the contact they came with stands.
   */
  async movedAddresses(personIds: readonly string[]): Promise<Map<string, string>> {
    const ids = [...new Set(personIds)];
    if (ids.length === 0) return new Map();
    const rows = (await this.dataSource.query(
      `SELECT DISTINCT ON (p.person_id) p.person_id, p.sealed
       FROM person_identifier p
       WHERE p.person_id = ANY($1::char(64)[]) AND p.replaced_at IS NULL AND p.kind IN ('phone', 'bsuid')
         AND EXISTS (SELECT 1 FROM person_identifier r WHERE r.person_id = p.person_id AND r.replaced_at IS NOT NULL)
       ORDER BY p.person_id, (p.kind = 'phone') DESC, p.last_seen_at DESC`,
      [ids],
    )) as { person_id: string; sealed: string }[];
    return new Map(rows.map((r) => [r.person_id, r.sealed]));
  }

  /** The person's identifiers for a GDPR export: kinds and dates only. */
  async heldBy(personId: string): Promise<HeldIdentifier[]> {
    const rows = (await this.dataSource.query(
      `SELECT kind, first_seen_at, last_seen_at, replaced_at, username_sealed IS NOT NULL AS username_held
       FROM person_identifier WHERE person_id = $1 ORDER BY first_seen_at, kind`,
      [personId],
    )) as { kind: PersonIdentifierKind; first_seen_at: Date; last_seen_at: Date; replaced_at: Date | null; username_held: boolean }[];
    return rows.map((r) => ({
      kind: r.kind,
      firstSeenAt: new Date(r.first_seen_at).toISOString(),
      lastSeenAt: new Date(r.last_seen_at).toISOString(),
      replacedAt: r.replaced_at ? new Date(r.replaced_at).toISOString() : null,
      usernameHeld: r.username_held,
    }));
  }
}

/** The links written that moved to another person than the one they named before (each counted). */
function movesOf(
  rows: readonly { digest: string; kind: PersonIdentifierKind; previous: string | null; person_id: string }[],
): IdentifierMove[] {
  const moves: IdentifierMove[] = [];
  for (const row of rows) {
    const moved = row.previous !== null && row.previous !== row.person_id;
    linksTotal.inc({ kind: row.kind, moved: moved ? 'yes' : 'no' });
    if (moved) moves.push({ digest: row.digest, kind: row.kind, from: row.previous as string, to: row.person_id });
  }
  return moves;
}

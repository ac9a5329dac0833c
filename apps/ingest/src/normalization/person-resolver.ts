import { type PersonMergeV1 } from '@wt/contracts';
import { type ContactSealer, type PersonIdentifierKind, type Pseudonymizer } from '@wt/identity';
import { counter } from '@wt/observability';
import { type IdentifierLink, type IdentifierMove } from '@wt/vault';
import { LRUCache } from 'lru-cache';

const resolvedTotal = counter({
  name: 'wt_ingest_person_resolved_total',
  help: 'People of ingested events, by what named them (phone, bsuid, both) and how they were found (number, link, new)',
  labelNames: ['by', 'via'],
});

const conflictsTotal = counter({
  name: 'wt_ingest_identifier_conflicts_total',
  help: "Events whose business-scoped user id is linked to another number's person than the event's phone: resolved by the phone, the link left as WhatsApp set it",
});

const mergesTotal = counter({
  name: 'wt_ingest_person_merges_total',
  help: 'People known only by a business-scoped user id found by an ingested event to be the person of a number (merged into them)',
});

/** What names the person of one event: a number (E.164), a business-scoped user id, or both. Memory only. */
export interface PersonNames {
  e164?: string;
  bsuid?: string;
  /** The number's own pseudonym and its link digest, when the caller has them cached (else computed here). */
  numberPersonId?: string;
  phoneDigest?: string;
}

/** The identifier links of the vault (`PostgresPersonIdentifiers`), as the resolver uses them. */
export interface IdentifierLinks {
  resolve(digests: readonly string[]): Promise<Map<string, string>>;
  linkUnlessClaimed(
    links: readonly (IdentifierLink & { replaceable: string })[],
    seenAt?: Date,
  ): Promise<{ moves: IdentifierMove[]; persons: Map<string, string> }>;
}

export interface PersonResolverOptions {
  /** Most digests whose link (or absence of one) is kept (default 100,000). */
  cacheMax?: number;
  /** How long one is kept (ms, default 60,000): a number-change link written elsewhere is followed after at most this long. */
  cacheTtlMs?: number;
  /** Publishes the merges this resolver caused (`internal.identity.merges.v1`), before the events that follow them. */
  publishMerges?: (merges: readonly PersonMergeV1[]) => Promise<void>;
}

/** No link: the digest names nobody yet (cached too, so a batch of known numbers costs no round trip). */
const NONE = '';

/**
 * The person an ingested event names, following the identifier links the dispatcher writes from
 * WhatsApp's webhooks (`person_identifier` in the vault): a number is its own pseudonym unless the
 * person moved to it (a `phone` link); a business-scoped user id (BSUID) is the person it is linked
 * to, else a new person known only by it (whose pseudonym derives from it, as in the dispatcher).
 * An event that carries both links the BSUID to the number's person, and when the BSUID named a
 * person known only by it, that person is merged into the number's (`PersonMergeV1`, applied by
 * profiles and the dispatcher). A BSUID WhatsApp already linked to another number is left as it is:
 * the event is the number's. Identifiers stay in memory; the vault holds their keyed digests and
 * their sealed forms only.
 */
export class PersonResolver {
  /** digest → the person it is linked to, or NONE. */
  private readonly links: LRUCache<string, string>;

  constructor(
    private readonly pseudonymizer: Pseudonymizer,
    private readonly sealer: ContactSealer,
    private readonly identifiers: IdentifierLinks,
    private readonly options: PersonResolverOptions = {},
  ) {
    this.links = new LRUCache<string, string>({ max: options.cacheMax ?? 100_000, ttl: options.cacheTtlMs ?? 60_000 });
  }

  /**
   * The personId of each entry, in order: one vault round trip for the digests not cached, one
   * more to seal and write new links when there are any. Entries naming nobody get undefined.
   */
  async resolveAll(names: readonly PersonNames[], at = new Date()): Promise<(string | undefined)[]> {
    const digestsOf = names.map((n) => ({
      phone: n.e164 ? (n.phoneDigest ?? this.pseudonymizer.identifierDigest('phone', n.e164)) : undefined,
      bsuid: n.bsuid ? this.pseudonymizer.identifierDigest('bsuid', n.bsuid) : undefined,
    }));
    const known = await this.lookup(digestsOf);
    const linked = (digest: string | undefined): string | undefined => {
      const person = digest ? known.get(digest) : undefined;
      return person === NONE ? undefined : person;
    };
    const toLink = new Map<string, { bsuid: string; personId: string; bsuidOnly: string }>();
    const personIds: (string | undefined)[] = new Array(names.length);
    const byBsuidAlone: { index: number; digest: string }[] = [];
    const counts = new Map<string, number>();
    const count = (by: string, via: string) => counts.set(`${by}|${via}`, (counts.get(`${by}|${via}`) ?? 0) + 1);
    // Numbers (and pairs) first: a batch that carries a BSUID alone and with its number resolves both to the number's person.
    names.forEach(({ e164, bsuid, numberPersonId }, i) => {
      if (!e164) return;
      const digests = digestsOf[i] as { phone?: string; bsuid?: string };
      const moved = linked(digests.phone);
      const personId = moved ?? numberPersonId ?? this.pseudonymizer.personId(e164);
      personIds[i] = personId;
      count(bsuid ? 'both' : 'phone', moved ? 'link' : 'number');
      if (!bsuid) return;
      const bsuidOnly = this.pseudonymizer.personIdOfBusinessScopedUser(bsuid);
      const current = toLink.get(digests.bsuid as string)?.personId ?? linked(digests.bsuid);
      if (current === personId) return;
      if (current === undefined || current === bsuidOnly) toLink.set(digests.bsuid as string, { bsuid, personId, bsuidOnly });
      else conflictsTotal.inc();
    });
    names.forEach(({ e164, bsuid }, i) => {
      if (e164 || !bsuid) return;
      const digest = digestsOf[i]?.bsuid as string;
      const bsuidOnly = this.pseudonymizer.personIdOfBusinessScopedUser(bsuid);
      const current = toLink.get(digest)?.personId ?? linked(digest);
      personIds[i] = current ?? bsuidOnly;
      byBsuidAlone.push({ index: i, digest });
      count('bsuid', current ? 'link' : 'new');
      if (current === undefined) toLink.set(digest, { bsuid, personId: bsuidOnly, bsuidOnly });
    });
    for (const [key, n] of counts) {
      const [by, via] = key.split('|') as [string, string];
      resolvedTotal.inc({ by, via }, n);
    }
    if (toLink.size === 0) return personIds;
    // Another writer may have linked one of these BSUIDs first: the events named by it alone follow that link.
    const persons = await this.writeLinks(toLink, at);
    for (const { index, digest } of byBsuidAlone) personIds[index] = persons.get(digest) ?? personIds[index];
    return personIds;
  }

  /**
   * A merge published by the dispatcher (or another replica): every cached link to the merged
   * person now names the person it was merged into, so the events that follow go there at once.
   */
  followMerges(merges: readonly Pick<PersonMergeV1, 'fromPersonId' | 'intoPersonId'>[]): void {
    if (merges.length === 0) return;
    const into = new Map(merges.map((m) => [m.fromPersonId, m.intoPersonId]));
    for (const [digest, personId] of this.links.entries()) {
      const target = into.get(personId);
      if (target) this.links.set(digest, target);
    }
  }

  /** The link (or NONE) of every digest of the batch: from the cache, the rest in one vault round trip. */
  private async lookup(digests: readonly { phone?: string; bsuid?: string }[]): Promise<Map<string, string>> {
    const known = new Map<string, string>();
    const missing: string[] = [];
    for (const d of digests)
      for (const digest of [d.phone, d.bsuid]) {
        if (digest === undefined || known.has(digest)) continue;
        const cached = this.links.get(digest);
        if (cached === undefined) missing.push(digest);
        known.set(digest, cached ?? NONE);
      }
    if (missing.length === 0) return known;
    const found = await this.identifiers.resolve(missing);
    for (const digest of missing) {
      const person = found.get(digest) ?? NONE;
      this.links.set(digest, person);
      known.set(digest, person);
    }
    return known;
  }

  /**
   * Seals each BSUID under its person's key, writes the links where no one else claimed them,
   * publishes the merges they caused. Returns the person each digest names once written.
   */
  private async writeLinks(
    toLink: Map<string, { bsuid: string; personId: string; bsuidOnly: string }>,
    at: Date,
  ): Promise<Map<string, string>> {
    const entries = [...toLink.entries()];
    const sealed = await this.sealer.sealAll(entries.map(([, l]) => ({ personId: l.personId, e164: l.bsuid })));
    const links = entries.map(([digest, l], n) => ({
      digest,
      kind: 'bsuid' as PersonIdentifierKind,
      personId: l.personId,
      sealed: sealed[n] as string,
      replaceable: l.bsuidOnly,
    }));
    const { moves, persons } = await this.identifiers.linkUnlessClaimed(links, at);
    for (const [digest, personId] of persons) this.links.set(digest, personId);
    for (const [digest, l] of entries) if (persons.get(digest) !== l.personId) conflictsTotal.inc();
    const mergedAt = at.toISOString();
    const merges: PersonMergeV1[] = [];
    for (const move of moves) {
      const l = toLink.get(move.digest);
      if (l && move.from === l.bsuidOnly && move.to === l.personId && move.from !== move.to)
        merges.push({ fromPersonId: move.from, intoPersonId: move.to, via: 'bsuid', mergedAt });
    }
    if (merges.length > 0) {
      mergesTotal.inc(merges.length);
      this.followMerges(merges);
      await this.options.publishMerges?.(merges);
    }
    return persons;
  }
}

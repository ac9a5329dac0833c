import { type PersonMergeV1 } from '@wt/contracts';
import { ContactSealer, InMemoryPersonKeyStore, Pseudonymizer } from '@wt/identity';
import { type IdentifierLink, type IdentifierMove } from '@wt/vault';
import { EventNormalizer } from './event-normalizer';
import { type IdentifierLinks, PersonResolver } from './person-resolver';

/** The vault's links in memory, with the same rule as `linkUnlessClaimed`: a link held by someone else is kept. */
class FakeLinks implements IdentifierLinks {
  readonly rows = new Map<string, string>();
  lookups = 0;

  async resolve(digests: readonly string[]): Promise<Map<string, string>> {
    this.lookups += 1;
    return new Map(digests.flatMap((d) => (this.rows.has(d) ? [[d, this.rows.get(d) as string] as const] : [])));
  }

  async linkUnlessClaimed(links: readonly (IdentifierLink & { replaceable: string })[]) {
    const moves: IdentifierMove[] = [];
    const persons = new Map<string, string>();
    for (const l of links) {
      const held = this.rows.get(l.digest);
      if (held === undefined || held === l.personId || held === l.replaceable) {
        if (held !== undefined && held !== l.personId) moves.push({ digest: l.digest, kind: l.kind, from: held, to: l.personId });
        this.rows.set(l.digest, l.personId);
      }
      persons.set(l.digest, this.rows.get(l.digest) as string);
    }
    return { moves, persons };
  }
}

describe('PersonResolver: the person of an ingested event, by number, business-scoped user id or both', () => {
  const pseudonymizer = new Pseudonymizer('s'.repeat(32));
  const keys = new InMemoryPersonKeyStore();
  const number = '+33612345678';
  const bsuid = 'FR.1234567890';
  const bsuidOnly = pseudonymizer.personIdOfBusinessScopedUser(bsuid);
  const person = pseudonymizer.personId(number);
  const digest = pseudonymizer.identifierDigest('bsuid', bsuid);
  let links: FakeLinks;
  let published: PersonMergeV1[];
  let resolver: PersonResolver;

  beforeEach(() => {
    links = new FakeLinks();
    published = [];
    resolver = new PersonResolver(pseudonymizer, new ContactSealer(keys), links, {
      publishMerges: async (merges) => void published.push(...merges),
    });
  });

  it('a number is its own pseudonym, and costs one lookup while cached', async () => {
    expect(await resolver.resolveAll([{ e164: number }, { e164: number }])).toEqual([person, person]);
    await resolver.resolveAll([{ e164: number }]);
    expect(links.lookups).toBe(1);
  });

  it('an unknown BSUID names a new person known only by it, and is linked to them', async () => {
    expect(await resolver.resolveAll([{ bsuid }])).toEqual([bsuidOnly]);
    expect(links.rows.get(digest)).toBe(bsuidOnly);
    expect(published).toEqual([]);
  });

  it('a pair merges the BSUID-only person into the number’s, and the BSUID alone then names the number’s person', async () => {
    await resolver.resolveAll([{ bsuid }]);
    expect(await resolver.resolveAll([{ e164: number, bsuid }])).toEqual([person]);
    expect(published).toEqual([{ fromPersonId: bsuidOnly, intoPersonId: person, via: 'bsuid', mergedAt: expect.any(String) }]);
    expect(await resolver.resolveAll([{ bsuid }])).toEqual([person]);
  });

  it('in one batch, the BSUID alone and the pair both resolve to the number’s person, whatever their order', async () => {
    expect(await resolver.resolveAll([{ bsuid }, { e164: number, bsuid }, { bsuid }])).toEqual([person, person, person]);
    expect(published).toEqual([]);
  });

  it("leaves a BSUID linked to another number's person: the pair's event is the number's", async () => {
    const other = pseudonymizer.personId('+33699999999');
    links.rows.set(digest, other);
    expect(await resolver.resolveAll([{ e164: number, bsuid }])).toEqual([person]);
    expect(links.rows.get(digest)).toBe(other);
    expect(await resolver.resolveAll([{ bsuid }])).toEqual([other]);
  });

  it('follows a number the person moved to, and a merge made elsewhere', async () => {
    const old = pseudonymizer.personId('+33600000000');
    links.rows.set(pseudonymizer.identifierDigest('phone', number), old);
    expect(await resolver.resolveAll([{ e164: number }])).toEqual([old]);
    await resolver.resolveAll([{ bsuid }]);
    resolver.followMerges([{ fromPersonId: bsuidOnly, intoPersonId: person }]);
    expect(await resolver.resolveAll([{ bsuid }])).toEqual([person]);
  });

  it('a BSUID another writer linked first wins over a new BSUID-only person', async () => {
    const slow = new PersonResolver(pseudonymizer, new ContactSealer(keys), {
      resolve: async () => new Map(),
      linkUnlessClaimed: async (l) => ({ moves: [], persons: new Map(l.map((x) => [x.digest, person])) }),
    });
    expect(await slow.resolveAll([{ bsuid }])).toEqual([person]);
  });

  it('through the normalizer: an engagement by BSUID alone is sealed to the BSUID under the resolved person', async () => {
    const normalizer = new EventNormalizer(
      pseudonymizer,
      new ContactSealer(keys),
      { maxAgeMs: 86_400_000, maxFutureSkewMs: 60_000 },
      resolver,
    );
    await resolver.resolveAll([{ e164: number, bsuid }]);
    const now = new Date();
    const [result] = await normalizer.engagements(
      [{ eventId: 'e1', source: 'instagram', type: 'like', bsuid, occurredAt: now.toISOString(), categories: [] }],
      now,
    );
    if (!result?.ok) throw new Error('refused');
    expect(result.value.personId).toBe(person);
    expect(result.value.country).toBe('FR');
    expect(await new ContactSealer(keys).open(result.value.contact)).toEqual({ ok: true, e164: bsuid });
    // A prefix that is no country (Meta's form allows any two capitals): no country rather than a wrong one.
    const [other] = await normalizer.engagements(
      [{ eventId: 'e2', source: 'instagram', type: 'like', bsuid: 'XX.123', occurredAt: now.toISOString(), categories: [] }],
      now,
    );
    expect(other?.ok && other.value.country).toBeUndefined();
  });
});

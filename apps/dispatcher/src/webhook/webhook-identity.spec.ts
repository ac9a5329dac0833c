import { ContactSealer, InMemoryPersonKeyStore, Pseudonymizer } from '@wt/identity';
import { type IdentifierLink, type IdentifierMove, type PostgresPersonIdentifiers } from '@wt/vault';
import { senderOf, WebhookIdentities } from './webhook-identity';

/** The identifier links in memory, with the semantics of `PostgresPersonIdentifiers` the resolver relies on. */
class FakeIdentifiers {
  readonly rows = new Map<string, IdentifierLink & { replaced?: boolean }>();
  writes = 0;
  async resolve(digests: readonly string[]): Promise<Map<string, string>> {
    return new Map(digests.flatMap((d) => (this.rows.has(d) ? [[d, this.rows.get(d)?.personId as string] as const] : [])));
  }
  async link(links: readonly IdentifierLink[]): Promise<IdentifierMove[]> {
    this.writes++;
    const moves: IdentifierMove[] = [];
    for (const l of links) {
      const before = this.rows.get(l.digest);
      if (before && before.personId !== l.personId) moves.push({ digest: l.digest, kind: l.kind, from: before.personId, to: l.personId });
      this.rows.set(l.digest, { ...before, ...l });
    }
    return moves;
  }
  async replaced(digests: readonly string[]): Promise<void> {
    for (const d of digests) {
      const row = this.rows.get(d);
      if (row) row.replaced = true;
    }
  }
}

function newIdentities() {
  const pseudonymizer = new Pseudonymizer('s'.repeat(32));
  const sealer = new ContactSealer(new InMemoryPersonKeyStore());
  const identifiers = new FakeIdentifiers();
  const service = new WebhookIdentities(pseudonymizer, sealer, identifiers as unknown as PostgresPersonIdentifiers);
  return { service, identifiers, pseudonymizer, sealer };
}

const BSUID = 'FR.8811223344556677';
const NEW_BSUID = 'FR.9911223344556677';

describe('WebhookIdentities: a person known by a number, a business-scoped user id, or both', () => {
  it('reads the identifiers of a webhook user, refusing an invalid number rather than guessing from the rest', () => {
    expect(senderOf({ phone: '33612345678', userId: BSUID }, { profile: { name: 'A', username: 'ana' }, user_id: BSUID })).toEqual({
      e164: '+33612345678',
      bsuid: BSUID,
      parentBsuid: undefined,
      username: 'ana',
    });
    expect(senderOf({ userId: BSUID })).toMatchObject({ bsuid: BSUID, e164: undefined });
    expect(senderOf({ phone: '12', userId: BSUID })).toBeUndefined();
    expect(senderOf({ userId: 'not-a-bsuid' })).toBeUndefined();
  });

  it('links a BSUID seen with a number to that number’s person; the BSUID alone then finds them', async () => {
    const { service, identifiers, pseudonymizer, sealer } = newIdentities();
    const both = await service.resolve({ e164: '+33612345678', bsuid: BSUID, username: 'ana' });
    expect(both).toEqual({ personId: pseudonymizer.personId('+33612345678'), address: '+33612345678', by: 'phone', merges: [] });
    const alone = await service.resolve({ bsuid: BSUID });
    expect(alone).toEqual({ personId: both.personId, address: BSUID, by: 'bsuid', merges: [] });
    // Stored as a digest, the BSUID and the username sealed under the person's key.
    const row = identifiers.rows.get(pseudonymizer.identifierDigest('bsuid', BSUID));
    expect(row).toMatchObject({ kind: 'bsuid', personId: both.personId });
    expect(JSON.stringify([...identifiers.rows.values()])).not.toContain(BSUID.slice(3));
    expect(await sealer.open(row?.usernameSealed as string)).toEqual({ ok: true, e164: 'ana' });
  });

  it('a BSUID never seen names a new person, whose address is the BSUID', async () => {
    const { service, pseudonymizer } = newIdentities();
    const resolved = await service.resolve({ bsuid: BSUID });
    expect(resolved).toEqual({ personId: pseudonymizer.personIdOfBusinessScopedUser(BSUID), address: BSUID, by: 'bsuid', merges: [] });
  });

  it('a BSUID-only person seen later with a number is merged into the number’s person, once', async () => {
    const { service, pseudonymizer } = newIdentities();
    const alone = await service.resolve({ bsuid: BSUID });
    const both = await service.resolve({ e164: '+33612345678', bsuid: BSUID });
    expect(both.personId).toBe(pseudonymizer.personId('+33612345678'));
    expect(both.merges).toEqual([{ from: alone.personId, into: both.personId, via: 'bsuid' }]);
    // Seen again: nothing more to merge; the BSUID alone now finds the number's person.
    expect((await service.resolve({ e164: '+33612345678', bsuid: BSUID })).merges).toEqual([]);
    expect(await service.resolve({ bsuid: BSUID })).toMatchObject({ personId: both.personId, merges: [] });
  });

  it('a BSUID moving between two people known by numbers is no merge (only BSUID-only people are merged)', async () => {
    const { service } = newIdentities();
    await service.resolve({ e164: '+33612345678', bsuid: BSUID });
    const other = await service.resolve({ e164: '+33698765432', bsuid: BSUID });
    expect(other.merges).toEqual([]);
  });

  it('writes a link once while it stays the same: the statuses of one message cost one write', async () => {
    const { service, identifiers } = newIdentities();
    const personId = 'a'.repeat(64);
    for (let i = 0; i < 3; i++) await service.link(personId, { bsuid: BSUID });
    expect(identifiers.writes).toBe(1);
  });

  it('follows a change of number: the new number and BSUID reach the same person, the old ones are marked replaced', async () => {
    const { service, identifiers, pseudonymizer } = newIdentities();
    const before = await service.resolve({ e164: '+33612345678', bsuid: BSUID });
    const moved = await service.followChange(
      { e164: '+33612345678', bsuid: BSUID },
      { type: 'user_changed_number', wa_id: '33698765432', user_id: NEW_BSUID },
    );
    expect(moved).toMatchObject({ personId: before.personId, address: '+33698765432' });
    expect((await service.resolve({ e164: '+33698765432' })).personId).toBe(before.personId);
    expect((await service.resolve({ bsuid: NEW_BSUID })).personId).toBe(before.personId);
    expect(identifiers.rows.get(pseudonymizer.identifierDigest('bsuid', BSUID))?.replaced).toBe(true);
    expect(identifiers.rows.get(pseudonymizer.identifierDigest('phone', '+33612345678'))?.replaced).toBe(true);
    expect(identifiers.rows.get(pseudonymizer.identifierDigest('phone', '+33698765432'))?.replaced).toBeUndefined();
    // Anything else a system message may say is not an identity change.
    expect(await service.followChange({ bsuid: BSUID }, { type: 'customer_identity_changed' })).toBeUndefined();
  });
});

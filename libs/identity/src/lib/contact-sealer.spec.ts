import { randomBytes } from 'node:crypto';
import { ContactSealer } from './contact-sealer';
import { KeyEncryptionKeys, UnknownKeyEncryptionKeyError } from './key-encryption-keys';
import { InMemoryPersonKeyStore } from './person-keys';
import { PlatformKeySealer } from './platform-key-sealer';

const person = () => randomBytes(32).toString('hex');

describe('ContactSealer (per-person keys)', () => {
  it('seals under the person key, names it, and never shows the number', async () => {
    const sealer = new ContactSealer(new InMemoryPersonKeyStore());
    const id = person();
    const sealed = await sealer.seal(id, '+33612345678');
    expect(sealed).toMatch(new RegExp(`^v2\\.${id}\\.1\\.`));
    expect(sealed).not.toContain('612345678');
    expect(await sealer.open(sealed)).toEqual({ ok: true, e164: '+33612345678' });
  });

  it('gives every value of a batch its own IV, even for one person and one number', async () => {
    const sealer = new ContactSealer(new InMemoryPersonKeyStore());
    const id = person();
    const sealed = await sealer.sealAll(Array.from({ length: 50 }, () => ({ personId: id, e164: '+33612345678' })));
    expect(new Set(sealed.map((v) => v.split('.')[3])).size).toBe(50);
    expect((await sealer.openAll(sealed)).every((o) => o.ok && o.e164 === '+33612345678')).toBe(true);
  });

  it('gets the keys of a whole batch in one round trip, then from the cache', async () => {
    const store = new InMemoryPersonKeyStore();
    const sealer = new ContactSealer(store);
    const ids = [person(), person(), person()];
    const sealed = await sealer.sealAll([...ids, ids[0] as string].map((personId, i) => ({ personId, e164: `+3361234567${i}` })));
    expect(store.calls).toBe(1);
    await sealer.sealAll(ids.map((personId) => ({ personId, e164: '+33612345678' })));
    expect(store.calls).toBe(1);
    const opened = await new ContactSealer(store).openAll(sealed);
    expect(store.calls).toBe(2);
    expect(opened.map((o) => o.ok && o.e164)).toEqual(['+33612345670', '+33612345671', '+33612345672', '+33612345673']);
  });

  it('after the person key is destroyed, every copy fails to open as erased; a fresh open ignores the cache', async () => {
    const store = new InMemoryPersonKeyStore();
    const sealer = new ContactSealer(store);
    const [erased, kept] = [person(), person()];
    const [a, b] = await sealer.sealAll([
      { personId: erased, e164: '+33612345678' },
      { personId: kept, e164: '+33698765432' },
    ]);
    expect((await sealer.open(a as string)).ok).toBe(true);
    await store.destroy([erased]);
    expect(await sealer.open(a as string, { fresh: true })).toEqual({ ok: false, reason: 'erased' });
    expect(await new ContactSealer(store).open(a as string)).toEqual({ ok: false, reason: 'erased' });
    expect(await sealer.open(b as string, { fresh: true })).toEqual({ ok: true, e164: '+33698765432' });
    // A returning person gets a new key version; the old copies stay unreadable.
    const again = await new ContactSealer(store).seal(erased, '+33612345678');
    expect(again.split('.')[2]).not.toBe((a as string).split('.')[2]);
    expect(await new ContactSealer(store).open(a as string)).toEqual({ ok: false, reason: 'erased' });
  });

  it('refuses tampering, a value moved to another person, and garbage as invalid', async () => {
    const store = new InMemoryPersonKeyStore();
    const sealer = new ContactSealer(store);
    const [x, y] = [person(), person()];
    const [sx, sy] = await sealer.sealAll([
      { personId: x, e164: '+33612345678' },
      { personId: y, e164: '+33698765432' },
    ]);
    const parts = (sx as string).split('.');
    parts[5] = Buffer.from('+33600000000').toString('base64url');
    expect(await sealer.open(parts.join('.'))).toEqual({ ok: false, reason: 'invalid' });
    const moved = (sx as string).split('.');
    const other = (sy as string).split('.');
    moved[1] = other[1] as string;
    moved[2] = other[2] as string;
    expect(await sealer.open(moved.join('.'))).toEqual({ ok: false, reason: 'invalid' });
    expect(await sealer.open('nonsense')).toEqual({ ok: false, reason: 'invalid' });
  });

  it('opens values sealed with the former platform key only when it is configured', async () => {
    const legacyKey = randomBytes(32).toString('base64');
    const old = new PlatformKeySealer(legacyKey).seal('+33612345678');
    expect(await new ContactSealer(new InMemoryPersonKeyStore(), { legacyKey }).open(old)).toEqual({ ok: true, e164: '+33612345678' });
    expect(await new ContactSealer(new InMemoryPersonKeyStore()).open(old)).toEqual({ ok: false, reason: 'invalid' });
  });

  it('a vault failure throws rather than passing for an erasure', async () => {
    const store = new InMemoryPersonKeyStore();
    const sealed = await new ContactSealer(store).seal(person(), '+33612345678');
    store.findKeys = () => Promise.reject(new Error('connection refused'));
    await expect(new ContactSealer(store).open(sealed)).rejects.toThrow('connection refused');
  });
});

describe('KeyEncryptionKeys', () => {
  it('wraps for one person only and unwraps with a previous KEK during a rotation', () => {
    const [oldKek, newKek] = [randomBytes(32).toString('base64'), randomBytes(32).toString('base64')];
    const before = new KeyEncryptionKeys(oldKek);
    const dataKey = randomBytes(32);
    const id = person();
    const wrapped = before.wrap(dataKey, id);
    expect(wrapped.includes(dataKey)).toBe(false);
    expect(() => before.unwrap(wrapped, before.currentId, person())).toThrow();
    const during = new KeyEncryptionKeys(newKek, [oldKek]);
    expect(during.unwrap(wrapped, before.currentId, id).equals(dataKey)).toBe(true);
    expect(during.currentId).not.toBe(before.currentId);
    expect(() => new KeyEncryptionKeys(newKek).unwrap(wrapped, before.currentId, id)).toThrow(UnknownKeyEncryptionKeyError);
  });
});

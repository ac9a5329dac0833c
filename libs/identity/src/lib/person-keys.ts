import { randomBytes } from 'node:crypto';

/** One person's data key: `version` names it in every value sealed with it. */
export interface PersonKey {
  personId: string;
  version: string;
  key: Buffer;
}

/**
 * Where per-person data keys live (the key vault). Implementations keep keys only wrapped by a
 * key-encryption key; erasing a person deletes every key of theirs, which makes every copy of
 * what was sealed with them unreadable (crypto-shredding).
 */
export interface PersonKeyStore {
  /** The current key of each person, created for those without one: one round trip for the batch. */
  keysFor(personIds: readonly string[]): Promise<PersonKey[]>;
  /** The keys among these (person, version) that still exist; erased ones are simply absent. Never creates. */
  findKeys(refs: readonly { personId: string; version: string }[]): Promise<PersonKey[]>;
  /** Deletes every key of these people; returns how many keys were deleted. */
  destroy(personIds: readonly string[]): Promise<number>;
}

/** A store in memory, for unit tests and tools that need no durability. */
export class InMemoryPersonKeyStore implements PersonKeyStore {
  private readonly keys = new Map<string, PersonKey>();
  private nextVersion = 1;
  /** Round trips made, so tests can check batching. */
  calls = 0;

  async keysFor(personIds: readonly string[]): Promise<PersonKey[]> {
    this.calls++;
    return [...new Set(personIds)].map((personId) => {
      let key = this.keys.get(personId);
      if (!key) {
        key = { personId, version: String(this.nextVersion++), key: randomBytes(32) };
        this.keys.set(personId, key);
      }
      return key;
    });
  }

  async findKeys(refs: readonly { personId: string; version: string }[]): Promise<PersonKey[]> {
    this.calls++;
    return refs
      .map((r) => this.keys.get(r.personId))
      .filter((k): k is PersonKey => k !== undefined && refs.some((r) => r.personId === k.personId && r.version === k.version));
  }

  async destroy(personIds: readonly string[]): Promise<number> {
    this.calls++;
    return personIds.filter((id) => this.keys.delete(id)).length;
  }
}

import { type ProfileState } from '@wt/profile-model';
import { Injectable } from '@nestjs/common';
import { type EntityManager } from 'typeorm';
import { type ConsentRow, ProfileStore } from './profile.store';

export { type ConsentRow } from './profile.store';

/**
 * profile/'s public API for privacy/: a transaction in which a person's profiles are locked as the
 * consumers lock them (so a batch in flight finishes first), and their current consents. What an
 * erasure deletes or an export reads beyond that is privacy/'s own SQL in the same transaction.
 * ProfileStore stays inside profile/.
 */
@Injectable()
export class ProfileRecords {
  constructor(private readonly store: ProfileStore) {}

  /** A READ COMMITTED transaction, as the consumers open theirs. */
  transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.store.transaction(work);
  }

  /** Loads and locks these people's profiles (in a stable order), in `manager`'s transaction. */
  lockProfiles(manager: EntityManager, personIds: readonly string[]): Promise<Map<string, ProfileState>> {
    return this.store.lockProfiles(manager, personIds);
  }

  /** These people's current consents, in `manager`'s transaction. */
  consentsOf(manager: EntityManager, personIds: readonly string[]): Promise<ConsentRow[]> {
    return this.store.consentsOf(manager, personIds);
  }
}

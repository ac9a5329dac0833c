import { Injectable } from '@nestjs/common';
import { PhoneNumberStore } from './phone-number.store';

export type RegisterOutcome = 'registered' | 'already_registered' | 'owned_by_another_business';

/**
 * The business phone numbers the assistant answers for: a number id belongs to one business (the
 * inbound messages name only the number), registered and unregistered by its API.
 */
@Injectable()
export class PhoneNumberService {
  constructor(private readonly store: PhoneNumberStore) {}

  async register(businessId: string, phoneNumberId: string): Promise<RegisterOutcome> {
    if (await this.store.insert(businessId, phoneNumberId)) return 'registered';
    const owner = (await this.store.owners([phoneNumberId])).get(phoneNumberId);
    return owner === businessId ? 'already_registered' : 'owned_by_another_business';
  }

  unregister(businessId: string, phoneNumberId: string): Promise<boolean> {
    return this.store.delete(businessId, phoneNumberId);
  }

  list(businessId: string): Promise<string[]> {
    return this.store.list(businessId);
  }

  /** The business of each number id that has one (one query per consumed batch). */
  owners(phoneNumberIds: readonly string[]): Promise<Map<string, string>> {
    return this.store.owners([...new Set(phoneNumberIds)]);
  }
}

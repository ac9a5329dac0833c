import { Injectable } from '@nestjs/common';
import { normalizePhone } from '@wt/identity';
import { type WebhookContact } from '@wt/whatsapp';
import { createHmac } from 'node:crypto';
import { SandboxConfig } from '../sandbox.config';

/** Users remembered (bounded memory in benchmarks; registered ones are what tests name). */
const MAX_USERS = 200_000;

/** How a user is registered: a username, whether the number is withheld from the business, whether parent ids are on. */
export interface SandboxUserSettings {
  username?: string;
  hidePhone?: boolean;
  parentId?: boolean;
}

interface SandboxUser extends SandboxUserSettings {
  waId: string;
  /** Bumped by a change of number (a new number has a new BSUID). */
  generation: number;
  /** Computed once. */
  bsuid?: string;
  /** The number's country (ISO 3166 alpha-2), null when it does not parse: computed once (parsing a number is costly). */
  country?: string | null;
}

/** The identifiers a webhook carries for a user: `wa_id` only when the number is shared. */
export interface UserIdentifiers {
  wa_id?: string;
  user_id: string;
  parent_user_id?: string;
  username?: string;
}

/**
 * WhatsApp users as Meta names them to this sandbox's business portfolio (its WABA) since 2026:
 * every user has a business-scoped user id (`CC.<digits>`, stable for the portfolio, new when the
 * user changes number); a registered user may have a username, may withhold their number (then no
 * `wa_id`, `from` nor `recipient_id` is sent), and may have a parent id (`CC.ENT.<digits>`).
 * https://developers.facebook.com/documentation/business-messaging/whatsapp/business-scoped-user-ids/
 */
@Injectable()
export class SandboxUsers {
  private readonly users = new Map<string, SandboxUser>();
  private readonly byBsuid = new Map<string, string>();

  constructor(private readonly config: SandboxConfig) {}

  register(phone: string, settings: SandboxUserSettings): UserIdentifiers {
    const waId = phone.replace(/\D/g, '');
    const user: SandboxUser = { ...this.user(waId), ...settings, waId, bsuid: undefined };
    this.users.set(waId, user);
    this.byBsuid.set(this.bsuid(user), waId);
    return this.identifiersOf(waId);
  }

  /** The user a send names: by number (`to` wins, as at Meta) or by BSUID (`recipient`); undefined for an unknown BSUID. */
  waIdOf(request: { to?: string; recipient?: string }): string | undefined {
    if (request.to) return request.to.replace(/\D/g, '');
    if (!request.recipient) return undefined;
    return this.byBsuid.get(request.recipient) ?? this.parentOwner(request.recipient);
  }

  /** The user a BSUID names (an inbound message simulated by BSUID). */
  waIdOfBsuid(bsuid: string): string | undefined {
    return this.byBsuid.get(bsuid);
  }

  identifiersOf(waId: string): UserIdentifiers {
    const user = this.user(waId);
    return {
      ...(user.hidePhone ? {} : { wa_id: waId }),
      user_id: this.bsuid(user),
      ...(user.parentId ? { parent_user_id: this.parent(user) } : {}),
      ...(user.username ? { username: user.username } : {}),
    };
  }

  /** The webhook `contacts` entry of a user. */
  contactOf(waId: string, name: string): WebhookContact {
    const ids = this.identifiersOf(waId);
    return {
      profile: { name, ...(ids.username ? { username: ids.username } : {}) },
      ...(ids.wa_id ? { wa_id: ids.wa_id } : {}),
      user_id: ids.user_id,
      ...(ids.parent_user_id ? { parent_user_id: ids.parent_user_id } : {}),
    };
  }

  /** `from`, `from_user_id`, `from_parent_user_id` of an inbound message. */
  senderFields(waId: string): { from?: string; from_user_id: string; from_parent_user_id?: string } {
    const ids = this.identifiersOf(waId);
    return {
      ...(ids.wa_id ? { from: ids.wa_id } : {}),
      from_user_id: ids.user_id,
      ...(ids.parent_user_id ? { from_parent_user_id: ids.parent_user_id } : {}),
    };
  }

  /**
   * `recipient_id`, `recipient_user_id`, `recipient_parent_user_id` of a status: the number only
   * when the message went to it or the user shares it; the BSUID always.
   */
  recipientFields(
    waId: string,
    sentToNumber: boolean,
  ): { recipient_id?: string; recipient_user_id: string; recipient_parent_user_id?: string } {
    const ids = this.identifiersOf(waId);
    return {
      ...(sentToNumber || ids.wa_id ? { recipient_id: waId } : {}),
      recipient_user_id: ids.user_id,
      ...(ids.parent_user_id ? { recipient_parent_user_id: ids.parent_user_id } : {}),
    };
  }

  /** `wa_id`, `user_id`, `parent_user_id` of a `user_preferences` entry. */
  preferenceFields(waId: string): { wa_id?: string; user_id: string; parent_user_id?: string } {
    const { username: _username, ...ids } = this.identifiersOf(waId);
    return ids;
  }

  /**
   * The user moves to a new number: their settings follow, and they get a new BSUID (Meta: a new
   * number has a new BSUID). Returns the identifiers before and after.
   */
  changeNumber(phone: string, newPhone: string): { before: UserIdentifiers; after: UserIdentifiers } {
    const waId = phone.replace(/\D/g, '');
    const next = newPhone.replace(/\D/g, '');
    const before = this.identifiersOf(waId);
    const user = this.user(waId);
    const moved: SandboxUser = { ...user, waId: next, generation: user.generation + 1, bsuid: undefined, country: undefined };
    this.users.delete(waId);
    this.users.set(next, moved);
    this.byBsuid.set(this.bsuid(moved), next);
    return { before, after: this.identifiersOf(next) };
  }

  clear(): void {
    this.users.clear();
    this.byBsuid.clear();
  }

  private user(waId: string): SandboxUser {
    const known = this.users.get(waId);
    if (known) return known;
    const user: SandboxUser = { waId, generation: 0 };
    // Every user has a BSUID, registered or not: it is how a send by BSUID finds them. Bounded for benchmarks.
    if (this.users.size >= MAX_USERS) this.clear();
    this.users.set(waId, user);
    this.byBsuid.set(this.bsuid(user), waId);
    return user;
  }

  /** The country of a user's number (ISO 3166 alpha-2), undefined when it does not parse. */
  countryOf(waId: string): string | undefined {
    return this.phoneCountry(this.user(waId)) ?? undefined;
  }

  /** `CC.` and 19 digits derived from the portfolio, the number and its generation. */
  private bsuid(user: SandboxUser): string {
    user.bsuid ??= `${this.country(user)}.${this.digits(`bsuid:${this.config.SANDBOX_WABA_ID}:${user.waId}:${user.generation}`)}`;
    return user.bsuid;
  }

  private parent(user: SandboxUser): string {
    return `${this.country(user)}.ENT.${this.digits(`parent:${user.waId}:${user.generation}`)}`;
  }

  private parentOwner(parent: string): string | undefined {
    for (const user of this.users.values()) if (user.parentId && this.parent(user) === parent) return user.waId;
    return undefined;
  }

  /** The BSUID's country prefix: the number's country, `US` when it has none. */
  private country(user: SandboxUser): string {
    return this.phoneCountry(user) ?? 'US';
  }

  private phoneCountry(user: SandboxUser): string | null {
    if (user.country === undefined) {
      const phone = normalizePhone(`+${user.waId}`);
      user.country = (phone.ok && phone.country) || null;
    }
    return user.country;
  }

  private digits(seed: string): string {
    const hash = createHmac('sha256', 'sandbox-bsuid').update(seed).digest();
    return (hash.readBigUInt64BE(0) % 10n ** 19n).toString().padStart(19, '1');
  }
}

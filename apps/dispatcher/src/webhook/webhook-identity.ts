import { Injectable } from '@nestjs/common';
import {
  ContactSealer,
  isBusinessScopedUserId,
  isParentBusinessScopedUserId,
  normalizePhone,
  type PersonIdentifierKind,
  Pseudonymizer,
} from '@wt/identity';
import { type IdentifierLink, PostgresPersonIdentifiers } from '@wt/vault';
import { type SystemChange, type WebhookContact } from '@wt/whatsapp';
import { counter } from '@wt/observability';
import { LRUCache } from 'lru-cache';

const resolvedTotal = counter({
  name: 'wt_webhook_person_resolved_total',
  help: 'People named by a webhook, by what named them (phone, bsuid, parent_bsuid) and how they were found (number, link, new)',
  labelNames: ['by', 'via'],
});

const mergesTotal = counter({
  name: 'wt_webhook_person_merges_total',
  help: 'People known only by a business-scoped user id found to be the person of a number (merged into them)',
});

const changesTotal = counter({
  name: 'wt_webhook_identity_changes_total',
  help: "System messages telling a person's number or BSUID changed, followed to the same person",
  labelNames: ['type'],
});

/**
 * How a webhook names a WhatsApp user: a number (when shared), a business-scoped user id, a parent
 * id, a username. Only in memory, for the handling of one webhook: never logged, never a key.
 */
export interface WebhookSender {
  e164?: string;
  bsuid?: string;
  parentBsuid?: string;
  username?: string;
}

/**
 * A person known only by a BSUID (`from`) found to be the person of a number (`into`): the webhook
 * that linked the BSUID to that person carried both. What is held under `from` moves to `into`.
 */
export interface PersonMerge {
  from: string;
  into: string;
  via: 'bsuid' | 'parent_bsuid';
}

/** The person a webhook names, and the address to reach them at (a number, else their BSUID). */
export interface ResolvedSender {
  personId: string;
  address: string;
  /** What named them. */
  by: PersonIdentifierKind;
  /** BSUID-only people this webhook showed to be this person (usually none). */
  merges: PersonMerge[];
}

/**
 * Reads the identifiers of a webhook's user: the number when it is a valid one, the BSUID and parent
 * BSUID when they have Meta's form, the username from the matching `contacts` entry. Undefined when
 * nothing usable names the user.
 */
export function senderOf(
  ids: { phone?: string; userId?: string; parentUserId?: string },
  contact?: WebhookContact,
): WebhookSender | undefined {
  const phone = ids.phone ? normalizePhone(`+${ids.phone.replace(/^\+/, '')}`) : undefined;
  const sender: WebhookSender = {
    e164: phone?.ok ? phone.e164 : undefined,
    bsuid: isBusinessScopedUserId(ids.userId) ? ids.userId : undefined,
    parentBsuid: isParentBusinessScopedUserId(ids.parentUserId) ? ids.parentUserId : undefined,
    username: typeof contact?.profile?.username === 'string' && contact.profile.username.length > 0 ? contact.profile.username : undefined,
  };
  // A number that is present but invalid makes the sender invalid: never guess the person from the rest.
  if (ids.phone && !sender.e164) return undefined;
  return sender.e164 || sender.bsuid || sender.parentBsuid ? sender : undefined;
}

/**
 * Resolves the people webhooks name to their personId, whatever names them (Meta's business-scoped
 * user ids, 2026): a number is its own pseudonym unless the person moved to it; a BSUID (or parent
 * id) is looked up in the identifier links; a BSUID never seen names a new person known only by it.
 * Every BSUID, parent id and username seen is linked to its person, sealed under that person's key
 * (`PostgresPersonIdentifiers`), so a later webhook that carries only the BSUID finds the same
 * person, their consent and their dispatches.
 */
@Injectable()
export class WebhookIdentities {
  /**
   * Links this replica wrote or read lately (digest → personId): a message's `sent`, `delivered`
   * and `read` statuses all carry the same BSUID, and only the first costs a vault round trip. A
   * link moved by another replica is seen here within the TTL.
   */
  private readonly recent = new LRUCache<string, string>({ max: 100_000, ttl: 60_000 });

  constructor(
    private readonly pseudonymizer: Pseudonymizer,
    private readonly sealer: ContactSealer,
    private readonly identifiers: PostgresPersonIdentifiers,
  ) {}

  async resolve(sender: WebhookSender, seenAt = new Date()): Promise<ResolvedSender> {
    const digests = this.digestsOf(sender);
    const wanted = Object.values(digests);
    const cached = new Map(wanted.flatMap((d) => (this.recent.has(d) ? [[d, this.recent.get(d) as string] as const] : [])));
    const known = cached.size === wanted.length ? cached : await this.identifiers.resolve(wanted);
    let personId: string;
    let via: 'number' | 'link' | 'new';
    const by: PersonIdentifierKind = sender.e164 ? 'phone' : sender.bsuid ? 'bsuid' : 'parent_bsuid';
    if (sender.e164) {
      const moved = digests.phone ? known.get(digests.phone) : undefined;
      personId = moved ?? this.pseudonymizer.personId(sender.e164);
      via = moved ? 'link' : 'number';
    } else {
      const linked = (digests.bsuid && known.get(digests.bsuid)) || (digests.parent_bsuid && known.get(digests.parent_bsuid)) || undefined;
      personId = linked ?? this.pseudonymizer.personIdOfBusinessScopedUser((sender.bsuid ?? sender.parentBsuid) as string);
      via = linked ? 'link' : 'new';
    }
    resolvedTotal.inc({ by, via });
    const merges = await this.link(personId, sender, seenAt);
    return { personId, address: (sender.e164 ?? sender.bsuid ?? sender.parentBsuid) as string, by, merges };
  }

  /**
   * Links a sender's BSUID, parent id and username to a person already known (a status of their
   * dispatch). Returns the BSUID-only people this shows to be that person.
   */
  async link(personId: string, sender: WebhookSender, seenAt = new Date()): Promise<PersonMerge[]> {
    const ids: { kind: PersonIdentifierKind; value: string }[] = [];
    if (sender.bsuid) ids.push({ kind: 'bsuid', value: sender.bsuid });
    if (sender.parentBsuid) ids.push({ kind: 'parent_bsuid', value: sender.parentBsuid });
    return this.writeLinks(personId, ids, sender.username, seenAt);
  }

  /**
   * A `system` message: the person changed number (`user_changed_number`, with the new number and
   * BSUID) or only their BSUID (`user_changed_user_id`). The new identifiers are linked to the same
   * person, so their consent and history follow; the old ones are marked replaced (still resolved,
   * for late webhooks), and sends go to the new address from then on (`movedAddresses`).
   */
  async followChange(from: WebhookSender, change: SystemChange, seenAt = new Date()): Promise<ResolvedSender | undefined> {
    if (change.type !== 'user_changed_number' && change.type !== 'user_changed_user_id') return undefined;
    const person = await this.resolve(from, seenAt);
    const next = senderOf({
      phone: change.type === 'user_changed_number' ? change.wa_id : undefined,
      userId: change.user_id,
      parentUserId: change.parent_user_id,
    });
    if (!next || (!next.e164 && !next.bsuid)) return person;
    const merges = [...person.merges];
    const old: { kind: PersonIdentifierKind; value: string }[] = [];
    if (from.e164 && next.e164 && from.e164 !== next.e164) old.push({ kind: 'phone', value: from.e164 });
    if (from.bsuid && next.bsuid && from.bsuid !== next.bsuid) old.push({ kind: 'bsuid', value: from.bsuid });
    const fresh: { kind: PersonIdentifierKind; value: string }[] = [];
    if (next.e164) fresh.push({ kind: 'phone', value: next.e164 });
    if (next.bsuid) fresh.push({ kind: 'bsuid', value: next.bsuid });
    if (next.parentBsuid) fresh.push({ kind: 'parent_bsuid', value: next.parentBsuid });
    merges.push(...(await this.writeLinks(person.personId, [...old, ...fresh], undefined, seenAt)));
    await this.identifiers.replaced(
      old.map((o) => this.pseudonymizer.identifierDigest(o.kind, o.value)),
      seenAt,
    );
    changesTotal.inc({ type: change.type });
    return { personId: person.personId, address: (next.e164 ?? next.bsuid) as string, by: person.by, merges };
  }

  /** The keyed pseudonym of what names a sender first (number, else BSUID, else parent id): for dedupe keys. */
  digestOf(sender: WebhookSender): string {
    const digests = this.digestsOf(sender);
    return (digests.phone ?? digests.bsuid ?? digests.parent_bsuid) as string;
  }

  private digestsOf(sender: WebhookSender): Partial<Record<PersonIdentifierKind, string>> {
    const digests: Partial<Record<PersonIdentifierKind, string>> = {};
    if (sender.e164) digests.phone = this.pseudonymizer.identifierDigest('phone', sender.e164);
    if (sender.bsuid) digests.bsuid = this.pseudonymizer.identifierDigest('bsuid', sender.bsuid);
    if (sender.parentBsuid) digests.parent_bsuid = this.pseudonymizer.identifierDigest('parent_bsuid', sender.parentBsuid);
    return digests;
  }

  /**
   * Seals each identifier (and the username) under the person's key, in one vault round trip, then
   * links them. Returns the merges: a BSUID (or parent id) that named a person known only by it and
   * now names `personId`.
   */
  private async writeLinks(
    personId: string,
    all: readonly { kind: PersonIdentifierKind; value: string }[],
    username: string | undefined,
    seenAt: Date,
  ): Promise<PersonMerge[]> {
    // Already linked to this person lately, with no username to record: nothing to write.
    const ids = username ? all : all.filter((i) => this.recent.get(this.pseudonymizer.identifierDigest(i.kind, i.value)) !== personId);
    if (ids.length === 0) return [];
    const sealed = await this.sealer.sealAll([
      ...ids.map((i) => ({ personId, e164: i.value })),
      ...(username ? [{ personId, e164: username }] : []),
    ]);
    const usernameSealed = username ? sealed[ids.length] : undefined;
    const links: IdentifierLink[] = ids.map((i, n) => ({
      digest: this.pseudonymizer.identifierDigest(i.kind, i.value),
      kind: i.kind,
      personId,
      sealed: sealed[n] as string,
      ...(i.kind === 'bsuid' && usernameSealed ? { usernameSealed } : {}),
    }));
    const moves = await this.identifiers.link(links, seenAt);
    for (const link of links) this.recent.set(link.digest, personId);
    // The people known only by one of these ids (their pseudonym is derived from it, see resolve).
    const bsuidOnly = new Map(
      ids
        .filter((i) => i.kind !== 'phone')
        .map((i) => [this.pseudonymizer.personIdOfBusinessScopedUser(i.value), i.kind as PersonMerge['via']]),
    );
    const merges = new Map<string, PersonMerge>();
    for (const move of moves) {
      const via = bsuidOnly.get(move.from);
      if (via && move.to === personId && move.from !== personId) merges.set(move.from, { from: move.from, into: personId, via });
    }
    if (merges.size > 0) mergesTotal.inc(merges.size);
    return [...merges.values()];
  }
}

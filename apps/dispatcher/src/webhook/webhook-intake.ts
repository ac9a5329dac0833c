import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { type InboundMessageV1, type PersonMergeV1, Topic } from '@wt/contracts';
import { ContactSealer, redactIdentifiers } from '@wt/identity';
import { DeadLetterSealer, httpDeadLettersFor, KafkaPublisher, type OutgoingRecord, type TopicRecords } from '@wt/kafka';
import { counter } from '@wt/observability';
import {
  inboundMessagesOf,
  isOptOutMessage,
  statusesOf,
  userPreferencesOf,
  whatsAppErrorTitle,
  type WhatsAppWebhookPayload,
} from '@wt/whatsapp';
import { createHash } from 'node:crypto';
import { type OutboxClaim } from '@wt/database';
import { DataSource, type EntityManager } from 'typeorm';
import { ConversionAttribution, wabaOfNumbers } from '../conversion/conversion-attribution';
import { OutcomeRecords, statusBase, traceOf } from '../dispatch/send-outcomes';
import { SendTracking } from '../dispatch/send-tracking';
import { MessageCosts } from '../pricing/message-costs';
import { AccountWebhooks } from './account-webhooks';
import { applyPersonMerges } from './person-merges';
import {
  OPT_OUT_REPLY_SOURCE,
  revocation,
  statusWithoutRecipient,
  type UnmatchedEvent,
  webhookDeadLetters,
  webhookEvent,
  webhookUnmatched,
} from './webhook-consent';
import { type PersonMerge, senderOf, WebhookIdentities } from './webhook-identity';
import { WebhookOutbox } from './webhook-outbox';

/** The route a webhook dead letter came through (header of the dead letter). */
const WEBHOOK_ROUTE = 'POST /v1/webhooks/whatsapp';
/** Fields of Meta's payloads that hold a phone number, a business-scoped user id or a username: masked in a dead letter. */
const PHONE_FIELDS = new Set([
  'wa_id',
  'from',
  'recipient_id',
  'display_phone_number',
  'input',
  'user_id',
  'parent_user_id',
  'from_user_id',
  'from_parent_user_id',
  'recipient_user_id',
  'recipient_parent_user_id',
  'recipient',
  'username',
]);
/** Meta's title (trimmed to fit the contract), or ours when a payload carries none. */
function titleOf(error: { code: number; title?: unknown }): string {
  return typeof error.title === 'string' && error.title ? error.title.slice(0, 400) : whatsAppErrorTitle(error.code);
}

const statusTotal = counter({
  name: 'wt_message_status_total',
  help: 'Message statuses received from WhatsApp (first delivery only)',
  labelNames: ['status'],
});

const unmatchedTotal = counter({
  name: 'wt_webhook_unmatched_statuses_total',
  help: 'Statuses for a message this dispatcher has no record of, by wamid or by biz_opaque_callback_data',
  labelNames: ['status'],
});

const deadLetteredTotal = counter({
  name: 'wt_webhook_dead_lettered_total',
  help: 'Correctly signed webhooks that could not be read (malformed JSON, missing fields), answered 200 and dead-lettered',
  labelNames: ['reason'],
});

/**
 * Meta's webhook, once its signature and shape are checked (WebhookController): message statuses,
 * inbound messages, marketing preferences and account changes. Everything is recorded in one
 * database transaction, opened here, with the records to publish written in the same transaction
 * (WebhookOutbox): a failure there throws (the controller answers 500) and Meta's redelivery is
 * processed afresh. Once it commits the webhook's effect is durable and it is answered 200, without
 * waiting for Kafka (Meta redelivers a webhook not answered quickly, and while a broker failed
 * over the answers took seconds). Its records are published right after the commit, holding no
 * database connection while Kafka answers; if that publish fails the outbox relay publishes them
 * later. A redelivery after success finds the event already recorded and publishes nothing.
 */
@Injectable()
export class WebhookIntake implements OnApplicationShutdown {
  private readonly logger = new Logger(WebhookIntake.name);
  /** Publishes after a commit still waiting for Kafka: a shutdown lets them finish (else the relay publishes their rows). */
  private readonly publishing = new Set<Promise<void>>();

  constructor(
    private readonly tracking: SendTracking,
    private readonly publisher: KafkaPublisher,
    private readonly sealer: ContactSealer,
    private readonly dataSource: DataSource,
    private readonly costs: MessageCosts,
    private readonly conversions: ConversionAttribution,
    private readonly identities: WebhookIdentities,
    private readonly account: AccountWebhooks,
    private readonly outbox: WebhookOutbox,
  ) {}

  /**
   * Merges another service published (ingest, when a business's event carried a BSUID with the
   * number it belongs to): the dispatcher's rows of the merged person move to the number's person,
   * in one transaction per batch. A merge already applied (the dispatcher's own, a replay) moves nothing.
   */
  async applyMerges(merges: readonly PersonMerge[]): Promise<void> {
    if (merges.length === 0) return;
    await this.dataSource.transaction((manager) => this.moveMerged(manager, merges));
  }

  /** The merged people's rows moved to their number's person (dispatch/ and conversion/ hold them); the merges to publish. */
  private moveMerged(manager: EntityManager, merges: readonly PersonMerge[]): Promise<OutgoingRecord<PersonMergeV1>[]> {
    return applyPersonMerges(manager, [this.tracking, this.conversions], merges, new Date().toISOString());
  }

  /** Records a signed `whatsapp_business_account` payload; returns how many statuses, messages and consent changes it held. */
  async record(payload: WhatsAppWebhookPayload): Promise<{ received: number }> {
    const out = new OutcomeRecords();
    const unknownStatuses: { status: string; wamid: string; phoneNumberId: string }[] = [];
    const inbound: OutgoingRecord<InboundMessageV1>[] = [];
    const unmatched: UnmatchedEvent[] = [];
    const merged: OutgoingRecord<PersonMergeV1>[] = [];
    const written = await this.dataSource.transaction(async (manager) => {
      // BSUID-only people this webhook shows to be a number's person: their rows move, profiles is told.
      const merge = async (merges: readonly PersonMerge[]) => {
        if (merges.length > 0) merged.push(...(await this.moveMerged(manager, merges)));
      };
      // Account webhooks (throughput, messaging limit, template status and quality): account-webhooks.ts.
      out.signals.push(...(await this.account.record(manager, payload)).signals);
      for (const { phoneNumberId, status } of statusesOf(payload)) {
        const error = status.errors?.[0];
        const row = await this.tracking.recordStatus(manager, status.id, status.biz_opaque_callback_data, status.status, error?.code);
        if (!row) {
          // A redelivered status, a retired attempt's, or (dead-lettered once) a message we have no record of.
          const unknown = !(await this.tracking.knowsMessage(manager, status.id, status.biz_opaque_callback_data));
          if (unknown) unknownStatuses.push({ status: status.status, wamid: status.id, phoneNumberId });
          if (unknown && (await this.tracking.firstTime(manager, `unmatched-status:${status.id}:${status.status}`))) {
            const detail = `status ${status.status} of ${status.id}: no message of this platform has this wamid or decision`;
            unmatched.push(webhookEvent('unmatched_status', detail, 'status', statusWithoutRecipient(phoneNumberId, status)));
          }
          webhookUnmatched.inc({ kind: 'status', reason: unknown ? 'unknown_message' : 'repeated' });
          continue;
        }
        // The recipient's business-scoped ids (2026): linked to the dispatch's person, so a later webhook naming only them finds the person.
        const recipient = senderOf({ userId: status.recipient_user_id, parentUserId: status.recipient_parent_user_id });
        if (recipient) await merge(await this.identities.link(row.personId, recipient));
        // A failed message gets its consequence (retry, give up, revoke consent...), named in the status as the sender does.
        const consequence =
          status.status === 'failed' && error
            ? await this.tracking.failed(manager, row, { code: error.code, title: titleOf(error), wamid: status.id }, out)
            : undefined;
        // What Meta bills for it (the `pricing` of `sent` and `delivered`), priced at the rate card.
        const pricing = await this.costs.billed(manager, row, status);
        out.statuses.push({
          key: row.personId,
          headers: traceOf(row),
          value: {
            ...statusBase(row, 'webhook'),
            ...(pricing ? { pricing } : {}),
            wamid: status.id,
            status: status.status,
            ...(error ? { errorCode: error.code, errorTitle: `${titleOf(error)}${consequence ? ` (${consequence.action})` : ''}` } : {}),
            occurredAt: new Date(Number(status.timestamp) * 1000).toISOString(),
          },
        });
      }

      const wabas = wabaOfNumbers(payload);
      for (const { phoneNumberId, message, contact } of inboundMessagesOf(payload)) {
        if (!(await this.tracking.firstTime(manager, `message:${message.id}`))) continue;
        // The sender by number, business-scoped user id or parent id (a user with a username may share no number).
        const sender = senderOf({ phone: message.from, userId: message.from_user_id, parentUserId: message.from_parent_user_id }, contact);
        if (!sender) {
          this.logger.warn(`inbound message ${message.id}: no valid number nor business-scoped user id names the sender; ignored`);
          webhookUnmatched.inc({ kind: 'inbound', reason: 'invalid_sender' });
          continue;
        }
        if (message.type === 'system') {
          // Not written by the person: their number or BSUID changed. Followed to the same person, not published.
          if (message.system) await merge((await this.identities.followChange(sender, message.system))?.merges ?? []);
          continue;
        }
        const { personId, address, by, merges } = await this.identities.resolve(sender);
        await merge(merges);
        const receivedAt = new Date(Number(message.timestamp) * 1000).toISOString();
        // STOP (and its French and English forms) to ANY business number revokes that business's
        // marketing consent, whether or not the assistant serves the number.
        if (message.type === 'text' && isOptOutMessage(message.text?.body)) {
          const businessId = await this.tracking.businessOf(manager, phoneNumberId);
          if (businessId) out.consents.push(revocation(personId, businessId, receivedAt, OPT_OUT_REPLY_SOURCE));
          else {
            this.logger.warn(`inbound opt-out ${message.id} to number ${phoneNumberId}: unknown business number; nothing to revoke`);
            webhookUnmatched.inc({ kind: 'stop', reason: 'unknown_business_number' });
          }
        }
        // A button tap's payload and the message it answers; the ad the person came from (its click id kept for conversions).
        const extra = await this.conversions.enrich(manager, message, {
          personId,
          phoneNumberId,
          receivedAt,
          businessId: await this.tracking.businessOf(manager, phoneNumberId),
          wabaId: wabas.get(phoneNumberId),
        });
        inbound.push({
          key: personId,
          value: {
            ...extra,
            wamid: message.id,
            personId,
            // The number, or for a person who shares none their BSUID (a reply goes to it as `recipient`).
            contact: await this.sealer.seal(personId, address),
            ...(by === 'phone' ? {} : { contactKind: 'bsuid' as const }),
            phoneNumberId,
            kind: message.type === 'text' || message.type === 'button' || message.type === 'interactive' ? message.type : 'other',
            text: message.text?.body ?? message.button?.text,
            inReplyToWamid: message.context?.id,
            receivedAt,
          },
        });
      }

      for (const { phoneNumberId, preference, contact } of userPreferencesOf(payload)) {
        if (preference.category !== 'marketing_messages') continue;
        const sender = senderOf({ phone: preference.wa_id, userId: preference.user_id, parentUserId: preference.parent_user_id }, contact);
        // Deduplicated by the sender's keyed digest, never by the number or BSUID in clear.
        const eventKey = `preference:${phoneNumberId}:${sender ? this.identities.digestOf(sender) : 'invalid'}:${preference.timestamp}:${preference.value}`;
        if (!(await this.tracking.firstTime(manager, eventKey))) continue;
        const businessId = await this.tracking.businessOf(manager, phoneNumberId);
        if (!businessId || !sender) {
          this.logger.warn(
            `marketing ${preference.value} for number ${phoneNumberId}: ${businessId ? 'invalid sender' : 'unknown business number'}; ignored`,
          );
          webhookUnmatched.inc({ kind: 'preference', reason: businessId ? 'invalid_sender' : 'unknown_business_number' });
          if (!businessId && sender) {
            const { wa_id: _waId, user_id: _userId, parent_user_id: _parentUserId, ...choice } = preference;
            const detail = `marketing ${preference.value} to number ${phoneNumberId}: no campaign names this number, so its business is unknown`;
            const { personId, merges } = await this.identities.resolve(sender);
            await merge(merges);
            unmatched.push(webhookEvent('unknown_business_number', detail, 'preference', { phoneNumberId, personId, ...choice }));
          }
          continue;
        }
        const { personId, merges } = await this.identities.resolve(sender);
        await merge(merges);
        const occurredAt = new Date(Number(preference.timestamp) * 1000).toISOString();
        if (preference.value === 'resume' && !sender.e164) {
          // A grant is collected with the number (consent.v1); a person who shares none cannot be re-granted from here.
          this.logger.warn(
            `marketing resume for number ${phoneNumberId} from a user who shares no number: not granted (a grant needs the number)`,
          );
          webhookUnmatched.inc({ kind: 'preference', reason: 'resume_without_number' });
          continue;
        }
        // A stop names the person by personId (no number on consent.v1); a resume is a grant, which needs the number.
        out.consents.push(
          preference.value === 'stop'
            ? revocation(personId, businessId, occurredAt, 'whatsapp-user-preferences')
            : {
                key: personId,
                value: {
                  phone: sender.e164 as string,
                  purpose: 'whatsapp_marketing',
                  businessId,
                  status: 'granted',
                  occurredAt,
                  source: 'whatsapp-user-preferences',
                  assertedVia: 'whatsapp_webhook',
                  assertedBy: 'dispatcher',
                },
              },
        );
      }
      // In the outbox, in the transaction: published after the commit, or by the relay, never lost.
      const all: TopicRecords[] = [
        ...out.batches(),
        { topic: Topic.WhatsappInboundV1, records: inbound },
        { topic: Topic.IdentityMergesV1, records: merged },
        { topic: Topic.DeadLetterV1, records: await webhookDeadLetters(this.sealer, unmatched) },
      ];
      const batches = all.filter((batch) => batch.records.length > 0);
      return batches.length > 0 ? { batches, claim: await this.outbox.addClaimed(manager, batches) } : undefined;
    });
    if (written) {
      const publish = this.publishAfterCommit(written.claim, written.batches);
      this.publishing.add(publish);
      void publish.finally(() => this.publishing.delete(publish));
    }
    for (const { value } of out.statuses) statusTotal.inc({ status: value.status });
    for (const { status, wamid, phoneNumberId } of unknownStatuses) {
      unmatchedTotal.inc({ status });
      // A wamid encodes the recipient's number: only a digest of it is logged.
      this.logger.warn(
        `status ${status} for a message this dispatcher has no record of (wamid sha256 ${digest(wamid)}, business number id ${phoneNumberId}); counted in wt_webhook_unmatched_statuses_total`,
      );
    }
    return { received: out.statuses.length + inbound.length + out.consents.length };
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all(this.publishing);
  }

  /**
   * A committed webhook's records, published: a failure is the outbox relay's to repair, not the
   * webhook's (its effect is durable; a 500 would only have Meta deliver it again, to find it recorded).
   */
  private async publishAfterCommit(claim: OutboxClaim, batches: TopicRecords[]): Promise<void> {
    try {
      if (!(await this.outbox.publishClaimed(claim, batches))) {
        this.logger.warn(`webhook outbox row ${claim.id}: its claim ran out before the publish; the outbox relay publishes it`);
      }
    } catch (error) {
      this.logger.warn(
        `webhook outbox row ${claim.id} not published after its commit (${error instanceof Error ? error.message : String(error)}); the outbox relay publishes it`,
      );
    }
  }

  /**
   * A signed webhook the handler cannot read, on the platform dead-letter topic (through
   * `httpDeadLettersFor`, origin `http`, sealed) with its reason; the phone numbers in it masked besides.
   */
  async deadLetter(
    raw: Buffer,
    payload: unknown,
    reason: 'malformed_json' | 'schema_violation',
    detail: string,
  ): Promise<{ received: number }> {
    const masked = Buffer.from(
      payload === undefined ? redactIdentifiers(raw.toString('utf8')) : JSON.stringify(maskPhones(payload)),
      'utf8',
    );
    // Sealed like every dead letter's original (under the day's dead-letter key: a webhook names no person), masked besides.
    const letters = await httpDeadLettersFor(
      'dispatcher',
      [{ reason, detail, value: masked, headers: { 'wt-http-route': WEBHOOK_ROUTE } }],
      new DeadLetterSealer(this.sealer),
    );
    await this.publisher.publish(Topic.DeadLetterV1, letters);
    deadLetteredTotal.inc({ reason });
    this.logger.warn(`signed webhook dead-lettered (${reason}): ${redactIdentifiers(detail).slice(0, 500)}`);
    return { received: 0 };
  }
}

function digest(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

/** A copy of a parsed payload (nesting bounded by the HTTP edge) with phone fields masked and phone-like text redacted. */
function maskPhones(value: unknown): unknown {
  if (typeof value === 'string') return redactIdentifiers(value);
  if (Array.isArray(value)) return value.map(maskPhones);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) => [
      key,
      typeof item === 'string' && PHONE_FIELDS.has(key)
        ? '[phone]'
        : typeof item === 'string' && key.endsWith('timestamp')
          ? item
          : maskPhones(item),
    ]),
  );
}

import { Injectable, Logger } from '@nestjs/common';
import { type MessageReaction } from '@wt/simulation';
import {
  type InboundMessage,
  maskPhoneNumber,
  type MessageStatusUpdate,
  type PricingCategory,
  type SendMessageRequest,
  type SendMessageResponse,
  type StatusConversation,
  type StatusPricing,
} from '@wt/whatsapp';
import { AccountState } from '../account/account-state';
import { TemplateQuality } from '../account/template-quality';
import { type Fault, FaultBook } from '../faults/fault-book';
import { GraphApiError } from '../graph/graph-api.error';
import { SandboxConfig } from '../sandbox.config';
import { SIMULATED_FAILURE_DETAILS, SimulatedRecipients } from '../simulation/simulated-recipients';
import { SandboxStats } from '../stats/sandbox-stats';
import { TemplateRegistry } from '../templates/template-registry';
import { type WebhookStep, WebhookDeliveryService } from '../webhooks/webhook-delivery.service';
import {
  displayPhoneNumber,
  inboundWebhook,
  statusWebhook,
  unixSeconds,
  userPreferencesWebhook,
  type WebhookOrigin,
} from '../webhooks/webhook-payloads';
import { type AcceptedMessage, MessageStore } from './message-store';
import { newWamid, randomId } from '../webhooks/random-ids';
import { PairRateLimit, ThroughputLimit } from './send-limits';
import { ServiceWindows } from './service-windows';
import { SERVICE_WINDOW_MS } from '@wt/contracts';
import { type PlannedStatus, planStatuses } from './status-plan';
import { SandboxUsers } from '../users/sandbox-users';

/** How the sandbox answers a send. */
export type SendOutcome =
  | { kind: 'accepted'; response: SendMessageResponse; wamid: string; dropConnection: boolean }
  | { kind: 'rejected'; error: GraphApiError }
  /** A bare HTTP error without a Graph body (a `bare` fault: a proxy's 503, a gateway's 502). */
  | { kind: 'bare'; httpStatus: number }
  | { kind: 'hang' };

/** How Meta fails a marketing template to a US number (error 131049, no charge). */
const US_MARKETING_FAILURE = {
  code: 131049,
  details: 'Marketing template messages are not delivered to US (+1) phone numbers since April 1, 2025.',
};

/** Open conversations kept (bounded memory in benchmarks). */
const MAX_CONVERSATIONS = 100_000;

/** What a template of Meta's category (`MARKETING`, `UTILITY`, `AUTHENTICATION`) is billed as; unregistered: marketing. */
function pricingCategoryOf(category: string | undefined): PricingCategory {
  const lower = (category ?? 'MARKETING').toLowerCase();
  return lower === 'utility' || lower === 'authentication' ? lower : 'marketing';
}

interface OpenConversation {
  id: string;
  expiresAt: number;
}

/**
 * Decides each send the way the Cloud API does: injected faults first, then throughput (130429),
 * then pair rate (131056); an accepted message gets its statuses reported by webhook.
 */
@Injectable()
export class MessagesService {
  private readonly logger = new Logger(MessagesService.name);
  private readonly throughput: ThroughputLimit;
  private readonly pairs: PairRateLimit;
  private readonly conversations = new Map<string, OpenConversation>();

  constructor(
    private readonly config: SandboxConfig,
    private readonly store: MessageStore,
    private readonly windows: ServiceWindows,
    private readonly faults: FaultBook,
    private readonly webhooks: WebhookDeliveryService,
    private readonly stats: SandboxStats,
    private readonly templates: TemplateRegistry,
    private readonly recipients: SimulatedRecipients,
    private readonly users: SandboxUsers,
    private readonly account: AccountState,
    private readonly quality: TemplateQuality,
  ) {
    this.throughput = new ThroughputLimit((id) => this.account.rateOf(id));
    this.pairs = new PairRateLimit(config.SANDBOX_PAIR_INTERVAL_MS);
  }

  send(phoneNumberId: string, request: SendMessageRequest, now = Date.now()): SendOutcome {
    // `to` (a number) or, since 2026, `recipient` (a business-scoped user id); `to` wins when both are given.
    const waId = this.users.waIdOf(request);
    if (waId === undefined)
      return this.reject(
        GraphApiError.invalidParameter('recipient', 'is not a business-scoped user id of this business'),
        'an unknown BSUID',
      );
    const recipient = maskPhoneNumber(waId);
    const fault = this.faults.match(phoneNumberId, waId);

    // A fault that stands for Meta's answer comes before the limits.
    if (fault?.mode === 'hang') {
      this.faults.consume(fault);
      this.stats.unanswered('hang');
      this.logger.debug(`send to ${recipient} left unanswered (fault ${fault.id})`);
      return { kind: 'hang' };
    }
    if (fault?.mode === 'reject') {
      this.faults.consume(fault);
      return this.reject(GraphApiError.injected(fault.code, fault.httpStatus), recipient);
    }
    if (fault?.mode === 'bare') {
      this.faults.consume(fault);
      const httpStatus = fault.httpStatus ?? 503;
      this.stats.rejected(`http${httpStatus}`);
      this.logger.debug(`send to ${recipient} answered a bare HTTP ${httpStatus} (fault ${fault.id})`);
      return { kind: 'bare', httpStatus };
    }
    let categories: readonly string[] = [];
    let pricingCategory: PricingCategory = request.type === 'template' ? 'marketing' : 'service';
    let marketing = false;
    if (request.type === 'template') {
      try {
        const registered = this.templates.check(phoneNumberId, request.template);
        categories = registered?.categories ?? [];
        pricingCategory = pricingCategoryOf(registered?.category);
        marketing = pricingCategory === 'marketing';
      } catch (error) {
        if (error instanceof GraphApiError) return this.reject(error, recipient);
        throw error;
      }
    }
    if (request.type === 'template') {
      // A template Meta paused or disabled for low quality (template-quality.ts).
      const refusal = this.quality.refusal(phoneNumberId, request.template.name, request.template.language.code);
      if (refusal) return this.reject(refusal, recipient);
    }
    // The account's state (account-state.ts): a number changing throughput, the portfolio's messaging limit.
    if (this.account.inMaintenance(phoneNumberId, now)) return this.reject(GraphApiError.maintenance(), recipient);
    const windowOpen = this.windows.isOpen(phoneNumberId, waId, now);
    if (request.type === 'template' && !this.account.admitsRecipient(waId, now, windowOpen)) {
      return this.reject(GraphApiError.messagingLimitReached(), recipient);
    }
    if (!this.throughput.allows(phoneNumberId, now)) return this.reject(GraphApiError.throughputExceeded(), recipient);
    if (!this.pairs.allows(phoneNumberId, waId, now)) return this.reject(GraphApiError.pairRateExceeded(), recipient);

    this.throughput.record(phoneNumberId, now);
    if (request.type === 'template') this.account.recordRecipient(waId, now, windowOpen);
    this.pairs.record(phoneNumberId, waId, now);
    if (fault) this.faults.consume(fault);

    const message: AcceptedMessage = {
      wamid: newWamid(),
      phoneNumberId,
      to: request.to ?? (request.recipient as string),
      waId,
      ...(request.to ? {} : { toBsuid: true }),
      type: request.type,
      ...(request.type === 'template' ? { templateName: request.template.name } : {}),
      pricingCategory,
      ...(request.biz_opaque_callback_data === undefined ? {} : { bizOpaqueCallbackData: request.biz_opaque_callback_data }),
      acceptedAt: new Date(now).toISOString(),
      statuses: [],
    };
    this.store.add(message);
    this.stats.accepted();
    const reaction =
      message.type === 'template' && fault?.mode !== 'status'
        ? this.recipients.react(phoneNumberId, waId, message.wamid, categories)
        : undefined;
    // Meta delivers no marketing template to US numbers since 2025-04-01: accepted, then failed with 131049.
    const usMarketing = marketing && this.users.countryOf(waId) === 'US';
    const planned = this.scheduleStatuses(
      message,
      fault,
      usMarketing ? undefined : reaction,
      now,
      usMarketing ? US_MARKETING_FAILURE : undefined,
    );
    // Quality is rated on the messages delivered: a failed one says nothing of the template.
    if (request.type === 'template' && planned.some((step) => step.status === 'delivered')) {
      this.quality.observe(phoneNumberId, request.template.name, request.template.language.code, {
        read: planned.some((step) => step.status === 'read'),
        optedOut: reaction?.optedOut === true,
      });
    }
    const dropConnection = fault?.mode === 'drop';
    if (dropConnection) this.stats.unanswered('drop');
    this.logger.debug(`accepted ${message.type} ${message.wamid} to ${recipient}${dropConnection ? ', connection to be dropped' : ''}`);
    return {
      kind: 'accepted',
      wamid: message.wamid,
      dropConnection,
      response: {
        messaging_product: 'whatsapp',
        contacts: [{ input: request.to ?? (request.recipient as string), ...this.responseContact(waId, request.to !== undefined) }],
        messages: [{ id: message.wamid }],
      },
    };
  }

  /**
   * A send through the Marketing Messages API: marketing templates only (100 otherwise, as Meta
   * answers), a registered template only once synced with the ad account (131009 before
   * SANDBOX_MM_API_SYNC_MS); then the same limits, statuses and webhooks as the Cloud API.
   */
  sendMarketing(phoneNumberId: string, request: SendMessageRequest, now = Date.now()): SendOutcome {
    const recipient = maskPhoneNumber(this.users.waIdOf(request) ?? '');
    if (request.type !== 'template') {
      return this.reject(new GraphApiError(400, 100, '(#100) Invalid parameter', 'Message must be a template message.'), recipient);
    }
    const registered = this.templates
      .list(phoneNumberId)
      .find((t) => t.name === request.template.name && t.language === request.template.language.code);
    if (registered?.category && registered.category !== 'MARKETING') {
      return this.reject(
        new GraphApiError(400, 100, '(#100) Invalid parameter', 'Only marketing templates can be sent with the Marketing Messages API.'),
        recipient,
      );
    }
    if (registered?.registeredAt !== undefined && now - registered.registeredAt < this.config.SANDBOX_MM_API_SYNC_MS) {
      return this.reject(
        new GraphApiError(
          400,
          131009,
          '(#131009) Parameter value is not valid',
          'Ad syncing for this template is incomplete. Wait 10 minutes and try again.',
        ),
        recipient,
      );
    }
    const outcome = this.send(phoneNumberId, request, now);
    if (outcome.kind === 'accepted') {
      const stored = this.store.get(outcome.wamid);
      if (stored) {
        stored.endpoint = 'marketing_messages';
        if (registered?.ttlSeconds !== undefined) stored.ttlSeconds = registered.ttlSeconds;
      }
    }
    return outcome;
  }

  /** The response's contact: the number when sent to it or shared, and the BSUID. */
  private responseContact(waId: string, toNumber: boolean): { wa_id?: string; user_id: string } {
    const { recipient_id, recipient_user_id } = this.users.recipientFields(waId, toNumber);
    return { ...(recipient_id ? { wa_id: recipient_id } : {}), user_id: recipient_user_id };
  }

  /** Forgets limits and conversations (with `POST /sandbox/reset`). */
  clear(): void {
    this.throughput.clear();
    this.pairs.clear();
    this.account.clear();
    this.quality.clear();
    this.conversations.clear();
    this.recipients.clear();
    this.users.clear();
  }

  private reject(error: GraphApiError, recipient: string): SendOutcome {
    this.stats.rejected(error.code);
    this.logger.debug(`rejected send to ${recipient}: ${error.code}`);
    return { kind: 'rejected', error };
  }

  private scheduleStatuses(
    message: AcceptedMessage,
    fault: Fault | undefined,
    reaction: MessageReaction | undefined,
    now: number,
    failure?: { code: number; details: string },
  ): readonly PlannedStatus[] {
    const planned = planStatuses({
      wamid: message.wamid,
      waId: message.waId,
      type: message.type,
      serviceWindowOpen: this.windows.isOpen(message.phoneNumberId, message.waId, now),
      readRate: this.config.SANDBOX_READ_RATE,
      ...(this.config.SANDBOX_UNREACHABLE_SUFFIX ? { unreachableSuffix: this.config.SANDBOX_UNREACHABLE_SUFFIX } : {}),
      ...(fault?.mode === 'status' ? { failWithCode: fault.code } : {}),
      ...(reaction?.failure
        ? {
            failWithCode: reaction.failure.errorCode,
            failDetails: SIMULATED_FAILURE_DETAILS[reaction.failure.errorCode] ?? 'Simulated.',
          }
        : {}),
      ...(reaction ? { read: reaction.read } : {}),
      ...(failure ? { failWithCode: failure.code, failDetails: failure.details } : {}),
    });
    const billing = planned[0]?.status === 'failed' ? undefined : this.billing(message, now);
    const origin: WebhookOrigin = {
      wabaId: this.config.SANDBOX_WABA_ID,
      phoneNumberId: message.phoneNumberId,
    };
    const delivered = planned.some((step) => step.status === 'delivered');
    this.webhooks.schedule([
      ...planned.map((step): WebhookStep => {
        let index = -1;
        return {
          delayMs: this.config.SANDBOX_STATUS_DELAY_MS,
          build: () => {
            const update = this.statusUpdate(message, step, billing);
            index =
              message.statuses.push({
                status: step.status,
                timestamp: update.timestamp,
                ...(step.error ? { errorCode: step.error.code } : {}),
                webhook: 'pending',
              }) - 1;
            this.stats.statusEmitted(step.status);
            return statusWebhook(origin, update);
          },
          settled: (outcome) => {
            const emitted = message.statuses[index];
            if (emitted) emitted.webhook = outcome;
          },
        };
      }),
      ...(reaction && delivered ? this.reactionSteps(message, reaction, origin) : []),
    ]);
    return planned;
  }

  /** What a simulated person does after reading: a reply, a button click, a stop of marketing. */
  private reactionSteps(message: AcceptedMessage, reaction: MessageReaction, origin: WebhookOrigin): WebhookStep[] {
    const contact = this.users.contactOf(message.waId, 'Simulated User');
    const context = { from: displayPhoneNumber(message.phoneNumberId), id: message.wamid };
    const inbound = (content: Pick<InboundMessage, 'type' | 'text' | 'button'>): WebhookStep => ({
      delayMs: this.config.SANDBOX_STATUS_DELAY_MS,
      build: () => {
        const at = Date.now();
        this.windows.recordInbound(message.phoneNumberId, message.waId, at);
        this.stats.inbound();
        return inboundWebhook(origin, contact, {
          ...this.users.senderFields(message.waId),
          id: newWamid(),
          timestamp: unixSeconds(at),
          context,
          ...content,
        } as InboundMessage);
      },
    });
    const steps: WebhookStep[] = [];
    if (reaction.replied) steps.push(inbound({ type: 'text', text: { body: 'Sounds good, tell me more' } }));
    if (reaction.clicked) steps.push(inbound({ type: 'button', button: { text: 'Show me', payload: 'sandbox_click' } }));
    if (reaction.optedOut) {
      steps.push({
        delayMs: this.config.SANDBOX_STATUS_DELAY_MS,
        build: () =>
          userPreferencesWebhook(origin, contact, {
            ...this.users.preferenceFields(message.waId),
            detail: 'User requested to stop marketing messages',
            category: 'marketing_messages',
            value: 'stop',
            timestamp: unixSeconds(Date.now()),
          }),
      });
    }
    return steps;
  }

  private statusUpdate(
    message: AcceptedMessage,
    step: PlannedStatus,
    billing: { conversation: StatusConversation; pricing: StatusPricing } | undefined,
  ): MessageStatusUpdate {
    const withBilling = billing && (step.status === 'sent' || step.status === 'delivered');
    return {
      id: message.wamid,
      status: step.status,
      timestamp: unixSeconds(Date.now()),
      ...this.users.recipientFields(message.waId, !message.toBsuid),
      ...(message.bizOpaqueCallbackData === undefined ? {} : { biz_opaque_callback_data: message.bizOpaqueCallbackData }),
      ...(withBilling
        ? {
            conversation:
              step.status === 'sent' ? billing.conversation : { id: billing.conversation.id, origin: billing.conversation.origin },
            pricing: billing.pricing,
          }
        : {}),
      ...(step.error ? { errors: [step.error] } : {}),
    };
  }

  /**
   * Conversation and pricing of a delivered message, as Meta's per-message pricing has them since
   * 2025-07-01: a template is billed in its category (the registered template's; marketing when
   * the number has no registry), except a utility template inside an open customer-service window
   * (free); a free-form text (inside the window) is a free service message. Meta reports them on
   * `sent` and `delivered`, with the conversation's expiry on the `sent` that opened it.
   */
  private billing(message: AcceptedMessage, now: number): { conversation: StatusConversation; pricing: StatusPricing } {
    const category: PricingCategory = message.pricingCategory ?? (message.type === 'template' ? 'marketing' : 'service');
    const free = category === 'service' || (category === 'utility' && this.windows.isOpen(message.phoneNumberId, message.waId, now));
    const key = `${message.phoneNumberId}:${message.waId}:${category}`;
    let open = this.conversations.get(key);
    const opened = !open || open.expiresAt <= now;
    if (!open || opened) {
      open = { id: randomId(16, 'hex'), expiresAt: now + SERVICE_WINDOW_MS };
      this.conversations.set(key, open);
      // Conversations only label billing here: past the cap, start over rather than grow.
      if (this.conversations.size > MAX_CONVERSATIONS) this.conversations.clear();
    }
    return {
      conversation: {
        id: open.id,
        ...(opened ? { expiration_timestamp: unixSeconds(open.expiresAt) } : {}),
        origin: { type: category },
      },
      pricing: free
        ? { billable: false, pricing_model: 'PMP', category, type: 'free_customer_service' }
        : { billable: true, pricing_model: 'PMP', category, type: 'regular' },
    };
  }
}

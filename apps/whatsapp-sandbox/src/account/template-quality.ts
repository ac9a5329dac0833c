import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { GraphApiError } from '../graph/graph-api.error';
import { SandboxConfig } from '../sandbox.config';
import { AccountState } from './account-state';

export type Quality = 'GREEN' | 'YELLOW' | 'RED' | 'UNKNOWN';
export type TemplateStatus = 'APPROVED' | 'PAUSED' | 'DISABLED';

interface Tracked {
  phoneNumberId: string;
  name: string;
  language: string;
  /** The last messages' outcomes, oldest first (at most SANDBOX_TEMPLATE_QUALITY_SAMPLE). */
  sample: { read: boolean; optedOut: boolean }[];
  quality: Quality;
  status: TemplateStatus;
  pauses: number;
  pausedUntil?: number;
}

/**
 * Template quality and pausing as Meta runs them (Meta's template quality and pausing docs, and the
 * `message_template_quality_update` / `message_template_status_update` webhook references):
 *
 * - Quality comes from how people answer a template's messages: few of them read, or people
 *   blocking / opting out, lower it. Meta does not publish its thresholds; the sandbox rates each
 *   template on its last SANDBOX_TEMPLATE_QUALITY_SAMPLE messages: RED when 10 % or more opted out
 *   or under 20 % were read, YELLOW when 5 % or more opted out or under 40 % were read, else GREEN
 *   (UNKNOWN until the sample is full). A change posts `message_template_quality_update`.
 * - A template whose quality falls to RED is paused, as Meta does for low quality: 3 hours the
 *   first time, 6 hours the second (SANDBOX_TEMPLATE_PAUSE_MS and twice it), disabled the third;
 *   each change posts `message_template_status_update` (PAUSED, then APPROVED when the pause ends;
 *   DISABLED). Sends of a paused template answer 132015, of a disabled one 132016.
 */
@Injectable()
export class TemplateQuality implements OnModuleDestroy {
  private readonly logger = new Logger(TemplateQuality.name);
  private readonly templates = new Map<string, Tracked>();
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(
    private readonly config: SandboxConfig,
    private readonly account: AccountState,
  ) {}

  onModuleDestroy(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  /** Meta's refusal of a send of this template, if it is paused or disabled. */
  refusal(phoneNumberId: string, name: string, language: string): GraphApiError | undefined {
    const tracked = this.templates.get(key(phoneNumberId, name, language));
    if (tracked?.status === 'PAUSED')
      return new GraphApiError(400, 132015, '(#132015) Template is Paused', `Template ${name} (${language}) is paused due to low quality.`);
    if (tracked?.status === 'DISABLED')
      return new GraphApiError(
        400,
        132016,
        '(#132016) Template is Disabled',
        `Template ${name} (${language}) was disabled due to low quality.`,
      );
    return undefined;
  }

  /** One message of the template and what its recipient does with it (read it, opted out). */
  observe(phoneNumberId: string, name: string, language: string, outcome: { read: boolean; optedOut: boolean }): void {
    const size = this.config.SANDBOX_TEMPLATE_QUALITY_SAMPLE;
    if (size === 0) return;
    const k = key(phoneNumberId, name, language);
    let tracked = this.templates.get(k);
    if (!tracked) {
      tracked = { phoneNumberId, name, language, sample: [], quality: 'UNKNOWN', status: 'APPROVED', pauses: 0 };
      this.templates.set(k, tracked);
    }
    if (tracked.status !== 'APPROVED') return;
    tracked.sample.push(outcome);
    if (tracked.sample.length > size) tracked.sample.shift();
    if (tracked.sample.length < size) return;
    const quality = rate(tracked.sample);
    if (quality === tracked.quality) return;
    const previous = tracked.quality;
    tracked.quality = quality;
    this.post(tracked, 'message_template_quality_update', { previous_quality_score: previous, new_quality_score: quality });
    if (quality === 'RED') this.pause(tracked);
  }

  list(): Omit<Tracked, 'sample'>[] {
    return [...this.templates.values()].map(({ sample: _sample, ...rest }) => rest);
  }

  clear(): void {
    this.onModuleDestroy();
    this.templates.clear();
  }

  private pause(tracked: Tracked): void {
    tracked.pauses++;
    if (tracked.pauses >= 3) {
      tracked.status = 'DISABLED';
      this.logger.log(`template ${tracked.name} (${tracked.language}) disabled: low quality a third time`);
      this.post(tracked, 'message_template_status_update', {
        event: 'DISABLED',
        reason: 'NONE',
        disable_info: { disable_date: String(Math.floor(Date.now() / 1000)) },
      });
      return;
    }
    const duration = this.config.SANDBOX_TEMPLATE_PAUSE_MS * tracked.pauses;
    tracked.status = 'PAUSED';
    tracked.pausedUntil = Date.now() + duration;
    const title = tracked.pauses === 1 ? 'FIRST_PAUSE' : 'SECOND_PAUSE';
    this.logger.log(`template ${tracked.name} (${tracked.language}) paused for ${duration} ms: low quality`);
    this.post(tracked, 'message_template_status_update', {
      event: 'PAUSED',
      reason: 'NONE',
      other_info: {
        title,
        description: `Your WhatsApp message template has been paused for ${Math.round(duration / 60_000)} minutes due to low quality.`,
      },
    });
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      tracked.status = 'APPROVED';
      tracked.pausedUntil = undefined;
      // A fresh start: the sample that paused it is not counted again.
      tracked.sample = [];
      tracked.quality = 'UNKNOWN';
      this.post(tracked, 'message_template_status_update', { event: 'APPROVED', reason: 'NONE' });
    }, duration);
    this.timers.add(timer);
  }

  private post(
    tracked: Tracked,
    field: 'message_template_quality_update' | 'message_template_status_update',
    fields: Record<string, unknown>,
  ): void {
    this.account.post({
      wabaId: this.config.SANDBOX_WABA_ID,
      field,
      value: {
        message_template_id: templateId(tracked),
        message_template_name: tracked.name,
        message_template_language: tracked.language,
        ...(field === 'message_template_status_update' ? { message_template_category: 'MARKETING' } : {}),
        ...fields,
      },
    } as Parameters<AccountState['post']>[0]);
  }
}

const key = (phoneNumberId: string, name: string, language: string) => `${phoneNumberId}\u0000${name}\u0000${language}`;

/** A stable numeric id, as Meta's template ids are numbers. */
function templateId(tracked: Tracked): number {
  return createHash('sha256')
    .update(key(tracked.phoneNumberId, tracked.name, tracked.language))
    .digest()
    .readUInt32BE(0);
}

function rate(sample: readonly { read: boolean; optedOut: boolean }[]): Quality {
  const optOuts = sample.filter((s) => s.optedOut).length / sample.length;
  const reads = sample.filter((s) => s.read).length / sample.length;
  if (optOuts >= 0.1 || reads < 0.2) return 'RED';
  if (optOuts >= 0.05 || reads < 0.4) return 'YELLOW';
  return 'GREEN';
}

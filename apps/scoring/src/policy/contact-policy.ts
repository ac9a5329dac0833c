import { hash } from 'node:crypto';
import { type CampaignV1 } from '@wt/contracts';
import { type MessagingHistory } from '../relevance/features';

export interface ContactPolicyOptions {
  /** Messages one business may send one person in 7 days, unless the campaign says fewer. */
  perBusinessWeeklyCap: number;
  /** Marketing messages one person may get in 24 h from all businesses together. */
  crossBusinessDailyCap: number;
  /** Quiet hours in the recipient's local time: [start, end) hours, wrapping over midnight. */
  quietStartHour: number;
  quietEndHour: number;
  /** Used when the snapshot has no time zone. */
  defaultTimeZone: string;
}

/**
 * Where a person falls in a campaign's audience, uniformly in [0, 1), the same on every replica
 * and every run: the first 52 bits of SHA-256("holdout:<campaign>:<person>").
 */
export function holdoutBucket(campaignId: string, personId: string): number {
  const digest = hash('sha256', `holdout:${campaignId}:${personId}`, 'buffer');
  return (digest.readUIntBE(0, 6) * 2 ** 4 + (digest[6] >> 4)) / 2 ** 52;
}

export function inHoldout(campaign: CampaignV1, personId: string): boolean {
  const share = campaign.holdoutShare ?? 0;
  return share > 0 && holdoutBucket(campaign.campaignId, personId) < share;
}

/** Per zone: its format, and the last instant it formatted (an evaluation asks for one `now` many times). */
const hourFormats = new Map<string, { format: Intl.DateTimeFormat; at: number; hour: number }>();

/** The local hour (0..23) at `now` in an IANA time zone; an unknown zone falls back to `fallback`. */
export function localHour(now: Date, timeZone: string | undefined, fallback: string): number {
  const zone = timeZone ?? fallback;
  let known = hourFormats.get(zone);
  if (!known) {
    try {
      known = { format: new Intl.DateTimeFormat('en-GB', { timeZone: zone, hour: 'numeric', hourCycle: 'h23' }), at: NaN, hour: 0 };
    } catch {
      return localHour(now, fallback, 'UTC');
    }
    hourFormats.set(zone, known);
  }
  const at = now.getTime();
  if (known.at !== at) {
    known.hour = Number(known.format.format(now)) % 24;
    known.at = at;
  }
  return known.hour;
}

export function isQuietHours(now: Date, timeZone: string | undefined, options: ContactPolicyOptions): boolean {
  const hour = localHour(now, timeZone, options.defaultTimeZone);
  const { quietStartHour: start, quietEndHour: end } = options;
  if (start === end) return false;
  return start < end ? hour >= start && hour < end : hour >= start || hour < end;
}

/** Per zone: a format of the local hour and minute (only for people in quiet hours: not on the hot path). */
const minuteFormats = new Map<string, Intl.DateTimeFormat>();

/**
 * When the quiet hours the person is in end: the next instant at `quietEndHour`:00 in their time
 * zone (the local morning a send is scheduled for). A daylight-saving change during the night moves
 * it by that hour; the evaluation then finds the person still in quiet hours and schedules again.
 */
export function quietHoursEnd(now: Date, timeZone: string | undefined, options: ContactPolicyOptions): Date {
  let zone = timeZone ?? options.defaultTimeZone;
  let format = minuteFormats.get(zone);
  if (!format) {
    try {
      format = new Intl.DateTimeFormat('en-GB', { timeZone: zone, hour: 'numeric', minute: 'numeric', hourCycle: 'h23' });
    } catch {
      zone = options.defaultTimeZone;
      format = new Intl.DateTimeFormat('en-GB', { timeZone: zone, hour: 'numeric', minute: 'numeric', hourCycle: 'h23' });
    }
    minuteFormats.set(timeZone ?? options.defaultTimeZone, format);
  }
  const parts = format.formatToParts(now);
  const hour = Number(parts.find((p) => p.type === 'hour')?.value ?? 0) % 24;
  const minute = Number(parts.find((p) => p.type === 'minute')?.value ?? 0);
  const minutes = (options.quietEndHour * 60 - (hour * 60 + minute) + 1440) % 1440 || 1440;
  const startOfMinute = now.getTime() - (now.getTime() % 60_000);
  return new Date(startOfMinute + minutes * 60_000);
}

/** Messages granted in this evaluation so far, added to the stored history. */
export class SlotLedger {
  private readonly day = new Map<string, number>();
  private readonly byBusiness = new Map<string, { day: number; week: number }>();

  constructor(
    private readonly history: ReadonlyMap<string, MessagingHistory>,
    private readonly options: ContactPolicyOptions,
  ) {}

  /**
   * Why this person cannot get one more message from this campaign's business now, or undefined.
   * `outcompeted` when the cap was free before this evaluation and another campaign took it.
   */
  blocker(personId: string, campaign: CampaignV1): 'frequency_capped' | 'outcompeted' | undefined {
    const h = this.history.get(personId);
    const stored = h?.byBusiness[campaign.businessId] ?? { sentLastDay: 0, sentLastWeek: 0 };
    const weeklyCap = Math.min(campaign.maxMessagesPerPersonPerWeek ?? Infinity, this.options.perBusinessWeeklyCap);
    const granted = this.byBusiness.get(`${personId}:${campaign.businessId}`) ?? { day: 0, week: 0 };
    const grantedDay = this.day.get(personId) ?? 0;
    const storedDay = h?.sentLastDay ?? 0;
    if (stored.sentLastWeek >= weeklyCap || storedDay >= this.options.crossBusinessDailyCap) return 'frequency_capped';
    if (stored.sentLastWeek + granted.week >= weeklyCap || storedDay + grantedDay >= this.options.crossBusinessDailyCap)
      return 'outcompeted';
    return undefined;
  }

  take(personId: string, businessId: string): void {
    this.day.set(personId, (this.day.get(personId) ?? 0) + 1);
    const key = `${personId}:${businessId}`;
    const granted = this.byBusiness.get(key) ?? { day: 0, week: 0 };
    this.byBusiness.set(key, { day: granted.day + 1, week: granted.week + 1 });
  }
}

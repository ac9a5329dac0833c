import { IsIn, IsInt, IsISO8601, IsOptional, IsString, Matches, MaxLength } from 'class-validator';

/**
 * What the dispatcher tells the platform about a business's ability to send, from Meta's answers:
 * - `campaigns_paused` (131048, spam rate limit): do not target this business's campaigns until `until`;
 * - `campaigns_resumed`: the pause ended;
 * - `sending_halted` (190 and other account errors): nothing can be sent until a human acts;
 * - `sending_resumed`: an operator resumed sending;
 * - `template_paused` (Meta paused or disabled the template: `message_template_status_update`):
 *   the business's campaigns that use `templateName` in `language` pause, with `reason`;
 * - `template_resumed`: the template is approved again; those campaigns resume.
 */
export const BUSINESS_SENDING_SIGNALS = [
  'campaigns_paused',
  'campaigns_resumed',
  'sending_halted',
  'sending_resumed',
  'template_paused',
  'template_resumed',
] as const;
export type BusinessSendingSignal = (typeof BUSINESS_SENDING_SIGNALS)[number];

/** `internal.whatsapp.business-signals.v1`, keyed by businessId (`*` when the whole platform is concerned). */
export class BusinessSendingSignalV1 {
  /** The business concerned, or `*` for every business (a halted access token). */
  @Matches(/^(\*|[A-Za-z0-9][A-Za-z0-9._:@/-]{0,127})$/)
  businessId: string;

  @IsOptional()
  @Matches(/^\d{1,32}$/)
  phoneNumberId?: string;

  @IsIn(BUSINESS_SENDING_SIGNALS)
  signal: BusinessSendingSignal;

  /** The template concerned (`template_paused`, `template_resumed`). */
  @IsOptional()
  @IsString()
  @MaxLength(512)
  templateName?: string;

  @IsOptional()
  @IsString()
  @MaxLength(32)
  language?: string;

  /** Meta's error code that caused it. */
  @IsOptional()
  @IsInt()
  errorCode?: number;

  @IsOptional()
  @IsString()
  @MaxLength(500)
  reason?: string;

  /** When a pause ends; absent for a halt (it lasts until resumed). */
  @IsOptional()
  @IsISO8601({ strict: true })
  until?: string;

  @IsISO8601({ strict: true })
  occurredAt: string;
}

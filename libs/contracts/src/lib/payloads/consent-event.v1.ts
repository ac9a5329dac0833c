import {
  IsIn,
  IsISO8601,
  IsISO31661Alpha2,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  MinLength,
  ValidateBy,
  ValidateIf,
  type ValidationOptions,
} from 'class-validator';
import {
  BSUID,
  CONSENT_PURPOSES,
  CONSENT_STATUSES,
  DECLARABLE_CONSENT_CHANNELS,
  IDENTIFIER,
  PERSON_ID,
  SEALED_CONTACT,
  type ConsentPurpose,
  type ConsentStatus,
  type DeclarableConsentChannel,
} from './common';

/**
 * The fields that can name the person of a consent change: exactly one of them is given, except
 * `phone` with `bsuid` (contract 1.3), which names one person by both and links them.
 */
export const CONSENT_PERSON_FIELDS = ['phone', 'personId', 'sealedContact', 'bsuid'] as const;

/** The person fields a record gives. */
function personFieldsOf(event: object): string[] {
  const record = event as Record<string, unknown>;
  return CONSENT_PERSON_FIELDS.filter((field) => record[field] !== undefined);
}

/** Exactly one person field, or `phone` and `bsuid` together. */
function namesThePersonOnce(event: object): boolean {
  const given = personFieldsOf(event);
  return given.length === 1 || (given.length === 2 && given.includes('phone') && given.includes('bsuid'));
}

/** The record names its person with one field only (checked on each of them that is given). */
function NamesThePersonOnce(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'namesThePersonOnce',
      validator: {
        validate: (_value, args) => args !== undefined && namesThePersonOnce(args.object),
        defaultMessage: () => `name the person with exactly one of ${CONSENT_PERSON_FIELDS.join(', ')} (or phone with bsuid)`,
      },
    },
    options,
  );
}

/** `personId` and `sealedContact` name a person only in a revocation: a grant is collected with the number. */
function OnlyInRevocation(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'onlyInRevocation',
      validator: {
        validate: (_value, args) => (args?.object as { status?: unknown } | undefined)?.status === 'revoked',
        defaultMessage: (args) =>
          `${args?.property ?? 'this field'} names the person only when status is revoked (a grant needs the phone)`,
      },
    },
    options,
  );
}

/**
 * `consent.v1`: a person granted or revoked a purpose.
 *
 * The person is named by exactly one of:
 * - `phone` (any common form; a grant always needs it), as businesses send it;
 * - `personId` (since contract 1.1, revocations only): the platform's pseudonym, as the platform's
 *   own services publish the revocations they observe (a STOP, Meta's error 131050), so that no
 *   number travels in clear on this topic;
 * - `sealedContact` (since contract 1.1, revocations only): a contact sealed by the platform
 *   (`v2.<personId>....`), which names its person. Ingest reads the person from it and never
 *   forwards it;
 * - `bsuid` (since contract 1.3, grants and revocations): the WhatsApp business-scoped user id of a
 *   user who shares no number (a `user_preferences` opt-out, a username user's opt-in), alone or
 *   with `phone` (both then name one person, and ingest links them).
 */
export class ConsentEventV1 {
  /** Absent when `personId`, `sealedContact` or `bsuid` alone names the person. */
  @ValidateIf((event: ConsentEventV1) => event.phone !== undefined || personFieldsOf(event).length === 0)
  @IsString()
  @MinLength(3)
  @MaxLength(32)
  @NamesThePersonOnce()
  phone?: string;

  @IsOptional()
  @Matches(PERSON_ID, { message: 'personId must be 64 lower-case hex characters' })
  @NamesThePersonOnce()
  @OnlyInRevocation()
  personId?: string;

  /** A `v2.` sealed contact (it names its person; a `v1.` value names none and is refused by ingest). */
  @IsOptional()
  @Matches(SEALED_CONTACT, { message: 'sealedContact must be a contact sealed by the platform' })
  @NamesThePersonOnce()
  @OnlyInRevocation()
  sealedContact?: string;

  /** Since contract 1.3: the person's WhatsApp business-scoped user id (`CC.<alphanumerics>`), alone or with `phone`. */
  @IsOptional()
  @Matches(BSUID, { message: 'bsuid must be a business-scoped user id: CC.<1-128 letters or digits>' })
  @NamesThePersonOnce()
  bsuid?: string;

  /** `whatsapp_marketing` is per business; `cross_app_profiling` is platform-wide. */
  @IsIn(CONSENT_PURPOSES)
  purpose: ConsentPurpose;

  /** Required for `whatsapp_marketing`, absent for `cross_app_profiling`. */
  @ValidateIf((event: ConsentEventV1) => event.purpose === 'whatsapp_marketing' || event.businessId !== undefined)
  @Matches(IDENTIFIER, { message: 'businessId is required for whatsapp_marketing and must be an identifier' })
  businessId?: string;

  @IsIn(CONSENT_STATUSES)
  status: ConsentStatus;

  @IsISO8601({ strict: true, strictSeparator: true })
  occurredAt: string;

  /** Where consent was collected, e.g. `web-form`, `whatsapp-reply`, `store`. */
  @Matches(IDENTIFIER)
  source: string;

  @IsOptional()
  @IsISO31661Alpha2()
  country?: string;

  /**
   * Attribution declared by a producer on `consent.v1` (Kafka does not tell a consumer who
   * produced a record): how the change was asserted, `kafka_producer` when absent. Over HTTP it is
   * ignored: ingest sets `http_api` and the API key's identity.
   */
  @IsOptional()
  @IsIn(DECLARABLE_CONSENT_CHANNELS)
  assertedVia?: DeclarableConsentChannel;

  /** Who asserts it, declared by the producer (its service or team, e.g. `dispatcher`); `unidentified` when absent. */
  @IsOptional()
  @Matches(IDENTIFIER)
  assertedBy?: string;
}

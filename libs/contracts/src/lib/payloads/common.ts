/** Values shared by several payloads. Slugs and enums are part of the public API. */
export const ENGAGEMENT_SOURCES = ['facebook', 'instagram'] as const;
export type EngagementSource = (typeof ENGAGEMENT_SOURCES)[number];

export const ENGAGEMENT_TYPES = ['view', 'like', 'comment', 'share', 'follow', 'click', 'save', 'purchase'] as const;
export type EngagementType = (typeof ENGAGEMENT_TYPES)[number];

/**
 * Validation context of a "kind" field (an event's `type`): a well-formed value outside the known
 * set is refused as `unknown_type`, not `schema_violation`, so a producer ahead of us (a new kind of
 * event) can be told apart from a broken one, and its dead letters replayed once the kind is supported.
 */
export const KIND_FIELD = { kind: true } as const;

export const CONSENT_PURPOSES = ['whatsapp_marketing', 'cross_app_profiling'] as const;
export type ConsentPurpose = (typeof CONSENT_PURPOSES)[number];

export const CONSENT_STATUSES = ['granted', 'revoked'] as const;
export type ConsentStatus = (typeof CONSENT_STATUSES)[number];

/**
 * How a consent change reached the platform (who vouches for it is `assertedBy`): `http_api`
 * ingest's HTTP door, under a business API key; `kafka_producer` a record on `consent.v1` whose
 * producer declared nothing more; `whatsapp_webhook` the dispatcher, from WhatsApp's webhook or
 * answers; `assistant` the customer-service bot, from a conversation (a STOP).
 */
export const CONSENT_CHANNELS = ['http_api', 'kafka_producer', 'whatsapp_webhook', 'assistant'] as const;
export type ConsentChannel = (typeof CONSENT_CHANNELS)[number];
/** What a producer on `consent.v1` may declare: `http_api` is set by ingest's HTTP door only. */
export const DECLARABLE_CONSENT_CHANNELS = ['kafka_producer', 'whatsapp_webhook', 'assistant'] as const satisfies readonly ConsentChannel[];
export type DeclarableConsentChannel = (typeof DECLARABLE_CONSENT_CHANNELS)[number];

/** Id of an API key (the part of `wtk_<id>.<secret>` that is not secret). */
export const API_KEY_ID = /^[A-Za-z0-9_-]{12}$/;

/** Interest category slug: lower-case words joined by `-`, `_` or `.`, e.g. `running-shoes`. */
export const CATEGORY_SLUG = /^[a-z0-9]+(?:[-_.][a-z0-9]+)*$/;
export const MAX_CATEGORIES = 32;

/** Identifier chosen by a producer or by us: printable, no spaces, at most 128 characters. */
export const IDENTIFIER = /^[A-Za-z0-9][A-Za-z0-9._:@/-]{0,127}$/;

/**
 * A person inside the platform: HMAC-SHA256 of the E.164 number under a secret key, hex.
 * It is the Kafka key and the database key; it cannot be turned back into a number.
 */
export const PERSON_ID = /^[0-9a-f]{64}$/;

/**
 * A WhatsApp business-scoped user id (contract 1.3): Meta's identifier of a WhatsApp user within one
 * business portfolio, `CC.<up to 128 alphanumerics>` (e.g. `US.13491208655302741918`). A user who
 * adopts a username may share only it, not a number. Personal data like a phone: ingest turns it
 * into the person's id and seals it; it never travels further in clear. (The same form as
 * `BUSINESS_SCOPED_USER_ID` in `@wt/identity`, which the contracts do not depend on.)
 */
export const BSUID = /^[A-Z]{2}\.[A-Za-z0-9]{1,128}$/;

/**
 * Opaque ciphertext of an E.164 number, base64url: `v2.<personId>.<keyVersion>.<iv>.<tag>.<data>`
 * under the person's own key from the key vault (erasing the key makes every copy unreadable);
 * `v1.<iv>.<tag>.<data>` under the former platform key, still accepted while old values remain.
 */
export const SEALED_CONTACT = /^(?:v2\.[0-9a-f]{64}\.[1-9][0-9]{0,18}|v1)\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/**
 * Categories Meta prices a message in (per-message pricing since 2025-07-01): a template's
 * category, `authentication_international` where Meta has that rate, `service` for free-form
 * messages inside the customer-service window.
 */
export const PRICING_CATEGORIES = ['marketing', 'utility', 'authentication', 'authentication_international', 'service'] as const;
export type PricingCategoryName = (typeof PRICING_CATEGORIES)[number];

/** Categories a template can have (Meta's template categories). */
export const TEMPLATE_CATEGORIES = ['marketing', 'utility', 'authentication'] as const;
export type TemplateCategory = (typeof TEMPLATE_CATEGORIES)[number];

/** ISO 4217 currency code. */
export const CURRENCY_CODE = /^[A-Z]{3}$/;

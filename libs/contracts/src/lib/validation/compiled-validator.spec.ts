import { TOPIC_PAYLOAD_CLASSES } from '../topics/topic-payloads';
import { Topic } from '../topics/topic.enum';
import { fastValidate, NOT_SURE, planOf } from './compiled-validator';
import { classValidatorVerdict, validatePayload } from './validate-payload';

const PERSON = 'a'.repeat(64);
const CONTACT = 'v1.aaaa.bbbb.cccc';
const AT = '2026-11-28T10:00:00Z';

/** One valid record per topic, in the shape its producer writes (checked valid below). */
const VALID: { [T in Topic]: Record<string, unknown> } = {
  [Topic.SocialEngagementV1]: {
    eventId: 'evt-1',
    source: 'instagram',
    type: 'purchase',
    phone: '+33 6 12 34 56 78',
    occurredAt: AT,
    categories: ['running-shoes', 'fitness'],
    businessId: 'acme',
    contentId: 'post-9',
    value: 12.5,
    currency: 'EUR',
    country: 'FR',
  },
  [Topic.ConsentV1]: {
    phone: '+33612345678',
    purpose: 'whatsapp_marketing',
    businessId: 'acme',
    status: 'granted',
    occurredAt: AT,
    source: 'web-form',
    country: 'FR',
  },
  [Topic.PrivacyRequestsV1]: { requestId: 'req-1', phone: '+33612345678', type: 'erasure', requestedAt: AT, country: 'FR' },
  [Topic.CampaignsV1]: {
    campaignId: 'spring-run',
    businessId: 'acme',
    name: 'Spring run',
    status: 'active',
    phoneNumberId: '1000001',
    template: {
      name: 'new_collection',
      language: 'en_US',
      bodyParameters: [
        { from: 'profile', value: 'topInterest' },
        { from: 'literal', value: 'Hi' },
      ],
    },
    targetCategories: ['running-shoes'],
    minRelevance: 0.3,
    budgetMessages: 10,
    startsAt: AT,
    endsAt: '2026-12-28T10:00:00Z',
    maxMessagesPerPersonPerWeek: 2,
    holdoutShare: 0.1,
    updatedAt: AT,
  },
  [Topic.TargetingDecisionsV1]: {
    decisionId: 'd-1',
    campaignId: 'spring-run',
    businessId: 'acme',
    personId: PERSON,
    outcome: 'send',
    reason: 'relevant',
    score: 0.7,
    modelVersion: 'logreg-v3',
    decidedAt: AT,
    triggeredByEventAt: AT,
    explanation: {
      summary: 'likes running',
      consentBasis: ['whatsapp_marketing:acme'],
      holdout: false,
      factors: [
        { name: 'interest.match', value: 0.8, contribution: 0.4, kind: 'first_party' },
        { name: 'bias', value: 1, contribution: -0.1 },
      ],
    },
    send: { phoneNumberId: '1000001', contact: CONTACT, templateName: 'new_collection', language: 'en_US', bodyParameters: ['running'] },
  },
  [Topic.WhatsappMessageStatusV1]: {
    decisionId: 'd-1',
    campaignId: 'spring-run',
    businessId: 'acme',
    personId: PERSON,
    wamid: 'wamid.1',
    status: 'failed',
    errorCode: 131026,
    errorTitle: 'Message undeliverable',
    occurredAt: AT,
    reportedBy: 'webhook',
  },
  [Topic.WhatsappInboundV1]: {
    wamid: 'wamid.2',
    personId: PERSON,
    contact: CONTACT,
    phoneNumberId: '1000001',
    kind: 'text',
    text: 'hello',
    inReplyToWamid: 'wamid.1',
    receivedAt: AT,
  },
  [Topic.AssistantHandoffsV1]: {
    handoffId: 'h-1',
    businessId: 'acme',
    personId: PERSON,
    contact: CONTACT,
    phoneNumberId: '1000001',
    reason: 'low_confidence',
    text: 'help',
    language: 'fr',
    confidence: 0.2,
    bestEntryId: 'faq-1',
    inReplyToWamid: 'wamid.2',
    personNotified: true,
    requestedAt: AT,
  },
  [Topic.EngagementNormalizedV1]: {
    dedupeKey: 'instagram:evt-1',
    personId: PERSON,
    contact: CONTACT,
    source: 'instagram',
    type: 'like',
    occurredAt: AT,
    categories: ['fitness'],
    businessId: 'acme',
    contentId: 'post-9',
    value: 3,
    currency: 'EUR',
    country: 'FR',
    ingestedAt: AT,
  },
  [Topic.ConsentNormalizedV1]: {
    personId: PERSON,
    contact: CONTACT,
    purpose: 'whatsapp_marketing',
    businessId: 'acme',
    status: 'revoked',
    occurredAt: AT,
    source: 'whatsapp',
    country: 'FR',
  },
  [Topic.ProfileSnapshotsV1]: {
    personId: PERSON,
    version: 3,
    updatedAt: AT,
    contact: CONTACT,
    country: 'FR',
    timeZone: 'Europe/Paris',
    interests: { 'running-shoes': 8, cooking: 1.5 },
    signalBasis: 'cross_app',
    firstPartyInterests: { acme: { 'running-shoes': 8 } },
    serviceWindowOpenUntil: AT,
    serviceWindows: { '1000001': AT },
    interestHalfLifeHours: 24,
    consents: { whatsappMarketing: ['acme'], crossAppProfiling: true },
    activity: { totalEvents: 3, eventsBySource: { facebook: 1, instagram: 2 }, eventsByBusiness: { acme: 1 }, lastSeenAt: AT },
  },
  [Topic.AssistantRepliesV1]: {
    replyId: 'r-1',
    businessId: 'acme',
    personId: PERSON,
    contact: CONTACT,
    phoneNumberId: '1000001',
    text: 'Bonjour',
    inReplyToWamid: 'wamid.2',
    requestedAt: AT,
  },
  [Topic.BusinessSendingSignalsV1]: {
    businessId: 'acme',
    phoneNumberId: '1000001',
    signal: 'campaigns_paused',
    errorCode: 131048,
    reason: 'spam rate limit',
    until: AT,
    occurredAt: AT,
  },
  [Topic.PrivacyErasuresV1]: { personId: PERSON, requestId: 'req-1', erasedAt: AT },
  [Topic.IdentityMergesV1]: { fromPersonId: 'b'.repeat(64), intoPersonId: PERSON, via: 'bsuid', mergedAt: AT },
  [Topic.PrivacyExportsV1]: { requestId: 'req-1', personId: PERSON, exportedAt: AT, data: { profile: { version: 3 } } },
  [Topic.DeadLetterV1]: {
    reason: 'schema_violation',
    detail: 'type: must be one of',
    originTopic: 'social.engagement.v1',
    originPartition: 2,
    originOffset: '17',
    service: 'ingest',
    payloadBase64: 'e30=',
    headers: { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' },
    failedAt: AT,
  },
};

/** Values a field is replaced with, of every JSON type and the shapes the constraints test. */
const REPLACEMENTS: unknown[] = [
  undefined,
  null,
  0,
  -1,
  1,
  1.5,
  2,
  131026,
  Number.MAX_SAFE_INTEGER,
  '',
  ' ',
  'x',
  'acme',
  'a'.repeat(300),
  'a'.repeat(5000),
  '12',
  'NaN',
  true,
  false,
  [],
  [1],
  ['x'],
  ['running-shoes'],
  [null],
  [[]],
  [{}],
  {},
  { a: 1 },
  { from: 'profile', value: 'x' },
  AT,
  '2026-11-28',
  '2026-11-28 10:00:00Z',
  '2026-13-45T10:00:00Z',
  // Instants the compiled validator's shortcut for @IsISO8601({ strict: true }) reads (utc-instant.ts), valid and not.
  '2024-02-29T10:00:00.123Z',
  '2026-02-29T10:00:00Z',
  '2026-04-31T10:00:00Z',
  '2026-11-28T24:00:00Z',
  '2026-11-28T10:60:00Z',
  '2026-11-28T10:00:60Z',
  '2026-11-28T10:00:00.Z',
  '2026-11-28T10:00:00z',
  '2026-11-28T10:00:00+02:00',
  '0999-11-28T10:00:00Z',
  '\uff12026-11-28T10:00:00Z',
  '2026-11-28T10:00:00Z\n',
  'FR',
  'fr',
  'EUR',
  'eur',
  PERSON,
  PERSON.toUpperCase(),
  CONTACT,
  '1000001',
  'en_US',
  'instagram',
  'purchase',
  'send',
  'granted',
  'whatsapp_marketing',
  'first_party',
  'Europe/Paris',
];

/** Every path to a field, nested objects and array items included. */
function paths(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  if (value === null || typeof value !== 'object') return [];
  const keys = Array.isArray(value) ? value.map((_, i) => i) : Object.keys(value);
  return keys.flatMap((k) => [[...prefix, k], ...paths((value as Record<string | number, unknown>)[k], [...prefix, k])]);
}

function withValue(record: Record<string, unknown>, path: (string | number)[], value: unknown): Record<string, unknown> {
  const copy = structuredClone(record);
  let node = copy as Record<string | number, unknown>;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  const last = path[path.length - 1] as string | number;
  if (value === undefined && !Array.isArray(node)) delete node[last];
  else node[last] = value;
  return copy;
}

/** JSON with sorted keys, so that two values compare by content. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1))) : v,
  );
}

function mutations(record: Record<string, unknown>): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const path of paths(record)) for (const value of REPLACEMENTS) out.push(withValue(record, path, value));
  // Unknown fields, at the top and nested, and keys that touch prototypes.
  out.push({ ...record, extra: 'dropped' });
  for (const path of paths(record)) {
    const node = path.reduce<unknown>((n, k) => (n as Record<string | number, unknown>)[k], record);
    if (node !== null && typeof node === 'object' && !Array.isArray(node)) out.push(withValue(record, [...path, 'extra'], 1));
  }
  out.push(JSON.parse(`{"__proto__": {"x": 1}, ${JSON.stringify(record).slice(1)}`) as Record<string, unknown>);
  out.push(JSON.parse(`{"constructor": {"name": "x"}, ${JSON.stringify(record).slice(1)}`) as Record<string, unknown>);
  return out;
}

describe('compiled validator (the fast path of validatePayload)', () => {
  const topics = Object.values(Topic);

  it.each(topics)('has a plan for %s (every constraint of its payload class is modelled)', (topic) => {
    expect(planOf(TOPIC_PAYLOAD_CLASSES[topic])).toBeDefined();
  });

  it.each(topics)('accepts the valid %s record exactly as class-validator does', (topic) => {
    const slow = classValidatorVerdict(topic, structuredClone(VALID[topic]));
    expect(slow).toMatchObject({ ok: true });
    const fast = fastValidate(TOPIC_PAYLOAD_CLASSES[topic], structuredClone(VALID[topic]));
    expect(fast).not.toBe(NOT_SURE);
    expect(canonical(fast)).toBe(canonical(slow.ok && slow.value));
  });

  it.each(topics)('never accepts a mutated %s record that class-validator refuses, and returns the same value', (topic) => {
    let acceptedByBoth = 0;
    let acceptedBySlowOnly = 0;
    let refused = 0;
    for (const record of mutations(VALID[topic])) {
      const slow = classValidatorVerdict(topic, structuredClone(record));
      const fast = fastValidate(TOPIC_PAYLOAD_CLASSES[topic], structuredClone(record));
      if (fast === NOT_SURE) {
        if (slow.ok) acceptedBySlowOnly += 1;
        else refused += 1;
        continue;
      }
      if (!slow.ok)
        throw new Error(`fast path accepted what class-validator refuses: ${canonical(record)} (${JSON.stringify(slow.violations)})`);
      expect(canonical(fast)).toBe(canonical(slow.value));
      acceptedByBoth += 1;
    }
    // Both verdicts occur, and the fast path is the one that serves valid records.
    expect(refused).toBeGreaterThan(0);
    expect(acceptedByBoth).toBeGreaterThan(0);
    expect(acceptedBySlowOnly).toBeLessThanOrEqual(Math.ceil(0.05 * (acceptedByBoth + acceptedBySlowOnly)) + 4);
  });

  it('leaves conversions to class-transformer: a purchase value sent as a string is still accepted, by the slow path', () => {
    const record = { ...VALID[Topic.SocialEngagementV1], value: '12.5' };
    expect(fastValidate(TOPIC_PAYLOAD_CLASSES[Topic.SocialEngagementV1], record)).toBe(NOT_SURE);
    const result = validatePayload(Topic.SocialEngagementV1, record);
    expect(result.ok && result.value.value).toBe(12.5);
  });
});

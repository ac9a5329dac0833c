import { ALL_TOPIC_SPECS, TOPIC_SPECS, topicConfigEntries } from '../topics/topic-specs';
import { TOPIC_PAYLOAD_CLASSES, type TopicPayload } from '../topics/topic-payloads';
import { Topic } from '../topics/topic.enum';
import { describeViolations, validatePayload } from './validate-payload';

const engagement = {
  eventId: 'evt-1',
  source: 'instagram',
  type: 'like',
  phone: '+33 6 12 34 56 78',
  occurredAt: '2026-11-28T10:00:00Z',
  categories: ['running-shoes', 'fitness'],
};

describe('validatePayload', () => {
  it('accepts a valid engagement event and returns a typed instance', () => {
    const result = validatePayload(Topic.SocialEngagementV1, engagement);
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.value.categories).toEqual(['running-shoes', 'fitness']);
  });

  it('names each bad field with its problem', () => {
    const result = validatePayload(Topic.SocialEngagementV1, {
      ...engagement,
      type: 'poke',
      occurredAt: 'yesterday',
      categories: ['Running Shoes'],
    });
    expect(result.ok).toBe(false);
    if (!result.ok) {
      const fields = result.violations.map((v) => v.field).sort();
      expect(fields).toEqual(['categories', 'occurredAt', 'type']);
      expect(describeViolations(result.violations)).toMatch(/type: type must be one of the following values/);
    }
  });

  it('gives unknown_type when the only problem is a well-formed unknown type, schema_violation otherwise', () => {
    const reason = (raw: object) => {
      const result = validatePayload(Topic.SocialEngagementV1, raw);
      return result.ok ? 'ok' : result.reason;
    };
    expect(reason({ ...engagement, type: 'poke' })).toBe('unknown_type');
    expect(reason({ ...engagement, type: '' })).toBe('schema_violation');
    expect(reason({ ...engagement, type: 3 })).toBe('schema_violation');
    expect(reason({ ...engagement, type: undefined })).toBe('schema_violation');
    expect(reason({ ...engagement, type: 'poke', occurredAt: 'yesterday' })).toBe('schema_violation');
    expect(reason({ ...engagement, source: 'tiktok' })).toBe('schema_violation');
    const normalized = {
      dedupeKey: 'instagram:e1',
      personId: 'a'.repeat(64),
      contact: 'v1.a.b.c',
      source: 'instagram',
      type: 'poke',
      occurredAt: '2026-11-28T10:00:00Z',
      categories: [],
      ingestedAt: '2026-11-28T10:00:00Z',
    };
    const internal = validatePayload(Topic.EngagementNormalizedV1, normalized);
    expect(internal.ok ? 'ok' : internal.reason).toBe('unknown_type');
  });

  it('drops unknown fields instead of refusing a newer producer', () => {
    const result = validatePayload(Topic.SocialEngagementV1, { ...engagement, addedLater: true });
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.value).not.toHaveProperty('addedLater');
  });

  it('refuses non-objects', () => {
    expect(validatePayload(Topic.ConsentV1, [1, 2]).ok).toBe(false);
    expect(validatePayload(Topic.ConsentV1, 'granted').ok).toBe(false);
  });

  it('requires businessId for whatsapp_marketing consent only', () => {
    const base = { phone: '+33612345678', status: 'granted', occurredAt: '2026-11-28T10:00:00Z', source: 'web-form' };
    expect(validatePayload(Topic.ConsentV1, { ...base, purpose: 'whatsapp_marketing' }).ok).toBe(false);
    expect(validatePayload(Topic.ConsentV1, { ...base, purpose: 'whatsapp_marketing', businessId: 'acme' }).ok).toBe(true);
    expect(validatePayload(Topic.ConsentV1, { ...base, purpose: 'cross_app_profiling' }).ok).toBe(true);
  });

  it('validates nested objects of a decision', () => {
    const decision = {
      decisionId: 'd-1',
      campaignId: 'c-1',
      businessId: 'acme',
      personId: 'a'.repeat(64),
      outcome: 'send',
      reason: 'relevant',
      score: 0.7,
      modelVersion: 'rule-v1',
      explanation: { summary: 'likes running', factors: [{ name: 'interest.running', value: 2, contribution: 0.4 }] },
      decidedAt: '2026-11-28T10:00:00Z',
    };
    // `send` is required when the outcome is send.
    expect(validatePayload(Topic.TargetingDecisionsV1, decision).ok).toBe(false);
    const withSend = {
      ...decision,
      send: { phoneNumberId: '1000', contact: 'v1.a.b.c', templateName: 'promo', language: 'en_US', bodyParameters: [] },
    };
    expect(validatePayload(Topic.TargetingDecisionsV1, withSend).ok).toBe(true);
    const badFactor = { ...withSend, explanation: { summary: 'x', factors: [{ name: 'Bad Name', value: 1, contribution: 0 }] } };
    const result = validatePayload(Topic.TargetingDecisionsV1, badFactor);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.violations[0].field).toBe('explanation.factors.0.name');
  });
});

describe('topic catalogue', () => {
  it('has a spec and a payload class for every topic, and versioned names', () => {
    for (const topic of Object.values(Topic)) {
      expect(TOPIC_SPECS[topic].topic).toBe(topic);
      expect(TOPIC_PAYLOAD_CLASSES[topic]).toBeDefined();
      expect(topic).toMatch(/\.v\d+$/);
    }
    expect(ALL_TOPIC_SPECS).toHaveLength(Object.values(Topic).length);
  });

  it('compacts keyed state topics and keeps them forever', () => {
    expect(topicConfigEntries(TOPIC_SPECS[Topic.CampaignsV1])).toMatchObject({ 'cleanup.policy': 'compact', 'retention.ms': '-1' });
    expect(topicConfigEntries(TOPIC_SPECS[Topic.SocialEngagementV1])['cleanup.policy']).toBe('delete');
  });

  it('types payloads per topic (checked by the typecheck target)', () => {
    const consent: TopicPayload<Topic.ConsentV1> = {
      phone: '+33612345678',
      purpose: 'cross_app_profiling',
      status: 'granted',
      occurredAt: '2026-11-28T10:00:00Z',
      source: 'web-form',
    };
    // @ts-expect-error an engagement event is not a consent event
    const wrong: TopicPayload<Topic.ConsentV1> = engagement;
    expect([consent, wrong]).toHaveLength(2);
  });
});

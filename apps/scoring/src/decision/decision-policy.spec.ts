import { createHash } from 'node:crypto';
import { holdoutBucket } from '../policy/contact-policy';
import { EMPTY_HISTORY } from '../relevance/features';
import { hashNormal, LogisticModel } from '../relevance/logistic-model';
import { pauseOf } from '../eligibility/eligibility.service';
import { campaignFixture, PERSON, policyFixture as policy, snapshotFixture } from '../testing/fixtures';
import { concerns, decide, type DecideContext, decisionIdFor, draft, explained, isRunning, withheld, withhold } from './decision-policy';

const noon = new Date('2026-11-28T12:00:00Z'); // 13:00 in Paris
// Greedy (no Thompson draw) unless a test asks for exploration: the assertions below are about the mean.
const context = (overrides: Partial<DecideContext> = {}): DecideContext => ({
  model: LogisticModel.coldStart(),
  history: EMPTY_HISTORY,
  policy,
  now: noon,
  exploration: { scale: 0 },
  ...overrides,
});
// Scores are conversion probabilities now: a threshold of 2 % is a demanding one.
const campaign = campaignFixture({ minRelevance: 0.02 });

describe('decide', () => {
  it('sends to an opted-in, interested person and explains why, with signal kinds and consent basis', () => {
    const { decision: d, features } = decide(snapshotFixture(), campaign, context());
    expect(d).toMatchObject({
      outcome: 'send',
      reason: 'relevant',
      decisionId: decisionIdFor('spring-run', PERSON),
      modelVersion: 'logreg-v0',
    });
    expect(d.score).toBeGreaterThan(campaign.minRelevance);
    expect(features.interest).toBeCloseTo(Math.log1p(8), 6);
    // The interest is among the factors, with what it added (not necessarily first: its share of all interests weighs more).
    const interest = d.explanation.factors.find((f) => f.name === 'interest.running_shoes');
    expect(interest).toMatchObject({ value: 8, kind: 'cross_app' });
    expect(interest?.contribution).toBeGreaterThan(0);
    expect(d.explanation.factors.find((f) => f.name === 'interest.affinity')).toMatchObject({ kind: 'cross_app' });
    expect(d.explanation.consentBasis).toEqual(['whatsapp_marketing:acme', 'cross_app_profiling']);
    expect(d.explanation.summary).toMatch(/running-shoes/);
    expect(d.send).toMatchObject({ templateName: 'new_collection', bodyParameters: ['running shoes', 'Spring run'], contact: 'v1.a.b.c' });
  });

  it('uses only first-party interests, for the same business, without cross-app consent', () => {
    const firstParty = snapshotFixture({
      signalBasis: 'first_party_only',
      interests: {},
      firstPartyInterests: { other: { 'running-shoes': 50 } },
      consents: { whatsappMarketing: ['acme'], crossAppProfiling: false },
    });
    const { decision: d, features } = decide(firstParty, campaign, context());
    expect(features.interest).toBe(0);
    expect(features['platform.instagram_share']).toBe(0);
    expect(d.explanation.consentBasis).toEqual(['whatsapp_marketing:acme']);
    expect(d).toMatchObject({ outcome: 'suppress', reason: 'not_relevant' });
  });

  it('suppresses without consent, whatever the relevance', () => {
    const { decision: d } = decide(
      snapshotFixture({ consents: { whatsappMarketing: ['other'], crossAppProfiling: true } }),
      campaign,
      context(),
    );
    expect(d).toMatchObject({ outcome: 'suppress', reason: 'no_marketing_consent' });
    expect(d.send).toBeUndefined();
  });

  it('suppresses when interest has decayed below the threshold', () => {
    const old = snapshotFixture({ updatedAt: '2026-11-20T12:00:00Z' });
    expect(decide(old, campaign, context()).decision).toMatchObject({ outcome: 'suppress', reason: 'not_relevant' });
  });

  it('holds out a deterministic share, and says so', () => {
    const all = decide(snapshotFixture(), campaignFixture({ holdoutShare: 0.5 }), context());
    const again = decide(snapshotFixture(), campaignFixture({ holdoutShare: 0.5 }), context());
    expect(all.decision.reason).toBe(again.decision.reason);
    const held = Array.from(
      { length: 400 },
      (_, i) =>
        decide(
          snapshotFixture({ personId: i.toString(16).padStart(64, '0') }),
          campaignFixture({ holdoutShare: 0.2, minRelevance: 0 }),
          context(),
        ).decision,
    );
    const share = held.filter((d) => d.reason === 'holdout').length / held.length;
    expect(share).toBeGreaterThan(0.12);
    expect(share).toBeLessThan(0.28);
    expect(held.find((d) => d.reason === 'holdout')?.explanation.holdout).toBe(true);
  });

  it("waits for the end of quiet hours in the person's time zone", () => {
    const lateInParis = new Date('2026-11-28T21:30:00Z'); // 22:30 in Paris
    expect(decide(snapshotFixture({ updatedAt: lateInParis.toISOString() }), campaign, context({ now: lateInParis })).decision.reason).toBe(
      'quiet_hours',
    );
    const morningInTokyo = snapshotFixture({ timeZone: 'Asia/Tokyo', updatedAt: lateInParis.toISOString() }); // 06:30 in Tokyo
    expect(decide(morningInTokyo, campaign, context({ now: lateInParis })).decision.reason).toBe('quiet_hours');
    const noonInNewYork = new Date('2026-11-28T17:00:00Z');
    expect(
      decide(
        snapshotFixture({ timeZone: 'America/New_York', updatedAt: noonInNewYork.toISOString() }),
        campaign,
        context({ now: noonInNewYork }),
      ).decision.reason,
    ).toBe('relevant');
  });

  it('explores: the score is a draw from the posterior, fixed per (campaign, person), and the explanation says so', () => {
    const mean = decide(snapshotFixture(), campaign, context()).decision.score;
    const explore = context({ exploration: { scale: 1 } });
    const draws = Array.from(
      { length: 200 },
      (_, i) => decide(snapshotFixture({ personId: i.toString(16).padStart(64, '0') }), campaign, explore).decision,
    );
    expect(draws.map((d) => d.score)).toEqual(
      draws.map((d) => decide(snapshotFixture({ personId: d.personId }), campaign, explore).decision.score),
    );
    expect(draws.filter((d) => d.score > mean).length).toBeGreaterThan(60);
    expect(draws.filter((d) => d.score < mean).length).toBeGreaterThan(60);
    const factor = draws[0].explanation.factors.find((f) => f.name === 'exploration');
    expect(factor).toMatchObject({ kind: 'context' });
    // Another campaign, another draw for the same person.
    expect(decide(snapshotFixture(), campaignFixture({ campaignId: 'other-run' }), explore).decision.score).not.toBe(
      decide(snapshotFixture(), campaign, explore).decision.score,
    );
  });

  it('suppresses a person WhatsApp reported unreachable (131026) until the mark runs out, and says why', () => {
    const until = new Date(noon.getTime() + 86_400_000);
    const { decision: d } = decide(snapshotFixture(), campaign, context({ unreachableUntil: until }));
    expect(d).toMatchObject({ outcome: 'suppress', reason: 'unreachable' });
    expect(d.send).toBeUndefined();
    expect(d.explanation.summary).toContain('131026');
    expect(d.explanation.summary).toContain(until.toISOString());
    // The score is still computed and explained (the same person, the same draw).
    expect(d.score).toBe(decide(snapshotFixture(), campaign, context()).decision.score);
    expect(d.explanation.factors.length).toBeGreaterThan(0);
    // A mark that has run out no longer blocks.
    expect(decide(snapshotFixture(), campaign, context({ unreachableUntil: new Date(noon.getTime() - 1) })).decision).toMatchObject({
      outcome: 'send',
      reason: 'relevant',
    });
  });

  it("suppresses a paused business's campaigns (131048) until the pause ends or forever until resumed", () => {
    const until = new Date(noon.getTime() + 3_600_000);
    const timed = decide(snapshotFixture(), campaign, context({ businessPaused: { until } })).decision;
    expect(timed).toMatchObject({ outcome: 'suppress', reason: 'business_paused' });
    expect(timed.explanation.summary).toMatch(new RegExp(`acme.*131048.*${until.toISOString()}`));
    const open = decide(snapshotFixture(), campaign, context({ businessPaused: { until: null } })).decision;
    expect(open).toMatchObject({ outcome: 'suppress', reason: 'business_paused' });
    expect(open.explanation.summary).toContain('until resumed');
    expect(decide(snapshotFixture(), campaign, context({ businessPaused: { until: new Date(noon.getTime() - 1) } })).decision.reason).toBe(
      'relevant',
    );
  });

  it('checks consent and contact before reachability, and reachability before the pause, relevance, holdout and quiet hours', () => {
    const blocked = context({ unreachableUntil: new Date(noon.getTime() + 1000), businessPaused: { until: null } });
    expect(
      decide(snapshotFixture({ consents: { whatsappMarketing: ['other'], crossAppProfiling: true } }), campaign, blocked).decision.reason,
    ).toBe('no_marketing_consent');
    expect(decide(snapshotFixture({ contact: undefined }), campaign, blocked).decision.reason).toBe('no_contact');
    expect(decide(snapshotFixture(), campaign, blocked).decision.reason).toBe('unreachable');
    const paused = context({ businessPaused: { until: null } });
    expect(decide(snapshotFixture({ interests: {} }), campaign, paused).decision.reason).toBe('business_paused');
    expect(decide(snapshotFixture(), campaignFixture({ holdoutShare: 1 }), paused).decision.reason).toBe('business_paused');
    const lateInParis = new Date('2026-11-28T21:30:00Z');
    expect(
      decide(snapshotFixture({ updatedAt: lateInParis.toISOString() }), campaign, { ...paused, now: lateInParis }).decision.reason,
    ).toBe('business_paused');
  });

  it('turns a send into a budget suppression', () => {
    const d = withheld(decide(snapshotFixture(), campaign, context()).decision, 'budget_exhausted');
    expect(d).toMatchObject({ outcome: 'suppress', reason: 'budget_exhausted' });
    expect(d.send).toBeUndefined();
  });
});

describe('draft (the engine explains only the decisions it publishes)', () => {
  const explore = { scale: 1 };

  it('writes no explanation until asked, then the very decision `decide` makes, fields in the same order', () => {
    for (const [snapshot, c] of [
      [snapshotFixture(), campaign],
      [snapshotFixture({ interests: {} }), campaign],
      [snapshotFixture({ consents: { whatsappMarketing: ['other'], crossAppProfiling: true } }), campaign],
      [snapshotFixture(), campaignFixture({ holdoutShare: 1 })],
    ] as const) {
      const ctx = context({ model: LogisticModel.coldStart(), exploration: explore });
      const explain = jest.spyOn(ctx.model, 'explain');
      const drafted = draft(snapshot, c, ctx);
      expect(explain).not.toHaveBeenCalled();
      expect(drafted.decision.explanation).toBeUndefined();
      const done = explained(drafted);
      expect(explain).toHaveBeenCalledTimes(1);
      // The order `decide` always wrote (the stored body and the Kafka record are this JSON).
      expect(Object.keys(done.decision).slice(0, 11)).toEqual([
        'decisionId',
        'campaignId',
        'businessId',
        'personId',
        'outcome',
        'reason',
        'score',
        'modelVersion',
        'explanation',
        'decidedAt',
        'triggeredByEventAt',
      ]);
      expect(JSON.stringify(done)).toBe(JSON.stringify(decide(snapshot, c, context({ exploration: explore }))));
    }
  });

  it('withholds a draft as `withheld` withholds its decision, the summary starting with why', () => {
    const ctx = context();
    const sent = decide(snapshotFixture(), campaign, ctx);
    expect(sent.decision.outcome).toBe('send');
    for (const [reason, why] of [
      ['budget_exhausted', undefined],
      ['frequency_capped', undefined],
      ['outcompeted', undefined],
      ['budget_exhausted', 'Money budget of campaign spring-run is spent.'],
    ] as const) {
      const expected = withheld(sent.decision, reason, why);
      const drafted = withhold(draft(snapshotFixture(), campaign, ctx), reason, why);
      expect(drafted.decision.send).toBeUndefined();
      expect(JSON.stringify(explained(drafted).decision)).toBe(JSON.stringify(expected));
    }
  });
});

describe('pauseOf', () => {
  it("finds a business's own pause, or one for every business", () => {
    const until = new Date(noon.getTime() + 1000);
    expect(pauseOf({ unreachable: new Map(), paused: new Map([['acme', until]]) }, 'acme')).toEqual({ until });
    expect(pauseOf({ unreachable: new Map(), paused: new Map([['*', null]]) }, 'acme')).toEqual({ until: null });
    expect(pauseOf({ unreachable: new Map(), paused: new Map([['globex', until]]) }, 'acme')).toBeUndefined();
  });
});

describe('campaign selection', () => {
  it('runs only active campaigns within their dates', () => {
    expect(isRunning(campaign, noon)).toBe(true);
    expect(isRunning({ ...campaign, status: 'paused' }, noon)).toBe(false);
    expect(isRunning({ ...campaign, endsAt: '2026-11-28T00:00:00Z' }, noon)).toBe(false);
    expect(isRunning({ ...campaign, startsAt: '2026-12-01T00:00:00Z' }, noon)).toBe(false);
  });

  it('evaluates only people who opted in to the business', () => {
    expect(concerns(snapshotFixture(), campaign)).toBe(true);
    expect(concerns(snapshotFixture({ consents: { whatsappMarketing: ['other'], crossAppProfiling: true } }), campaign)).toBe(false);
  });
});

describe('the hashes a decision is fixed by', () => {
  // Ids, holdout buckets and Thompson draws of decisions already made must not move: the same SHA-256 as ever.
  const sha256 = (text: string) => createHash('sha256').update(text).digest();

  it('are the SHA-256 digests they always were', () => {
    expect(decisionIdFor('spring-run', PERSON)).toBe(`dec_${sha256(`spring-run:${PERSON}`).toString('hex').slice(0, 32)}`);
    const digest = sha256(`holdout:spring-run:${PERSON}`);
    expect(holdoutBucket('spring-run', PERSON)).toBe((digest.readUIntBE(0, 6) * 2 ** 4 + (digest[6]! >> 4)) / 2 ** 52);
    const draw = sha256(`thompson\u0000spring-run:${PERSON}`);
    const u1 = (draw.readUInt32BE(0) + 1) / 2 ** 32;
    const u2 = draw.readUInt32BE(4) / 2 ** 32;
    expect(hashNormal('thompson', `spring-run:${PERSON}`)).toBe(Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2));
  });
});

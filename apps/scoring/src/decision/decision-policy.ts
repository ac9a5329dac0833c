import { hash } from 'node:crypto';
import { type CampaignV1, type DecisionReason, type ProfileSnapshotV1, type TargetingDecisionV1 } from '@wt/contracts';
import { type ContactPolicyOptions, inHoldout, isQuietHours, quietHoursEnd } from '../policy/contact-policy';
import {
  extractFeatures,
  type FeatureValues,
  type FeatureVector,
  type MessagingHistory,
  type PopulationRates,
} from '../relevance/features';
import { type ExplorationOptions, type LogisticModel, type Scored } from '../relevance/logistic-model';

/** One id per (campaign, person): the dispatcher's ledger makes a second send impossible. */
export function decisionIdFor(campaignId: string, personId: string): string {
  return `dec_${hash('sha256', `${campaignId}:${personId}`, 'hex').slice(0, 32)}`;
}

export function isRunning(campaign: CampaignV1, now: Date): boolean {
  const t = now.getTime();
  return (
    campaign.status === 'active' && Date.parse(campaign.startsAt) <= t && (campaign.endsAt === undefined || t < Date.parse(campaign.endsAt))
  );
}

/** Only the campaigns of businesses the person opted in to are evaluated at all. */
export function concerns(snapshot: ProfileSnapshotV1, campaign: CampaignV1): boolean {
  return snapshot.consents.whatsappMarketing.includes(campaign.businessId);
}

function renderParameters(campaign: CampaignV1, topInterest: string | undefined): string[] {
  return campaign.template.bodyParameters.map((parameter) => {
    switch (parameter.from) {
      case 'literal':
        return parameter.value;
      case 'campaign':
        return parameter.value === 'name' ? campaign.name : campaign.businessId;
      case 'profile':
        return parameter.value === 'topInterest' ? (topInterest ?? campaign.targetCategories[0]).replace(/[-_.]/g, ' ') : '';
    }
  });
}

export interface DecideContext {
  model: LogisticModel;
  history: MessagingHistory;
  policy: ContactPolicyOptions;
  now: Date;
  /** Least score for a send besides the campaign's own threshold (a launch ranks its audience). */
  cutoff?: number;
  triggeredByEventAt?: string;
  /** Thompson-sampling scale (default: the model's); 0 decides on the posterior mean. */
  exploration?: ExplorationOptions;
  /** WhatsApp reported the person's number unreachable (131026) until then. */
  unreachableUntil?: Date;
  /** The campaign's business is paused (131048) until then (null: until resumed). */
  businessPaused?: { until: Date | null };
  /** The population's response rates (each person's own are shrunk toward them). */
  population?: PopulationRates;
  /**
   * The instant the features are computed at (default `now`): a launch ranks and decides at its
   * start, so that the time between ranking and deciding moves no score across its cutoff.
   */
  scoredAt?: Date;
}

/** A decision and the features it was made from (kept to learn from its outcome). */
export interface ScoredDecision {
  decision: TargetingDecisionV1;
  features: FeatureValues;
  /** A person in quiet hours is evaluated again then (their local morning), not dropped. */
  scheduledFor?: Date;
}

/** Scores are conversion probabilities, often under 1 %: kept to six decimals so that rankings keep their order. */
const roundScore = (x: number) => Math.round(x * 1e6) / 1e6;
/** A score as a summary shows it: three significant digits. */
const shown = (x: number) => Number(x.toPrecision(3));

/** Factors an explanation lists at most (every signal that moved the score, largest first). */
const EXPLANATION_FACTORS = 10;

function summaryOf(
  reason: DecisionReason,
  campaign: CampaignV1,
  score: number,
  threshold: number,
  interests: string[],
  context: DecideContext,
  scheduledFor: Date | undefined,
): string {
  const why =
    interests.length > 0 ? `recent interest in ${interests.join(', ')}` : `no recent interest in ${campaign.targetCategories.join(', ')}`;
  return `${headOf(reason, campaign, score, threshold, context, scheduledFor)}: ${why}.`.slice(0, 500);
}

/** The first part of a decision's summary: only the reason's own (built for every decision: kept cheap). */
function headOf(
  reason: DecisionReason,
  campaign: CampaignV1,
  score: number,
  threshold: number,
  context: DecideContext,
  scheduledFor: Date | undefined,
): string {
  switch (reason) {
    case 'relevant':
      return `Likely to welcome it (score ${shown(score)}, threshold ${shown(threshold)})`;
    case 'not_relevant':
      return `Not likely enough to welcome it (score ${shown(score)}, campaign minRelevance ${shown(campaign.minRelevance)})`;
    case 'no_marketing_consent':
      return `No WhatsApp marketing consent for ${campaign.businessId}`;
    case 'no_contact':
      return 'No contact to send to';
    case 'budget_exhausted':
      return `Below the budget cutoff of campaign ${campaign.campaignId}: its budget goes to higher-ranked people who can receive it (score ${shown(score)}, cutoff ${shown(threshold)})`;
    case 'campaign_not_running':
      return `Campaign ${campaign.campaignId} is not running`;
    case 'holdout':
      return `In the holdout group of campaign ${campaign.campaignId} (measures uplift; score ${shown(score)})`;
    case 'frequency_capped':
      return 'Frequency cap reached for this person';
    case 'quiet_hours':
      return `Quiet hours in the person's time zone: evaluated again at ${scheduledFor?.toISOString() ?? 'their end'} (${String(context.policy.quietEndHour).padStart(2, '0')}:00 local)`;
    case 'outcompeted':
      return 'Another campaign with a higher expected value took the free slot';
    case 'unreachable':
      return `WhatsApp reported this number unreachable (error 131026); not sent to before ${context.unreachableUntil?.toISOString() ?? 'later'} unless it is reached again`;
    case 'business_paused': {
      const pausedUntil = context.businessPaused?.until ? ` until ${context.businessPaused.until.toISOString()}` : ' until resumed';
      return `Campaigns of ${campaign.businessId} are paused after WhatsApp's spam rate limit (error 131048)${pausedUntil}`;
    }
  }
}

/** What a decision is made from: its features, score and reason (without the decision's text). */
export interface Assessment {
  vector: FeatureVector;
  scored: Scored;
  /** The score as decided on (rounded). */
  score: number;
  reason: DecisionReason;
  /** The threshold the summary shows. */
  threshold: number;
  holdout: boolean;
  scheduledFor?: Date;
}

/**
 * Assesses one (person, campaign) pair before caps and budget: eligibility first (consent,
 * contact, a number WhatsApp reported unreachable, a paused business), then the learned relevance
 * against the campaign's own `minRelevance` (`not_relevant`), then the launch's budget cutoff
 * (`budget_exhausted`, with the cutoff), then holdout and quiet hours (the person is evaluated
 * again at their local morning: `scheduledFor`). `relevant` is a would-be send. What `decide`
 * decides from; a launch ranks by it alone (the explanation and the message are not needed there).
 */
export function assess(snapshot: ProfileSnapshotV1, campaign: CampaignV1, context: DecideContext): Assessment {
  const vector = extractFeatures(snapshot, campaign, context.history, context.scoredAt ?? context.now, context.population);
  // Thompson sampling: the posterior's draw for this (campaign, person), the same on every replay.
  const scored = context.model.sample(vector.values, `${campaign.campaignId}:${snapshot.personId}`, context.exploration);
  const score = roundScore(scored.score);
  const cutoff = context.cutoff ?? 0;
  const holdout = inHoldout(campaign, snapshot.personId);
  let reason: DecisionReason = 'relevant';
  let scheduledFor: Date | undefined;
  if (!snapshot.consents.whatsappMarketing.includes(campaign.businessId)) reason = 'no_marketing_consent';
  else if (!snapshot.contact) reason = 'no_contact';
  else if (context.unreachableUntil && context.unreachableUntil > context.now) reason = 'unreachable';
  else if (context.businessPaused && (context.businessPaused.until === null || context.businessPaused.until > context.now))
    reason = 'business_paused';
  else if (score < campaign.minRelevance) reason = 'not_relevant';
  else if (score < cutoff) reason = 'budget_exhausted';
  else if (holdout) reason = 'holdout';
  else if (isQuietHours(context.now, snapshot.timeZone, context.policy)) {
    reason = 'quiet_hours';
    scheduledFor = quietHoursEnd(context.now, snapshot.timeZone, context.policy);
  }
  const threshold = reason === 'budget_exhausted' ? cutoff : Math.max(campaign.minRelevance, cutoff);
  return { vector, scored, score, reason, threshold, holdout, scheduledFor };
}

/**
 * A decision whose explanation is not written yet: the engine writes it (`explained`) only for the
 * decisions it publishes, not for a person evaluated again whose decision did not change.
 */
export interface DraftDecision {
  /** The decision; `explanation` stays undefined in its place (so that the explained decision keeps its fields' order). */
  decision: Omit<TargetingDecisionV1, 'explanation'> & { explanation?: undefined };
  features: FeatureValues;
  scheduledFor?: Date;
  /** The explanation of the decision as assessed (before caps and budget). */
  explain: () => TargetingDecisionV1['explanation'];
  /** Why it was withheld after relevance (`withhold`): the summary starts with it. */
  withheldWhy?: string;
}

/**
 * Decides one (person, campaign) pair before caps and budget, as `assess` assesses it, with, for a
 * send, the message; its explanation is written by `explained`. Frequency caps and budget are
 * applied afterwards, across the whole evaluation.
 */
export function draft(snapshot: ProfileSnapshotV1, campaign: CampaignV1, context: DecideContext): DraftDecision {
  const { vector, scored, score, reason, threshold, holdout, scheduledFor } = assess(snapshot, campaign, context);
  const decision: DraftDecision['decision'] = {
    decisionId: decisionIdFor(campaign.campaignId, snapshot.personId),
    campaignId: campaign.campaignId,
    businessId: campaign.businessId,
    personId: snapshot.personId,
    outcome: reason === 'relevant' ? 'send' : 'suppress',
    reason,
    score,
    modelVersion: context.model.modelVersion,
    explanation: undefined,
    decidedAt: context.now.toISOString(),
    triggeredByEventAt: context.triggeredByEventAt,
  };
  if (decision.outcome === 'send' && snapshot.contact) {
    decision.send = {
      phoneNumberId: campaign.phoneNumberId,
      contact: snapshot.contact,
      templateName: campaign.template.name,
      language: campaign.template.language,
      bodyParameters: renderParameters(campaign, vector.interests[0]?.category),
    };
  }
  const explain = (): TargetingDecisionV1['explanation'] => ({
    summary: summaryOf(
      reason,
      campaign,
      score,
      threshold,
      vector.interests.map((f) => f.category),
      context,
      scheduledFor,
    ),
    factors: context.model.explain(vector, EXPLANATION_FACTORS, scored.exploration),
    consentBasis: reason === 'no_marketing_consent' ? [] : vector.consentBasis,
    holdout,
  });
  return { decision, features: vector.values, scheduledFor, explain };
}

/** The draft with its explanation written (a withheld draft's summary starts with why). */
export function explained({ decision, features, scheduledFor, explain, withheldWhy }: DraftDecision): ScoredDecision {
  const explanation = explain();
  if (withheldWhy !== undefined) explanation.summary = `${withheldWhy} ${explanation.summary}`.slice(0, 500);
  // `explanation` takes the place the draft kept for it.
  return { decision: { ...decision, explanation }, features, scheduledFor };
}

/** `draft` and `explained` at once: the decision of one pair before caps and budget, explained. */
export function decide(snapshot: ProfileSnapshotV1, campaign: CampaignV1, context: DecideContext): ScoredDecision {
  return explained(draft(snapshot, campaign, context));
}

type WithheldReason = 'budget_exhausted' | 'frequency_capped' | 'outcompeted';

/** What a withheld decision's summary starts with, unless the caller says why. */
function withheldPrefix(campaignId: string, reason: WithheldReason): string {
  switch (reason) {
    case 'budget_exhausted':
      return `Budget of campaign ${campaignId} is spent.`;
    case 'frequency_capped':
      return 'Frequency cap reached for this person.';
    case 'outcompeted':
      return 'Another campaign with a higher expected value took the free slot.';
  }
}

/** Turns a send into a suppression for a reason found after relevance (caps, budget). */
export function withheld(decision: TargetingDecisionV1, reason: WithheldReason, why?: string): TargetingDecisionV1 {
  const { send: _send, estimatedCost: _cost, ...rest } = decision;
  return {
    ...rest,
    outcome: 'suppress',
    reason,
    explanation: {
      ...decision.explanation,
      summary: `${why ?? withheldPrefix(decision.campaignId, reason)} ${decision.explanation.summary}`.slice(0, 500),
    },
  };
}

/** `withheld` for a draft: its summary will start with why (`explained`). */
export function withhold(d: DraftDecision, reason: WithheldReason, why?: string): DraftDecision {
  const { send: _send, estimatedCost: _cost, ...rest } = d.decision;
  const first = why ?? withheldPrefix(d.decision.campaignId, reason);
  return {
    ...d,
    decision: { ...rest, outcome: 'suppress', reason },
    withheldWhy: d.withheldWhy === undefined ? first : `${first} ${d.withheldWhy}`,
  };
}

/** A decision that is never revisited: a send (the message is out) or a holdout (kept for uplift). */
export function isFinal(reason: string, outcome: string): boolean {
  return outcome === 'send' || reason === 'holdout';
}

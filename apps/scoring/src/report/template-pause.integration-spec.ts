import { type INestApplication } from '@nestjs/common';
import { ApiKeyStore } from '@wt/business-auth';
import { type BusinessSendingSignalV1, type CampaignV1, Topic } from '@wt/contracts';
import { createKafka, ensureTopics, KafkaPublisher } from '@wt/kafka';
import { eventually, groupAtTopicEnds, testBrokers } from '@wt/testing';
import { randomUUID } from 'node:crypto';
import { CampaignStore } from '../campaign/campaign.store';
import { campaignFixture } from '../testing/fixtures';
import { runScoringService, testScoringConfig } from '../testing/scoring-test-app';
import { type CampaignReport } from './campaign-report';

const run = randomUUID().slice(0, 8);

/**
 * The report's `paused` field (issue 17, point 5): Meta pauses or disables a template
 * (`message_template_status_update`), the dispatcher publishes `template_paused` on
 * `internal.whatsapp.business-signals.v1`, and every campaign of that business using that template
 * (name and language) reports the pause with its reason until `template_resumed`. The whole scoring
 * service on the real broker and the real Postgres, fed through Kafka as in production.
 */
describe('scoring: the campaign report shows a paused or disabled template, on the real Postgres and Kafka', () => {
  const brokers = testBrokers();
  const settings = testScoringConfig({
    KAFKA_GROUP_PREFIX: `it-tp-${run}`,
    QUIET_START_HOUR: '0',
    QUIET_END_HOUR: '0',
    RELEVANCE_MODEL: `it-tp-${run}`,
  });
  let app: INestApplication;
  let base: string;
  let publisher: KafkaPublisher;
  const created: CampaignV1[] = [];

  beforeAll(async () => {
    const kafka = createKafka({ brokers, clientId: 'scoring-template-pause-it' });
    await ensureTopics(kafka);
    // A new group at the current end of the signals topic: only this run's records.
    await groupAtTopicEnds(`${settings.KAFKA_GROUP_PREFIX}.scoring`, [Topic.BusinessSendingSignalsV1], brokers);
    ({ app, base } = await runScoringService(settings, 'scoring-tp-it'));
    publisher = app.get(KafkaPublisher);
  }, 120_000);

  afterAll(async () => {
    await app
      ?.get(CampaignStore)
      .upsert(created.map((c) => ({ ...c, status: 'ended', updatedAt: new Date(Date.now() + 1000).toISOString() })));
    await app?.close();
  });

  let n = 0;
  async function campaign(businessId: string, template: { name: string; language: string }): Promise<CampaignV1> {
    n += 1;
    const c = campaignFixture({
      campaignId: `tp-${run}-${n}`,
      businessId,
      template: { ...template, bodyParameters: [] },
      startsAt: new Date(Date.now() - 60_000).toISOString(),
      updatedAt: new Date().toISOString(),
    });
    await app.get(CampaignStore).upsert([c]);
    created.push(c);
    return c;
  }

  const reportOf = async (c: CampaignV1): Promise<CampaignReport> => {
    const { apiKey } = await app.get(ApiKeyStore).issue(c.businessId);
    const res = await fetch(`${base}/v1/campaigns/${c.campaignId}/report`, { headers: { authorization: `Bearer ${apiKey}` } });
    expect(res.status).toBe(200);
    return (await res.json()) as CampaignReport;
  };
  const pausedOf = async (c: CampaignV1) => (await reportOf(c)).paused;
  const signal = (...values: BusinessSendingSignalV1[]) =>
    publisher.publish(
      Topic.BusinessSendingSignalsV1,
      values.map((value) => ({ key: value.businessId, value })),
    );
  const at = (minutes: number) => new Date(Date.UTC(2026, 11, 1, 10, minutes)).toISOString();

  it('reports the pause and its reason on the campaigns using that template only, and clears it when the template is approved again', async () => {
    const biz = `tp-biz-${run}-a`;
    const template = { name: 'spring_sale', language: 'en_US' };
    const concerned = await campaign(biz, template);
    const sameTemplateToo = await campaign(biz, template);
    const otherLanguage = await campaign(biz, { name: 'spring_sale', language: 'fr' });
    const otherTemplate = await campaign(biz, { name: 'autumn_sale', language: 'en_US' });
    const otherBusiness = await campaign(`tp-biz-${run}-b`, template);
    expect(await pausedOf(concerned)).toBeNull();

    await signal({
      businessId: biz,
      signal: 'template_paused',
      templateName: template.name,
      language: template.language,
      reason: 'template paused: LOW_QUALITY',
      occurredAt: at(0),
    });
    const expected = { reason: 'template paused: LOW_QUALITY', template, since: at(0) };
    expect(await eventually('the pause in the report', async () => (await pausedOf(concerned)) ?? undefined)).toEqual(expected);
    expect(await pausedOf(sameTemplateToo)).toEqual(expected);
    for (const c of [otherLanguage, otherTemplate, otherBusiness]) expect(await pausedOf(c)).toBeNull();

    await signal({
      businessId: biz,
      signal: 'template_resumed',
      templateName: template.name,
      language: template.language,
      occurredAt: at(5),
    });
    await eventually('the pause cleared', async () => ((await pausedOf(concerned)) === null ? true : undefined));
    expect(await pausedOf(sameTemplateToo)).toBeNull();
  });

  it('a disabled template is reported with its reason; replayed or older signals change nothing', async () => {
    const biz = `tp-biz-${run}-c`;
    const template = { name: 'flash_sale', language: 'de' };
    const c = await campaign(biz, template);
    const disabled: BusinessSendingSignalV1 = {
      businessId: biz,
      signal: 'template_paused',
      templateName: template.name,
      language: template.language,
      reason: 'template disabled: SCAM',
      occurredAt: at(20),
    };
    await signal(disabled);
    const expected = { reason: 'template disabled: SCAM', template, since: at(20) };
    expect(await eventually('the disabled template in the report', async () => (await pausedOf(c)) ?? undefined)).toEqual(expected);

    // Out of order and redelivered: a resume older than the pause, an older pause and the same signal again.
    // A marker signal for another template afterwards proves the consumer has handled them (one partition per key).
    const marker = { name: 'marker', language: 'en_US' };
    const markerCampaign = await campaign(biz, marker);
    await signal(
      { businessId: biz, signal: 'template_resumed', templateName: template.name, language: template.language, occurredAt: at(10) },
      { ...disabled, reason: 'template paused: LOW_QUALITY', occurredAt: at(15) },
      disabled,
      {
        businessId: biz,
        signal: 'template_paused',
        templateName: marker.name,
        language: marker.language,
        reason: 'marker',
        occurredAt: at(30),
      },
    );
    await eventually('the marker handled', async () => (await pausedOf(markerCampaign)) ?? undefined);
    expect(await pausedOf(c)).toEqual(expected);

    // Approved again later, then paused again: the new pause and its own reason and time.
    await signal(
      { businessId: biz, signal: 'template_resumed', templateName: template.name, language: template.language, occurredAt: at(40) },
      { ...disabled, reason: 'template paused: LOW_QUALITY', occurredAt: at(50) },
    );
    expect(
      await eventually('the second pause', async () => {
        const paused = await pausedOf(c);
        return paused?.since === at(50) ? paused : undefined;
      }),
    ).toEqual({ reason: 'template paused: LOW_QUALITY', template, since: at(50) });
  });
});

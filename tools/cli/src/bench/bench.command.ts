import { type CampaignV1, Topic } from '@wt/contracts';
import { awaitTopicMetadata, createKafka, KafkaPublisher } from '@wt/kafka';
import { ITopicConfig } from 'kafkajs';
import { Client } from 'pg';
import { generatePopulation } from '../demo/population';
import { dispatchLoad } from './dispatch-load';
import { e2eLatency, e2eThroughput } from './e2e';
import { faultLoad } from './fault-load';
import { faultVerify } from './fault-verify';
import { followGroup, topicSize } from './follow-group';
import { kafkajsHop } from './hop';
import { NAIVE_TABLE_SQL, startNaiveNest } from './naive-nest';
import { pgUpsertCeiling } from './pg-ceiling';
import { profileWrites } from './profile-writes';

/** `wt bench <step> [k=v ...]`: one measurement step; prints one JSON object on the last line. */
export async function benchCommand(brokers: string[], args: string[]): Promise<number> {
  const [step, ...rest] = args;
  const opts = Object.fromEntries(rest.map((a) => a.split('=') as [string, string]));
  const kafka = createKafka({ brokers, clientId: 'wt-bench' });
  const out = (value: unknown) => console.log(JSON.stringify(value));

  switch (step) {
    case 'scratch-topic': {
      const admin = kafka.admin();
      await admin.connect();
      const topic: ITopicConfig = { topic: opts['topic'], numPartitions: Number(opts['partitions'] ?? 6), replicationFactor: 1 };
      await admin.createTopics({ topics: [topic], waitForLeaders: false });
      await awaitTopicMetadata(admin, [topic.topic]);
      await admin.disconnect();
      out({ created: opts['topic'] });
      return 0;
    }
    case 'fill': {
      // Engagement events as producers send them, plus consents and campaigns so that later
      // stages have work: the same generator as the demo, scaled.
      const events = Number(opts['events'] ?? 50_000);
      const population = generatePopulation({ people: Math.ceil(events / 6.5), seed: 7, runId: opts['run'] ?? 'bench', now: new Date() });
      const publisher = new KafkaPublisher(kafka);
      const started = process.hrtime.bigint();
      const list = population.events.slice(0, events);
      for (let i = 0; i < list.length; i += 5000) {
        await publisher.publish(
          Topic.SocialEngagementV1,
          list.slice(i, i + 5000).map((e) => ({ key: null, value: e })),
        );
      }
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      await publisher.publish(
        Topic.ConsentV1,
        population.consents.map((c) => ({ key: null, value: c })),
      );
      const campaigns: CampaignV1[] = population.campaigns.map((c) => ({ ...c, budgetMessages: 1_000_000 }));
      await publisher.publish(
        Topic.CampaignsV1,
        campaigns.map((c) => ({ key: c.campaignId, value: c })),
      );
      await publisher.disconnect();
      const bytes = list.reduce((sum, e) => sum + Buffer.byteLength(JSON.stringify(e)), 0);
      out({
        events: list.length,
        consents: population.consents.length,
        avgBytes: Math.round(bytes / list.length),
        produceSeconds: seconds,
      });
      return 0;
    }
    case 'size': {
      out({ topic: opts['topic'], records: await topicSize(kafka, opts['topic']) });
      return 0;
    }
    case 'hop': {
      out(await kafkajsHop(kafka, opts['from'], opts['to'], Number(opts['expect'])));
      return 0;
    }
    case 'follow': {
      out(await followGroup(kafka, opts['group'], opts['topic'], Number(opts['expect'])));
      return 0;
    }
    case 'pg-ceiling': {
      out(await pgUpsertCeiling(opts['db'], Number(opts['rows'] ?? 50_000), Number(opts['batch'] ?? 500)));
      return 0;
    }
    case 'profile-writes': {
      out(
        await profileWrites(opts['db'], {
          rows: Number(opts['rows'] ?? 20_000),
          people: Number(opts['people'] ?? 500),
          eventsPerPerson: Number(opts['eventsPerPerson'] ?? 3),
        }),
      );
      return 0;
    }
    case 'naive': {
      const client = new Client({ connectionString: opts['db'] });
      await client.connect();
      await client.query('DROP TABLE IF EXISTS naive_profile');
      await client.query(NAIVE_TABLE_SQL);
      await client.end();
      const group = `bench-naive-${Date.now()}`;
      const stop = await startNaiveNest(brokers, group, opts['db']);
      try {
        out(await followGroup(kafka, group, opts['topic'], Number(opts['expect'])));
      } finally {
        await stop();
      }
      return 0;
    }
    case 'fault-load': {
      out(
        await faultLoad(kafka, {
          rate: Number(opts['rate'] ?? 200),
          seconds: Number(opts['seconds'] ?? 60),
          poisonEvery: Number(opts['poisonEvery'] ?? 500),
          out: opts['out'],
          run: opts['run'] ?? 'faults',
          stopFile: opts['stop'],
        }),
      );
      return 0;
    }
    case 'fault-verify': {
      out(
        await faultVerify(kafka, {
          keys: opts['keys'],
          profilesDb: opts['profilesDb'],
          scoringDb: opts['scoringDb'],
          sandbox: opts['sandbox'],
        }),
      );
      return 0;
    }
    case 'e2e-throughput': {
      out(await e2eThroughput(kafka, opts['groupPrefix'], Number(opts['events'] ?? 20_000), opts['run'] ?? 'e2e'));
      return 0;
    }
    case 'e2e-latency': {
      out(
        await e2eLatency(
          kafka,
          opts['groupPrefix'] ?? 'wt',
          opts['scoringUrl'],
          Number(opts['rate'] ?? 500),
          Number(opts['seconds'] ?? 15),
          opts['run'] ?? 'lat',
        ),
      );
      return 0;
    }
    case 'dispatch-load': {
      const contactKey = process.env['CONTACT_KEY'];
      if (!contactKey) throw new Error("dispatch-load needs CONTACT_KEY (the dispatcher's) in the environment");
      out(
        await dispatchLoad(kafka, {
          phoneNumberIds: (opts['numbers'] ?? '').split(',').filter(Boolean),
          perNumber: Number(opts['perNumber'] ?? 1000),
          sandbox: opts['sandbox'],
          contactKey,
          run: opts['run'] ?? 'dispatch',
          timeoutMs: Number(opts['timeoutMs'] ?? 120_000),
        }),
      );
      return 0;
    }
    case 'skip-to-end': {
      // A group that has not run yet starts at the ends of its topics (`all`: every topic), as if it had consumed them.
      const admin = kafka.admin();
      await admin.connect();
      try {
        // Explicit offsets: resetOffsets would commit -1 (latest), which a consumer that starts
        // from the beginning reads as no offset at all.
        const topics = opts['topics'] === 'all' ? (await admin.listTopics()).filter((t) => !t.startsWith('__')) : opts['topics'].split(',');
        for (const topic of topics) {
          const ends = await admin.fetchTopicOffsets(topic);
          await admin.setOffsets({
            groupId: opts['group'],
            topic,
            partitions: ends.map((p) => ({ partition: p.partition, offset: p.high })),
          });
        }
      } finally {
        await admin.disconnect();
      }
      out({ group: opts['group'], skipped: opts['topics'] });
      return 0;
    }
    default:
      console.error('bench steps: scratch-topic fill size hop follow pg-ceiling naive fault-load fault-verify dispatch-load skip-to-end');
      return 2;
  }
}

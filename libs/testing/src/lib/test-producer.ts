import { type TargetingDecisionV1, type Topic } from '@wt/contracts';
import { Kafka, logLevel, Partitioners, type Producer } from 'kafkajs';
import { testBrokers } from './test-env';

/** A record as a test publishes it: a key (null: spread by the partitioner) and a value sent as JSON. */
export interface TestRecord {
  key: string | null;
  value: object;
}

/**
 * An idempotent producer for tests, with the default partitioner the services use: records go
 * out with `acks: -1` and the `wt-schema` header every publisher sets, in chunks of `chunk`.
 */
export class TestProducer {
  private constructor(private readonly producer: Producer) {}

  static async connect(clientId: string, brokers: string[] = testBrokers()): Promise<TestProducer> {
    const producer = new Kafka({ brokers, clientId, logLevel: logLevel.ERROR }).producer({
      createPartitioner: Partitioners.DefaultPartitioner,
      idempotent: true,
      maxInFlightRequests: 1,
    });
    await producer.connect();
    return new TestProducer(producer);
  }

  async publish(topic: Topic, records: readonly TestRecord[], chunk = 500): Promise<void> {
    for (let i = 0; i < records.length; i += chunk) {
      await this.producer.send({
        topic,
        acks: -1,
        messages: records.slice(i, i + chunk).map((r) => ({ key: r.key, value: JSON.stringify(r.value), headers: { 'wt-schema': topic } })),
      });
    }
  }

  async disconnect(): Promise<void> {
    await this.producer.disconnect();
  }
}

/** What a test says of a decision to send; the rest is the same in every test. */
export interface SendDecisionFields {
  decisionId: string;
  businessId: string;
  personId: string;
  phoneNumberId: string;
  contact: string;
  campaignId?: string;
  templateName?: string;
}

/** A `send` targeting decision as scoring would publish it (score 0.9, template `spring_sale` unless named). */
export function sendDecision(fields: SendDecisionFields): TargetingDecisionV1 {
  return {
    decisionId: fields.decisionId,
    campaignId: fields.campaignId ?? `campaign-${fields.businessId}`,
    businessId: fields.businessId,
    personId: fields.personId,
    outcome: 'send',
    reason: 'relevant',
    score: 0.9,
    modelVersion: 'test',
    explanation: { summary: 'test', factors: [] },
    decidedAt: new Date().toISOString(),
    send: {
      phoneNumberId: fields.phoneNumberId,
      contact: fields.contact,
      templateName: fields.templateName ?? 'spring_sale',
      language: 'en',
      bodyParameters: [],
    },
  };
}

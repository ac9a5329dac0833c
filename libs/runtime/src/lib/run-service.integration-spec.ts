import { Controller, Injectable, Module, type INestApplication, type OnModuleInit } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { type EngagementNormalizedV1, Topic } from '@wt/contracts';
import { createKafka, KafkaModule, KafkaPublisher, type RecordBatch } from '@wt/kafka';
import { ObservabilityModule } from '@wt/observability';
import { eventually, testBrokers } from '@wt/testing';
import { randomUUID } from 'node:crypto';
import { runService } from './run-service';

/** Stands for the key vault: a provider that opens a connection in its init hook, and slowly. */
@Injectable()
class SlowToOpen implements OnModuleInit {
  static opened = false;
  static initCalls = 0;

  async onModuleInit(): Promise<void> {
    SlowToOpen.initCalls += 1;
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    SlowToOpen.opened = true;
  }
}

const calls: { opened: boolean; contentIds: (string | undefined)[] }[] = [];

@Controller()
class Handler {
  @EventPattern(Topic.EngagementNormalizedV1)
  async handle(@Payload() batch: RecordBatch<Topic.EngagementNormalizedV1>): Promise<void> {
    calls.push({ opened: SlowToOpen.opened, contentIds: batch.records.map((r) => r.value.contentId) });
  }
}

describe('runService with a consumer (real broker)', () => {
  const brokers = testBrokers();
  let app: INestApplication | undefined;

  afterAll(async () => {
    await app?.close();
  });

  it("calls the module init hooks once, and before the consumer's first fetch", async () => {
    const run = randomUUID();
    const event: EngagementNormalizedV1 = {
      dedupeKey: `facebook:${run}`,
      personId: 'b'.repeat(64),
      contact: 'v1.aaaa.bbbb.cccc',
      source: 'facebook',
      type: 'like',
      occurredAt: '2026-11-28T10:00:00.000Z',
      categories: ['shoes'],
      contentId: run,
      ingestedAt: '2026-11-28T10:00:01.000Z',
    };
    // Already on the topic when the service starts: its very first fetch brings it.
    const publisher = new KafkaPublisher(createKafka({ brokers, clientId: 'runtime-it' }));
    await publisher.publish(Topic.EngagementNormalizedV1, [{ key: event.personId, value: event }]);
    await publisher.disconnect();

    @Module({
      imports: [
        ObservabilityModule.forRoot({ service: 'runtime-it', logLevel: 'silent' }),
        KafkaModule.forRoot({ brokers, clientId: 'runtime-it' }),
      ],
      controllers: [Handler],
      providers: [SlowToOpen],
    })
    class ServiceModule {}

    app = await runService({
      name: 'runtime-it',
      module: ServiceModule,
      port: 0,
      host: '127.0.0.1',
      consumer: { connection: { brokers, clientId: 'runtime-it' }, groupId: `it-runtime-${run}` },
    });
    await eventually('the published event handled', async () => (calls.some((c) => c.contentIds.includes(run)) ? true : undefined));
    expect(calls.every((c) => c.opened)).toBe(true);
    expect(SlowToOpen.initCalls).toBe(1);
  });
});

import { Injectable, Logger, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { type CustomTransportStrategy, Server } from '@nestjs/microservices';
import { Topic } from '@wt/contracts';
import { onlyRecords } from './kafka-batch.server';
import { type RecordBatch } from './record-batch';
import { topicConsumer } from './topic-consumer';

/** A transport that only keeps the handlers Nest registers, as KafkaBatchServer does. */
class HandlerRegistry extends Server implements CustomTransportStrategy {
  listen(callback: () => void): void {
    callback();
  }
  close(): void {
    // nothing to close
  }
  on(): void {
    // no events
  }
  unwrap<T>(): T {
    throw new Error('no client');
  }
}

@Injectable()
class Intake {
  readonly seen: string[] = [];
  async consent(batch: RecordBatch<Topic.ConsentV1>): Promise<void> {
    this.seen.push(`consent:${batch.topic}`);
  }
}

const wanted = onlyRecords((value) => value.includes(Buffer.from('"purchase"')));
const ConsentConsumer = topicConsumer(Topic.ConsentV1, Intake, (intake, batch) => intake.consent(batch));
const FilteredConsumer = topicConsumer(Topic.SocialEngagementV1, Intake, async () => undefined, wanted);

@Module({ controllers: [ConsentConsumer, FilteredConsumer], providers: [Intake] })
class ConsumersModule {}

describe('topicConsumer', () => {
  beforeAll(() => Logger.overrideLogger(false));

  it('registers an @EventPattern handler per topic that hands the batch to the injected service', async () => {
    const server = new HandlerRegistry();
    const app = await NestFactory.createMicroservice(ConsumersModule, { strategy: server, logger: false });
    await app.listen();
    try {
      expect([...server.getHandlers().keys()].sort()).toEqual([Topic.ConsentV1, Topic.SocialEngagementV1].sort());
      const batch = { topic: Topic.ConsentV1 } as RecordBatch<Topic.ConsentV1>;
      await server.getHandlerByPattern(Topic.ConsentV1)?.(batch);
      expect(app.get(Intake).seen).toEqual([`consent:${Topic.ConsentV1}`]);
      expect(app.get(ConsentConsumer)).toBeInstanceOf(ConsentConsumer);
      expect(ConsentConsumer.name).toBe(`IntakeConsumer(${Topic.ConsentV1})`);
    } finally {
      await app.close();
    }
  });

  it('keeps the extras of @EventPattern, so an onlyRecords filter reaches the batch server', async () => {
    const server = new HandlerRegistry();
    const app = await NestFactory.createMicroservice(ConsumersModule, { strategy: server, logger: false });
    await app.listen();
    try {
      expect(server.getHandlerByPattern(Topic.SocialEngagementV1)?.extras).toEqual(wanted);
      expect(server.getHandlerByPattern(Topic.ConsentV1)?.extras).toEqual({});
    } finally {
      await app.close();
    }
  });
});

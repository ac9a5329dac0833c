import { Controller, Inject, type Type } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { type Topic } from '@wt/contracts';
import { type RecordBatch } from './record-batch';

/** What `topicConsumer` builds: a Nest controller whose `on` is the topic's `@EventPattern` handler. */
export interface TopicConsumer<T extends Topic> {
  on(batch: RecordBatch<T>): Promise<void>;
}

/**
 * The Nest controller of a consumer that only hands a topic's batches to one service: the same
 * class every such consumer wrote by hand, `@Controller()` with the service injected and
 * `@EventPattern(topic, extras)` on `on(@Payload() batch)`. The batch server sees it as it saw
 * those (extras carry `onlyRecords(...)`). A consumer with logic of its own stays a class.
 *
 *   export const ConsentConsumer = topicConsumer(Topic.ConsentNormalizedV1, ProfileUpdates, (u, batch) => u.consent(batch));
 */
export function topicConsumer<T extends Topic, S>(
  topic: T,
  service: Type<S>,
  handle: (service: S, batch: RecordBatch<T>) => Promise<void>,
  extras?: Record<string, unknown>,
): Type<TopicConsumer<T>> {
  @Controller()
  class Consumer implements TopicConsumer<T> {
    constructor(@Inject(service) private readonly target: S) {}

    @EventPattern(topic, extras)
    async on(@Payload() batch: RecordBatch<T>): Promise<void> {
      await handle(this.target, batch);
    }
  }
  // Nest names a controller by its class in logs and errors: say which topic and service.
  Object.defineProperty(Consumer, 'name', { value: `${service.name}Consumer(${topic})` });
  return Consumer;
}

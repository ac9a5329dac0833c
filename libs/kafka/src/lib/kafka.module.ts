import { type DynamicModule, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { type Kafka } from 'kafkajs';
import { createKafka, type KafkaConnectionOptions } from './kafka-connection';
import { KafkaPublisher } from './kafka-publisher';

export const KAFKA = Symbol('KAFKA');

/**
 * Provides the service's kafkajs client (`@Inject(KAFKA)`) and its `KafkaPublisher`.
 * Consuming goes through `KafkaBatchServer`, connected with `app.connectMicroservice`.
 */
@Module({})
export class KafkaModule implements OnApplicationShutdown {
  constructor(@Inject(KafkaPublisher) private readonly publisher: KafkaPublisher) {}

  static forRoot(options: KafkaConnectionOptions): DynamicModule {
    return {
      module: KafkaModule,
      global: true,
      providers: [
        { provide: KAFKA, useFactory: (): Kafka => createKafka(options) },
        { provide: KafkaPublisher, inject: [KAFKA], useFactory: (kafka: Kafka) => new KafkaPublisher(kafka) },
      ],
      exports: [KAFKA, KafkaPublisher],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.publisher.disconnect();
  }
}

import {
  type DynamicModule,
  Inject,
  type MiddlewareConsumer,
  Module,
  type NestModule,
  type OnApplicationShutdown,
  RequestMethod,
} from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { type Kafka } from 'kafkajs';
import { BatchFailureInterceptor } from './batch-failure.interceptor';
import { createKafka, type KafkaConnectionOptions } from './kafka-connection';
import { HttpTraceMiddleware } from './http-trace.middleware';
import { KafkaPublisher } from './kafka-publisher';

export const KAFKA = Symbol('KAFKA');

/**
 * Provides the service's kafkajs client (`@Inject(KAFKA)`) and its `KafkaPublisher`.
 * Consuming goes through `KafkaBatchServer`, connected with `app.connectMicroservice`.
 * Every HTTP request is served in a span of its caller's trace (`HttpTraceMiddleware`), so what it
 * publishes continues that trace. A batch handler's error reaches KafkaBatchServer as thrown
 * (`BatchFailureInterceptor`), so that a poison record is told from an outage.
 */
@Module({})
export class KafkaModule implements NestModule, OnApplicationShutdown {
  constructor(@Inject(KafkaPublisher) private readonly publisher: KafkaPublisher) {}

  static forRoot(options: KafkaConnectionOptions): DynamicModule {
    return {
      module: KafkaModule,
      global: true,
      providers: [
        { provide: KAFKA, useFactory: (): Kafka => createKafka(options) },
        { provide: KafkaPublisher, inject: [KAFKA], useFactory: (kafka: Kafka) => new KafkaPublisher(kafka) },
        { provide: APP_INTERCEPTOR, useClass: BatchFailureInterceptor },
      ],
      exports: [KAFKA, KafkaPublisher],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(HttpTraceMiddleware).forRoutes({ path: '{*path}', method: RequestMethod.ALL });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.publisher.disconnect();
  }
}

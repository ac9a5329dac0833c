import { type DynamicModule, Module } from '@nestjs/common';
import { type ClassConstructor } from 'class-transformer';
import { loadConfig } from './load-config';

/**
 * Validates the environment once at boot and provides it under its class as the injection token:
 * `constructor(private readonly config: IngestConfig)`.
 */
@Module({})
export class ConfigModule {
  static forRoot<T extends object>(schema: ClassConstructor<T>, env = process.env): DynamicModule {
    return ConfigModule.forValue(schema, loadConfig(schema, env));
  }

  /** Provides a configuration already loaded (e.g. by `main.ts`, which needs it before the module). */
  static forValue<T extends object>(schema: ClassConstructor<T>, config: T): DynamicModule {
    return {
      module: ConfigModule,
      global: true,
      providers: [{ provide: schema, useValue: config }],
      exports: [schema],
    };
  }
}

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
    const config = loadConfig(schema, env);
    return {
      module: ConfigModule,
      global: true,
      providers: [{ provide: schema, useValue: config }],
      exports: [schema],
    };
  }
}

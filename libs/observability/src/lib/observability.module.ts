import { type DynamicModule, Injectable, Module, type OnApplicationShutdown } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { LoggerModule } from 'nestjs-pino';
import { collectDefaultMetrics, register } from 'prom-client';
import { HealthController } from './health.controller';
import { loggerOptions } from './logger';
import { MetricsController } from './metrics.controller';
import { ReadinessRegistry } from './readiness';
import { stopTracing } from './tracing';

/** Sends the spans still buffered before the process exits. */
@Injectable()
class TracingShutdown implements OnApplicationShutdown {
  onApplicationShutdown(): Promise<void> {
    return stopTracing();
  }
}

export interface ObservabilityOptions {
  service: string;
  logLevel: string;
}

/** `/health/live`, `/health/ready`, `/metrics` and pino logs for a service. */
@Module({})
export class ObservabilityModule {
  static forRoot(options: ObservabilityOptions): DynamicModule {
    register.setDefaultLabels({ service: options.service });
    if (!register.getSingleMetric('process_cpu_seconds_total')) collectDefaultMetrics();
    return {
      module: ObservabilityModule,
      global: true,
      imports: [
        TerminusModule.forRoot({ logger: false }),
        LoggerModule.forRoot({
          pinoHttp: {
            ...loggerOptions(options.service, options.logLevel),
            // Health probes and scrapes are not worth a line each.
            autoLogging: { ignore: (req) => /^\/(health|metrics)/.test(req.url ?? '') },
            quietReqLogger: true,
          },
        }),
      ],
      controllers: [HealthController, MetricsController],
      providers: [ReadinessRegistry, TracingShutdown],
      exports: [ReadinessRegistry],
    };
  }
}

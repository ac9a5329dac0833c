// `import '@wt/observability/tracing'`: the FIRST import of every service's main.ts. With
// OTEL_EXPORTER_OTLP_ENDPOINT set, it installs the instrumentations (HTTP, Express, pg) before those
// modules load; the exporter starts once the configuration is validated (runService -> startTracing).
// Without the variable it does nothing: tracing is off by default.
import { instrumentForTracing, OTLP_ENDPOINT_VARIABLE } from './lib/tracing';

if (process.env[OTLP_ENDPOINT_VARIABLE]) instrumentForTracing();

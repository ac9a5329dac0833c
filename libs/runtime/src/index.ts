export * from './lib/run-service';
export * from './lib/openapi';
export * from './lib/http-input/http-input';
export * from './lib/http-input/http-input.error';
export * from './lib/http-input/http-error.filter';
export * from './lib/http-input/input-problem.guard';
export * from './lib/http-input/json-input';
export * from './lib/cli/service-program';

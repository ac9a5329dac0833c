import { applyDecorators, Controller, UsePipes, ValidationPipe } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';

/**
 * A controller of the sandbox's own routes for tests, under `/sandbox/<path>` (never under a Graph
 * path: the real API has none of them), tagged `sandbox (tests)` in the OpenAPI document, its
 * bodies validated against their DTOs (unknown fields refused).
 */
export function SandboxController(path?: string): ClassDecorator {
  return applyDecorators(
    Controller(path ? `sandbox/${path}` : 'sandbox'),
    UsePipes(new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true })),
    ApiTags('sandbox (tests)'),
  );
}

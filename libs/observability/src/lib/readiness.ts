import { Injectable } from '@nestjs/common';

/** A named check that says whether a dependency is usable now. */
export type ReadinessCheck = () => Promise<boolean> | boolean;

/** Apps register what "ready" means for them: Kafka consumer joined, Postgres reachable, ... */
@Injectable()
export class ReadinessRegistry {
  private readonly checks = new Map<string, ReadinessCheck>();

  register(name: string, check: ReadinessCheck): void {
    this.checks.set(name, check);
  }

  entries(): [string, ReadinessCheck][] {
    return [...this.checks.entries()];
  }
}

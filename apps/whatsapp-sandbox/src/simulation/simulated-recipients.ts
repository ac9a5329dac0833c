import { Injectable } from '@nestjs/common';
import { type MessageReaction, SimulatedPopulation } from '@wt/simulation';
import { SandboxConfig } from '../sandbox.config';

/** Opt-outs remembered (bounded memory in benchmarks). */
const MAX_OPT_OUTS = 200_000;

/** Meta's details of the failures a simulated person causes. */
export const SIMULATED_FAILURE_DETAILS: Readonly<Record<number, string>> = {
  131026: 'Message Undeliverable.',
  131049: 'This message was not delivered to maintain healthy ecosystem engagement.',
  131050: 'Unable to deliver the message. This recipient has chosen to stop receiving marketing messages on WhatsApp from your business.',
};

/**
 * The recipients of template messages as the simulated population (`@wt/simulation`) sees them,
 * when `SANDBOX_SIMULATION_SEED` is set. The business is the phone_number_id; what a message is
 * about is its registered template's categories. A person who opts out of a business stays out
 * (131050) until the sandbox is reset.
 */
@Injectable()
export class SimulatedRecipients {
  private readonly population: SimulatedPopulation | undefined;
  private readonly optedOut = new Set<string>();

  constructor(config: SandboxConfig) {
    this.population = config.SANDBOX_SIMULATION_SEED ? new SimulatedPopulation({ seed: config.SANDBOX_SIMULATION_SEED }) : undefined;
  }

  get enabled(): boolean {
    return this.population !== undefined;
  }

  /** What the person does with this message; undefined when the simulation is off. */
  react(phoneNumberId: string, waId: string, wamid: string, categories: readonly string[]): MessageReaction | undefined {
    if (!this.population) return undefined;
    const key = `${phoneNumberId}:${waId}`;
    const reaction = this.population.react(`+${waId}`, {
      businessId: phoneNumberId,
      categories,
      messageKey: wamid,
    });
    if (this.optedOut.has(key) && reaction.failure?.errorCode !== 131026)
      return { ...NOTHING, failure: { reason: 'stopped_marketing', errorCode: 131050 } };
    if (reaction.optedOut) {
      if (this.optedOut.size >= MAX_OPT_OUTS) this.optedOut.clear();
      this.optedOut.add(key);
    }
    return reaction;
  }

  clear(): void {
    this.optedOut.clear();
  }
}

const NOTHING = {
  delivered: false,
  read: false,
  replied: false,
  clicked: false,
  purchased: false,
  optedOut: false,
};

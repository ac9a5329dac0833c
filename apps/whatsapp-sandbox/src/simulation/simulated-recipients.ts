import { Injectable } from '@nestjs/common';
import { ArchetypePopulation, type MessageReaction, SimulatedPopulation } from '@wt/simulation';
import { SandboxConfig } from '../sandbox.config';

/** Opt-outs and message histories remembered (bounded memory in benchmarks). */
const MAX_REMEMBERED = 200_000;

/** Days (simulated rounds) a message counts toward a person's fatigue, as `ArchetypePopulation` defines it. */
const FATIGUE_ROUNDS = 7;

/** Meta's details of the failures a simulated person causes. */
export const SIMULATED_FAILURE_DETAILS: Readonly<Record<number, string>> = {
  131026: 'Message Undeliverable.',
  131049: 'This message was not delivered to maintain healthy ecosystem engagement.',
  131050: 'Unable to deliver the message. This recipient has chosen to stop receiving marketing messages on WhatsApp from your business.',
};

/** The simulated world's state that a test drives: which day it is (a burst of intent and fatigue depend on it). */
export interface SimulationState {
  population: 'simulation' | 'archetypes';
  round: number;
}

/**
 * The recipients of template messages as a simulated population (`@wt/simulation`) sees them,
 * when `SANDBOX_SIMULATION_SEED` is set: `SimulatedPopulation`, or `ArchetypePopulation` with
 * `SANDBOX_SIMULATION_POPULATION=archetypes` (whose people tire of messages and have bursts of
 * intent: the sandbox counts the messages each person got from each business in the last 7
 * rounds, the round being set by the test with `PUT /sandbox/simulation`). The business is the
 * phone_number_id; what a message is about is its registered template's categories. A person who
 * opts out of a business stays out (131050) until the sandbox is reset.
 */
@Injectable()
export class SimulatedRecipients {
  private readonly population: SimulatedPopulation | ArchetypePopulation | undefined;
  private readonly optedOut = new Set<string>();
  /** Per business and person (archetypes only): the rounds of the messages received. */
  private readonly received = new Map<string, number[]>();
  private round = 0;

  constructor(config: SandboxConfig) {
    const seed = config.SANDBOX_SIMULATION_SEED;
    this.population = !seed
      ? undefined
      : config.SANDBOX_SIMULATION_POPULATION === 'archetypes'
        ? new ArchetypePopulation({ seed })
        : new SimulatedPopulation({ seed });
  }

  get enabled(): boolean {
    return this.population !== undefined;
  }

  get state(): SimulationState {
    return { population: this.population instanceof ArchetypePopulation ? 'archetypes' : 'simulation', round: this.round };
  }

  /** Moves the simulated world to a round (a day); rounds only go forward until a reset. */
  setRound(round: number): SimulationState {
    this.round = round;
    return this.state;
  }

  /** What the person does with this message; undefined when the simulation is off. */
  react(phoneNumberId: string, waId: string, wamid: string, categories: readonly string[]): MessageReaction | undefined {
    if (!this.population) return undefined;
    const key = `${phoneNumberId}:${waId}`;
    const message = { businessId: phoneNumberId, categories, messageKey: wamid };
    let reaction: MessageReaction;
    if (this.population instanceof ArchetypePopulation) {
      const rounds = (this.received.get(key) ?? []).filter((r) => r > this.round - FATIGUE_ROUNDS);
      reaction = this.population.react(`+${waId}`, { ...message, round: this.round, recentMessages: rounds.length });
      if (this.received.size >= MAX_REMEMBERED) this.received.clear();
      this.received.set(key, [...rounds, this.round]);
    } else {
      reaction = this.population.react(`+${waId}`, message);
    }
    if (this.optedOut.has(key) && reaction.failure?.errorCode !== 131026)
      return { ...NOTHING, failure: { reason: 'stopped_marketing', errorCode: 131050 } };
    if (reaction.optedOut) {
      if (this.optedOut.size >= MAX_REMEMBERED) this.optedOut.clear();
      this.optedOut.add(key);
    }
    return reaction;
  }

  clear(): void {
    this.optedOut.clear();
    this.received.clear();
    this.round = 0;
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

import { ARCHETYPES, ArchetypePopulation } from './archetype-population';

const population = new ArchetypePopulation();
const phones = population.phoneNumbers(3000, 'spec');

describe('ArchetypePopulation', () => {
  it('is deterministic per number and seed', () => {
    const phone = phones[0] as string;
    expect(new ArchetypePopulation().person(phone)).toEqual(population.person(phone));
    expect(new ArchetypePopulation({ seed: 'other' }).person(phone)).not.toEqual(population.person(phone));
    expect(population.engagements(phone, { round: 3 })).toEqual(new ArchetypePopulation().engagements(phone, { round: 3 }));
  });

  it('has every archetype, with sparse interests: one main and one or two minor', () => {
    const seen = new Set(phones.map((p) => population.archetype(p)));
    expect([...seen].sort()).toEqual([...ARCHETYPES].sort());
    for (const phone of phones.slice(0, 200)) {
      const person = population.person(phone);
      expect(person.minor.length).toBeGreaterThanOrEqual(1);
      expect(person.minor.length).toBeLessThanOrEqual(2);
      const strong = Object.values(person.affinity).filter((a) => a >= 0.2);
      expect(strong).toHaveLength(1 + person.minor.length);
    }
  });

  it('makes engagement volume not predict buying: social people engage most and buy least, quiet buyers the reverse', () => {
    const stats = (archetype: string) => {
      const group = phones.filter((p) => population.archetype(p) === archetype);
      const volume = group.reduce((n, p) => n + population.engagements(p, { round: 0 }).length, 0) / group.length;
      const buying =
        group.reduce((n, p) => n + population.probabilities(p, { businessId: 'b', categories: [population.person(p).main] }).purchase, 0) /
        group.length;
      return { volume, buying };
    };
    const social = stats('social');
    const buyers = stats('quiet_buyer');
    expect(social.volume).toBeGreaterThan(4 * buyers.volume);
    expect(buyers.buying).toBeGreaterThan(4 * social.buying);
  });

  it('raises opt-outs with fatigue, and a burst of intent fades', () => {
    const lurker = phones.find((p) => population.archetype(p) === 'lurker') as string;
    const message = { businessId: 'b', categories: [population.person(lurker).minor[0] as string] };
    expect(population.probabilities(lurker, message, { recentMessages: 3 }).optOut).toBeGreaterThan(
      1.5 * population.probabilities(lurker, message, { recentMessages: 0 }).optOut,
    );
    const burst = phones.find((p) => population.person(p).burst && population.person(p).burst!.round > 0) as string;
    const { category, round } = population.person(burst).burst!;
    const at = (r: number) => population.relevance(burst, [category], r);
    expect(at(round)).toBeGreaterThan(at(round - 1));
    expect(at(round + 6)).toBeLessThan(at(round));
  });
});

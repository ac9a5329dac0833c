import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { SIMULATION_CATEGORIES, SimulatedPopulation } from './simulated-population';

const population = new SimulatedPopulation();
const phones = population.phoneNumbers(2000, 'spec');

describe('SimulatedPopulation', () => {
  it('gives a number the same hidden preferences every time, and another seed other preferences', () => {
    const phone = phones[0] as string;
    expect(new SimulatedPopulation().preferences(phone)).toEqual(population.preferences(phone));
    expect(new SimulatedPopulation({ seed: 'other' }).preferences(phone)).not.toEqual(population.preferences(phone));
  });

  it('makes valid, distinct, reproducible mobile numbers', () => {
    expect(new Set(phones).size).toBe(2000);
    expect(population.phoneNumbers(5, 'spec')).toEqual(phones.slice(0, 5));
    for (const phone of phones.slice(0, 200)) expect(parsePhoneNumberFromString(phone)?.isValid()).toBe(true);
  });

  it('gives each person 1 to 3 favourite categories that stand out from the rest', () => {
    for (const phone of phones.slice(0, 200)) {
      const person = population.preferences(phone);
      expect(person.favourites.length).toBeGreaterThanOrEqual(1);
      expect(person.favourites.length).toBeLessThanOrEqual(3);
      const others = SIMULATION_CATEGORIES.filter((c) => !person.favourites.includes(c));
      const weakestFavourite = Math.min(...person.favourites.map((c) => person.affinity[c] as number));
      expect(Math.max(...others.map((c) => person.affinity[c] as number))).toBeLessThan(weakestFavourite);
    }
  });

  it('has a few numbers off WhatsApp, a few stopped marketing and some under the marketing limit', () => {
    const off = phones.filter((p) => !population.preferences(p).onWhatsApp).length / phones.length;
    const stopped = phones.filter((p) => population.stoppedMarketing(p, 'acme')).length / phones.length;
    const limited = phones.filter((p) => population.preferences(p).marketingLimitShare > 0).length / phones.length;
    expect(off).toBeGreaterThan(0.01);
    expect(off).toBeLessThan(0.06);
    expect(stopped).toBeGreaterThan(0.01);
    expect(stopped).toBeLessThan(0.06);
    expect(limited).toBeGreaterThan(0.06);
    expect(limited).toBeLessThan(0.14);
  });

  it('reacts with the codes Meta uses for undeliverable people', () => {
    const offWhatsApp = phones.find((p) => !population.preferences(p).onWhatsApp) as string;
    const stopped = phones.find((p) => population.preferences(p).onWhatsApp && population.stoppedMarketing(p, 'acme')) as string;
    const message = { businessId: 'acme', categories: ['fitness'], messageKey: 'm1' };
    expect(population.react(offWhatsApp, message)).toMatchObject({ delivered: false, failure: { errorCode: 131026 }, read: false });
    expect(population.react(stopped, message)).toMatchObject({ delivered: false, failure: { errorCode: 131050 } });
    const limited = phones.find(
      (p) =>
        population.preferences(p).onWhatsApp &&
        !population.stoppedMarketing(p, 'acme') &&
        population.preferences(p).marketingLimitShare > 0,
    ) as string;
    const codes = Array.from({ length: 100 }, (_, i) => population.react(limited, { ...message, messageKey: `k${i}` }).failure?.errorCode);
    expect(codes.filter((c) => c === 131049).length).toBeGreaterThan(25);
    expect(codes.filter((c) => c === undefined).length).toBeGreaterThan(25);
  });

  it('reacts the same way to the same message, and implies read before click and click before purchase', () => {
    const reactions = phones.slice(0, 500).map((phone) => {
      const favourite = population.preferences(phone).favourites[0] as string;
      const message = { businessId: 'acme', categories: [favourite], messageKey: `w-${phone}` };
      expect(population.react(phone, message)).toEqual(population.react(phone, message));
      return population.react(phone, message);
    });
    for (const r of reactions) {
      if (r.clicked || r.replied || r.optedOut) expect(r.read).toBe(true);
      if (r.purchased) expect(r.clicked).toBe(true);
      if (r.optedOut) expect(r.clicked || r.purchased || r.replied).toBe(false);
    }
    expect(reactions.filter((r) => r.purchased).length).toBeGreaterThan(0);
  });

  it('buys far more and opts out far less when the message matches the hidden preferences', () => {
    const tally = (choose: (phone: string) => string) => {
      let purchases = 0;
      let optOuts = 0;
      for (const phone of phones) {
        const r = population.react(phone, { businessId: 'acme', categories: [choose(phone)], messageKey: `x-${phone}` });
        purchases += Number(r.purchased);
        optOuts += Number(r.optedOut);
      }
      return { purchases, optOuts };
    };
    const matched = tally((phone) => population.preferences(phone).favourites[0] as string);
    const unmatched = tally((phone) => SIMULATION_CATEGORIES.find((c) => !population.preferences(phone).favourites.includes(c)) as string);
    expect(matched.purchases).toBeGreaterThan(5 * Math.max(1, unmatched.purchases));
    expect(unmatched.optOuts).toBeGreaterThan(3 * Math.max(1, matched.optOuts));
  });

  it('gives the oracle probabilities that the reactions bear out', () => {
    const message = { businessId: 'acme', categories: ['running-shoes', 'fitness'] };
    let expected = 0;
    let observed = 0;
    for (const phone of phones) {
      expected += population.probabilities(phone, message).read;
      observed += Number(population.react(phone, { ...message, messageKey: `o-${phone}` }).read);
    }
    expect(Math.abs(observed - expected) / expected).toBeLessThan(0.08);
    const p = population.probabilities(phones[1] as string, message);
    expect(p.purchase).toBeLessThanOrEqual(p.click);
    expect(p.click).toBeLessThanOrEqual(p.read);
    expect(p.read).toBeLessThanOrEqual(p.delivered);
  });

  it('generates engagement that mostly follows the favourite categories, reproducibly per round', () => {
    const phone = phones[2] as string;
    const favourites = population.preferences(phone).favourites;
    const events = population.engagements(phone, { count: 400, round: 1 });
    expect(population.engagements(phone, { count: 400, round: 1 })).toEqual(events);
    expect(population.engagements(phone, { count: 400, round: 2 })).not.toEqual(events);
    const inFavourites = events.filter((e) => favourites.includes(e.category)).length / events.length;
    expect(inFavourites).toBeGreaterThan(0.6);
    expect(new Set(events.map((e) => e.type)).size).toBeGreaterThan(4);
  });

  it('refuses rates outside 0..1 and an empty catalogue', () => {
    expect(() => new SimulatedPopulation({ notOnWhatsAppRate: 2 })).toThrow('notOnWhatsAppRate must be between 0 and 1');
    expect(() => new SimulatedPopulation({ categories: [] })).toThrow('at least one category');
  });
});

import { countersMoved, StallTimeline } from './stall-timeline';

describe('the fault run stall timeline', () => {
  it('measures the longest time between progress readings, per stage, the pipeline the longest of them', () => {
    const timeline = new StallTimeline(['ingest', 'scoring']);
    for (const at of [0, 200, 400, 3400, 3600]) timeline.progressed('ingest', at);
    for (const at of [0, 1000, 2000, 3000, 4000]) timeline.progressed('scoring', at);

    expect(timeline.stallSince(0, 4000)).toEqual({ stallMs: 3000, stages: { ingest: 3000, scoring: 1000 } });
  });

  it('counts a stage with nothing waiting at its input as not stalled, at the time its reading was asked however late it answered', () => {
    const timeline = new StallTimeline(['profiles']);
    timeline.progressed('profiles', 0);
    // Readings that took 1.5 s each (a loaded machine): the old rule (a caught-up reading less than
    // 1 s old at the sample) counted none of them, so an idle stage showed a 6 s stall.
    for (const askedAt of [1000, 2500, 4000, 5500]) timeline.caughtUp('profiles', askedAt);
    timeline.progressed('profiles', 6000);

    expect(timeline.stallSince(0, 6000).stages['profiles']).toBe(1500);
  });

  it('keeps instants in order when a slow reading is recorded after later progress', () => {
    const timeline = new StallTimeline(['scoring']);
    timeline.progressed('scoring', 0);
    timeline.progressed('scoring', 4000);
    timeline.caughtUp('scoring', 2000); // asked at 2 s, answered after 4 s

    expect(timeline.stallSince(0, 4000).stages['scoring']).toBe(2000);
  });

  it('counts a stage that could not be read as stalled, until the window ends', () => {
    const timeline = new StallTimeline(['dispatcher']);
    timeline.progressed('dispatcher', 1000);

    expect(timeline.stallSince(2000, 9000).stages['dispatcher']).toBe(8000);
  });

  it('counts a stall under way when the window opens from its start, and ignores instants after the window', () => {
    const timeline = new StallTimeline(['ingest']);
    for (const at of [0, 5000, 5200, 20_000]) timeline.progressed('ingest', at);

    expect(timeline.stallSince(3000, 6000).stages['ingest']).toBe(5000);
  });

  it('flows once every stage was known before the window and never stalled longer than the gap in it', () => {
    const timeline = new StallTimeline(['ingest', 'scoring']);
    for (let at = 0; at <= 10_000; at += 500) timeline.progressed('ingest', at);
    for (const at of [3000, 5000, 7000, 9000]) timeline.progressed('scoring', at);

    expect(timeline.flowing(10_000, 5000, 2500)).toBe(true);
    expect(timeline.flowing(10_000, 5000, 1500)).toBe(false);
    // scoring first seen at 3 s: not known for the 8 s before 10 s
    expect(timeline.flowing(10_000, 8000, 2500)).toBe(false);
  });

  it('says how long each stage had already stood still when a fault began (0 for one not seen yet)', () => {
    const timeline = new StallTimeline(['ingest', 'scoring', 'dispatcher']);
    for (const at of [0, 1000, 2000, 9000]) timeline.progressed('ingest', at);
    timeline.caughtUp('scoring', 4500);

    expect(timeline.stalledAt(5000)).toEqual({ ingest: 3000, scoring: 500, dispatcher: 0 });
  });

  it('rejects a stage it does not know (a typo in a stage name would silently never progress)', () => {
    expect(() => new StallTimeline(['ingest']).progressed('ingets', 0)).toThrow('unknown stage ingets');
  });
});

describe('countersMoved', () => {
  it('is progress when a replica read twice changed, a restarted one (back to zero) too', () => {
    expect(countersMoved([10, undefined], [12, undefined])).toBe(true);
    expect(countersMoved([10, 5], [0, 5])).toBe(true);
  });

  it('is no progress when nothing changed, a replica was not read, or read for the first time', () => {
    expect(countersMoved([10, 5], [10, 5])).toBe(false);
    expect(countersMoved([10, 5], [undefined, 5])).toBe(false);
    expect(countersMoved([undefined, undefined], [10, 5])).toBe(false);
  });
});

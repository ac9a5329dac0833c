import { Logger } from '@nestjs/common';
import { kafkaMetrics } from '@wt/kafka';
import { kafkaWith1303 } from '@wt/testing';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { faultLoad } from './fault-load';

describe('faultLoad under kafkajs #1303 (simulated)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'fault-load-'));
    kafkaMetrics.producerPartitionsResent.reset();
    // The publisher warns of each resend: expected here, kept out of the test's output.
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
  });
  afterEach(() => {
    jest.restoreAllMocks();
    rmSync(dir, { recursive: true, force: true });
  });

  it('counts as acknowledged only events written, resending the partitions a send left out while reporting success', async () => {
    // Sends: the campaigns, the consents, then the events' one tick, which leaves out partitions 1 and 4.
    const { kafka, written } = kafkaWith1303([[], [], [1, 4]]);
    const out = path.join(dir, 'keys.json');
    const result = await faultLoad(kafka, { rate: 1000, seconds: 0.1, poisonEvery: 1000, out, run: 'spec' });

    const acknowledged = JSON.parse(readFileSync(out, 'utf8')) as string[];
    const inTopic = new Set(
      [...written.values()]
        .flat()
        .map((value) => JSON.parse(value) as { source?: string; eventId?: string; campaignId?: string })
        .filter((event) => event.eventId !== undefined)
        .map((event) => `${event.source}:${event.eventId}`),
    );
    expect(acknowledged.length).toBe(result.produced);
    expect(acknowledged.length).toBeGreaterThan(0);
    expect(acknowledged.filter((key) => !inTopic.has(key))).toEqual([]);
    expect(result.partitionsResent).toBe(2);
  });
});

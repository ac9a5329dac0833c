import { randomBytes } from 'node:crypto';
import { type PartitionerArgs, Partitioners } from 'kafkajs';
import { JavaCompatiblePartitioner, murmur2 } from './partitioner';

// kafkajs's own hash (64-bit Long arithmetic), the reference.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const kafkajsMurmur2 = require('kafkajs/src/producer/partitioners/default/murmur2') as (key: string | Buffer) => number;

const metadata = (count: number) =>
  Array.from({ length: count }, (_, i) => ({ partitionErrorCode: 0, partitionId: i, leader: 1, replicas: [1], isr: [1] }));
const args = (key: string | Buffer | null, count: number, partition?: number): PartitionerArgs => ({
  topic: 't',
  partitionMetadata: metadata(count),
  message: { key, value: 'v', ...(partition === undefined ? {} : { partition }) },
});

describe('murmur2', () => {
  it("matches the Java client's published values", () => {
    // Kafka's UtilsTest.testMurmur2: the Java client's hashes of these byte strings.
    const cases: [string, number][] = [
      ['21', -973932308],
      ['foobar', -790332482],
      ['a-little-bit-long-string', -985981536],
      ['a-little-bit-longer-string', -1486304829],
      ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
      ['abc', 479470107],
    ];
    for (const [key, hash] of cases) expect(murmur2(key)).toBe(hash);
  });

  it("gives kafkajs's hash for every length, ASCII and not, string and Buffer", () => {
    const keys: (string | Buffer)[] = ['', 'a', 'é', '👍', 'personne-é', 'x'.repeat(64)];
    for (let length = 0; length < 80; length++) {
      keys.push(randomBytes(length));
      keys.push(randomBytes(length).toString('hex').slice(0, length));
      keys.push(Array.from(randomBytes(length), (b) => String.fromCharCode(b < 128 ? b : 0x100 + b)).join(''));
    }
    for (const key of keys) expect(murmur2(key)).toBe(kafkajsMurmur2(key));
  });
});

describe('JavaCompatiblePartitioner', () => {
  it("puts each key on kafkajs's DefaultPartitioner's partition", () => {
    const ours = JavaCompatiblePartitioner();
    const theirs = Partitioners.DefaultPartitioner();
    for (let i = 0; i < 2000; i++) {
      const key = i % 3 === 0 ? randomBytes(1 + (i % 70)) : randomBytes(32).toString('hex');
      for (const count of [1, 6, 7, 512]) expect(ours(args(key, count))).toBe(theirs(args(key, count)));
    }
  });

  it('keeps an explicit partition, and spreads records without a key over every partition', () => {
    const ours = JavaCompatiblePartitioner();
    expect(ours(args('some-key', 6, 4))).toBe(4);
    const seen = new Set(Array.from({ length: 12 }, () => ours(args(null, 6))));
    expect([...seen].sort()).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('stamps its choice on the record: partitioned again (a retry, a resend), a record without a key keeps its partition', () => {
    const ours = JavaCompatiblePartitioner();
    const records = Array.from({ length: 12 }, () => args(null, 6));
    const first = records.map((record) => ours(record));
    expect(records.map((record) => record.message.partition)).toEqual(first);
    expect(records.map((record) => ours(record))).toEqual(first);
    const keyed = args('some-key', 6);
    expect(keyed.message.partition).toBeUndefined();
    const partition = ours(keyed);
    expect(keyed.message.partition).toBe(partition);
  });
});

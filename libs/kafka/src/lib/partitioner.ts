import { type ICustomPartitioner, Partitioners } from 'kafkajs';

const M = 0x5bd1e995;

/**
 * Kafka's murmur2 (the Java client's `Utils.murmur2`) in 32-bit integer arithmetic. kafkajs's own
 * computes the same hash through its 64-bit `Long` class, allocating several objects per 4 bytes of
 * key: about 8 % of ingest's CPU with 64-character personId keys. Same result, bit for bit
 * (partitioner.spec.ts checks it against kafkajs's implementation).
 */
export function murmur2(key: string | Buffer): number {
  if (typeof key !== 'string') return hashBytes(key);
  for (let i = 0; i < key.length; i++) if (key.charCodeAt(i) > 0x7f) return hashBytes(Buffer.from(key, 'utf8'));
  // ASCII (personIds, campaign ids): its char codes are its UTF-8 bytes, so no Buffer is made.
  const length = key.length;
  const tail = length & ~3;
  let h = 0x9747b28c ^ length;
  for (let i = 0; i < tail; i += 4) {
    h = mix(h, key.charCodeAt(i) | (key.charCodeAt(i + 1) << 8) | (key.charCodeAt(i + 2) << 16) | (key.charCodeAt(i + 3) << 24));
  }
  const rest = length & 3;
  return finish(
    h,
    rest,
    rest > 0 ? key.charCodeAt(tail) : 0,
    rest > 1 ? key.charCodeAt(tail + 1) : 0,
    rest > 2 ? key.charCodeAt(tail + 2) : 0,
  );
}

function hashBytes(data: Buffer): number {
  const length = data.length;
  const tail = length & ~3;
  let h = 0x9747b28c ^ length;
  for (let i = 0; i < tail; i += 4) {
    h = mix(h, (data[i] as number) | ((data[i + 1] as number) << 8) | ((data[i + 2] as number) << 16) | ((data[i + 3] as number) << 24));
  }
  const rest = length & 3;
  return finish(
    h,
    rest,
    rest > 0 ? (data[tail] as number) : 0,
    rest > 1 ? (data[tail + 1] as number) : 0,
    rest > 2 ? (data[tail + 2] as number) : 0,
  );
}

function mix(h: number, k: number): number {
  k = Math.imul(k, M);
  k ^= k >>> 24;
  k = Math.imul(k, M);
  return Math.imul(h, M) ^ k;
}

/** The last 1-3 bytes (b0 first), then the final avalanche. */
function finish(h: number, rest: number, b0: number, b1: number, b2: number): number {
  if (rest > 0) {
    h ^= (b2 << 16) ^ (b1 << 8) ^ b0;
    h = Math.imul(h, M);
  }
  h ^= h >>> 13;
  h = Math.imul(h, M);
  h ^= h >>> 15;
  return h | 0;
}

/**
 * kafkajs's `Partitioners.DefaultPartitioner` (the Java client's: murmur2 of the key, positive, modulo
 * the partition count; round robin for records without a key) with the hash above: a key lands on
 * the same partition as with kafkajs's or Java's producer.
 *
 * The partition chosen is stamped on the record (`message.partition`): kafkajs partitions again on
 * every retry, and a record without a key would then go round robin to another partition; stamped,
 * a record keeps its partition through kafkajs's retries and KafkaPublisher's resend of the
 * partitions a send left out (kafkajs #1303), which compares the partitions kafkajs acknowledged
 * with those its records were given.
 */
export const JavaCompatiblePartitioner: ICustomPartitioner = () => {
  const fallback = Partitioners.DefaultPartitioner();
  return (args) => {
    const { message, partitionMetadata } = args;
    if (message.partition !== null && message.partition !== undefined) return message.partition;
    const partition =
      message.key !== null && message.key !== undefined
        ? (murmur2(Buffer.isBuffer(message.key) ? message.key : String(message.key)) & 0x7fffffff) % partitionMetadata.length
        : fallback(args);
    message.partition = partition;
    return partition;
  };
};

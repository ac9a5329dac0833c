#!/usr/bin/env node
// Verifies, against a real broker, that kafkajs (2.2.4) can do everything this project uses:
// admin operations, compacted topics with tombstones, the idempotent producer, and consumer
// groups with manual commits and rebalancing. Kafka 4.x removed old protocol versions (KIP-896),
// so a newer broker must be proven, not assumed, to work with this client.
//
//   node tools/stack/kafka-compat-check.mjs [--brokers host:port] [--start] [--json]
//
//   --brokers   default: $KAFKA_BROKERS, else the profile's local broker (127.0.0.1:9092 for dev)
//   --start     bring our local broker up first (kafka-broker.mjs ensureBroker), and stop it
//               afterwards if this run started it
//   --json      print the results as JSON instead of a table
//
// Exits 0 if every check passed, 1 otherwise. Throwaway topics/groups get a random suffix and
// are deleted at the end.
import crypto from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import kafkajs from 'kafkajs'; // CommonJS: named imports are not all detectable, use the default export

import { ensureBroker, resolveBrokerConfig, stopBroker } from './kafka-broker.mjs';

const { ConfigResourceTypes, Kafka, logLevel, Partitioners } = kafkajs;

const STEP_TIMEOUT_MS = 60_000;
const sleep = (/** @type {number} */ ms) => new Promise((r) => setTimeout(r, ms));

/**
 * @template T
 * @param {Promise<T>} promise
 * @param {number} ms
 * @param {string} what the step, for the message
 * @returns {Promise<T>}
 */
function withTimeout(promise, ms, what) {
  /** @type {NodeJS.Timeout | undefined} */
  let timer;
  return Promise.race([
    promise,
    new Promise((/** @type {(value: never) => void} */ _, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${ms / 1000}s: ${what}`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/**
 * Polls `fn` until it returns a truthy value; throws `what` on timeout.
 * @template T
 * @param {() => T | false | Promise<T | false>} fn
 * @param {string} what
 * @returns {Promise<T>} the truthy value
 */
async function waitUntil(fn, what, timeoutMs = 30_000, intervalMs = 200) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000}s waiting for ${what}`);
    await sleep(intervalMs);
  }
}

/** What a broker answers for a topic it does not serve yet (its metadata behind the controller's). */
const NOT_YET_SERVED = new Set(['UNKNOWN_TOPIC_OR_PARTITION', 'LEADER_NOT_AVAILABLE', 'NOT_LEADER_FOR_PARTITION']);

/**
 * Creates topics as the project does (libs/kafka `ensureTopics`): the controller answers once the
 * topic is in its metadata log, the broker serves it once it has applied that record, later on a
 * busy machine, and kafkajs's `waitForLeaders` fails on the broker's UNKNOWN_TOPIC_OR_PARTITION
 * meanwhile. So this waits for the broker's metadata itself, asking again on that answer.
 * @param {import('kafkajs').Admin} admin
 * @param {import('kafkajs').ITopicConfig[]} topicConfigs
 * @returns {Promise<boolean>} what createTopics returned (false: a topic already existed)
 */
async function createServedTopics(admin, topicConfigs) {
  const created = await admin.createTopics({ waitForLeaders: false, topics: topicConfigs });
  const names = topicConfigs.map((t) => t.topic);
  await waitUntil(
    () =>
      admin
        .fetchTopicMetadata({ topics: names })
        // In the metadata with leaders, and each leader answering for its partitions (it may still
        // say NOT_LEADER_FOR_PARTITION a moment after the metadata names it, and a produce fails).
        .then(
          async (md) =>
            md.topics.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0)) &&
            (await Promise.all(names.map((name) => admin.fetchTopicOffsets(name)))).length === names.length,
        )
        .catch((/** @type {{type?: string}} */ error) => {
          if (NOT_YET_SERVED.has(error.type ?? '')) return false;
          throw error;
        }),
    `the broker to serve ${names.join(', ')}`,
  );
  return created;
}

/**
 * @param {unknown} cond
 * @param {string} message
 * @returns {asserts cond}
 */
function assert(cond, message) {
  if (!cond) throw new Error(message);
}

/**
 * Error text that keeps what matters for protocol problems (kafkajs error type, cause).
 * @param {unknown} caught
 */
function describeError(caught) {
  // What kafkajs errors carry besides an Error's name and message (each may be missing).
  const err = /** @type {Error & {type?: string, code?: unknown, cause?: {message?: string}, originalError?: {message?: string}}} */ (
    caught
  );
  const parts = [`${err.name ?? 'Error'}: ${err.message}`];
  if (err.type) parts.push(`type=${err.type}`);
  if (err.code != null && typeof err.code === 'number') parts.push(`code=${err.code}`);
  if (err.cause?.message) parts.push(`cause: ${err.cause.message}`);
  if (err.originalError?.message) parts.push(`original: ${err.originalError.message}`);
  return parts.join('; ');
}

/**
 * Runs every check against `brokers` ("host:port[,host:port]").
 * @param {string} brokers
 * @returns {Promise<Array<{check: string, ok: boolean, detail: string}>>}
 */
export async function checkKafkajsCompat(brokers) {
  /** @type {Array<{check: string, ok: boolean, detail: string}>} */
  const results = [];
  // kafkajs WARN/ERROR log lines, attached to a failing check to show what the broker said.
  /** @type {string[]} */
  const clientLog = [];
  const kafka = new Kafka({
    clientId: 'wa-targeting-compat-check',
    brokers: brokers.split(',').map((b) => b.trim()),
    logLevel: logLevel.WARN,
    logCreator:
      () =>
      ({ level, log }) => {
        const { message, error, ...rest } = log;
        clientLog.push(
          `${level === logLevel.ERROR ? 'ERROR' : 'WARN'} ${message}${error ? ` (${error})` : ''}` +
            (rest.apiName ? ` api=${rest.apiName}` : ''),
        );
      },
    // Retriable answers (a new topic's partitions not yet hosted, a coordinator still loading) get
    // as long as the services give them: on a loaded machine 1.4 s of retries were seen to run out.
    retry: { retries: 8, initialRetryTime: 200, maxRetryTime: 5_000 },
  });

  const sfx = `${Date.now().toString(36)}-${crypto.randomBytes(3).toString('hex')}`;
  const topics = {
    admin: `wt-compat-admin-${sfx}`,
    compact: `wt-compat-compact-${sfx}`,
    idem: `wt-compat-idem-${sfx}`,
    group: `wt-compat-group-${sfx}`,
  };
  const groups = { idem: `wt-compat-idem-reader-${sfx}`, compact: `wt-compat-compact-reader-${sfx}`, main: `wt-compat-group-${sfx}` };
  /** @type {Set<string>} */
  const created = new Set();
  /** @type {Array<{disconnect(): Promise<void>}>} */
  const clients = []; // everything to disconnect at the end

  const passed = (/** @type {string} */ name) => results.find((r) => r.check === name)?.ok === true;
  /**
   * Runs one check (skipped when a check it needs failed) and records its result.
   * @param {string} name
   * @param {() => Promise<string | undefined>} fn resolves with the check's detail
   * @param {{needs?: string[]}} [options]
   */
  async function step(name, fn, { needs = [] } = {}) {
    const missing = needs.filter((n) => !passed(n));
    if (missing.length) {
      results.push({ check: name, ok: false, detail: `skipped: needs "${missing.join('", "')}"` });
      return;
    }
    const logStart = clientLog.length;
    const t0 = Date.now();
    try {
      const detail = await withTimeout(Promise.resolve().then(fn), STEP_TIMEOUT_MS, name);
      results.push({ check: name, ok: true, detail: `${detail ?? 'ok'} (${Date.now() - t0} ms)` });
    } catch (err) {
      const logs = clientLog.slice(logStart).slice(-5);
      results.push({
        check: name,
        ok: false,
        detail: describeError(err) + (logs.length ? `\n    kafkajs log: ${logs.join('\n    kafkajs log: ')}` : ''),
      });
    }
  }

  const admin = kafka.admin();
  clients.push(admin);
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  clients.push(producer);

  /**
   * Reads `expected` messages from `topic` from the beginning with a throwaway group.
   * @param {string} topic
   * @param {string} groupId
   * @param {number} expected
   */
  async function readAll(topic, groupId, expected) {
    const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 200, sessionTimeout: 10_000, heartbeatInterval: 500 });
    clients.push(consumer);
    /** @type {Array<{partition: number, offset: string, key: string | null, value: Buffer | null}>} */
    const got = [];
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        got.push({ partition, offset: message.offset, key: message.key?.toString() ?? null, value: message.value });
      },
    });
    await waitUntil(() => got.length >= expected, `${expected} messages on ${topic} (got ${got.length})`);
    await sleep(500); // give duplicates, if any, a chance to show up
    await consumer.disconnect();
    return got;
  }

  try {
    // -- connectivity ------------------------------------------------------------------------
    await step('connect: admin.describeCluster', async () => {
      await admin.connect();
      await producer.connect();
      const c = await admin.describeCluster();
      return `cluster ${c.clusterId}, ${c.brokers.length} broker(s), controller ${c.controller}`;
    });
    const base = { needs: ['connect: admin.describeCluster'] };

    // -- a. admin ----------------------------------------------------------------------------
    await step(
      'admin: createTopics (3 partitions + configEntries)',
      async () => {
        const ok = await createServedTopics(admin, [
          {
            topic: topics.admin,
            numPartitions: 3,
            replicationFactor: 1,
            configEntries: [
              { name: 'retention.ms', value: '3600000' },
              { name: 'max.message.bytes', value: '262144' },
            ],
          },
        ]);
        created.add(topics.admin);
        assert(ok === true, `createTopics returned ${ok}, expected true`);
        return `created ${topics.admin}`;
      },
      base,
    );

    await step(
      'admin: fetchTopicMetadata',
      async () => {
        const md = await admin.fetchTopicMetadata({ topics: [topics.admin] });
        const n = md.topics[0]?.partitions.length;
        assert(n === 3, `expected 3 partitions, metadata says ${n}`);
        return `3 partitions, leaders ${md.topics[0].partitions.map((p) => p.leader).join(',')}`;
      },
      { needs: ['admin: createTopics (3 partitions + configEntries)'] },
    );

    await step(
      'admin: describeConfigs (topic)',
      async () => {
        const res = await admin.describeConfigs({
          includeSynonyms: false,
          resources: [{ type: ConfigResourceTypes.TOPIC, name: topics.admin, configNames: ['retention.ms', 'max.message.bytes'] }],
        });
        const entries = Object.fromEntries(res.resources[0].configEntries.map((e) => [e.configName, e.configValue]));
        assert(entries['retention.ms'] === '3600000', `retention.ms is ${entries['retention.ms']}`);
        assert(entries['max.message.bytes'] === '262144', `max.message.bytes is ${entries['max.message.bytes']}`);
        return 'retention.ms=3600000, max.message.bytes=262144';
      },
      { needs: ['admin: createTopics (3 partitions + configEntries)'] },
    );

    await step(
      'admin: createPartitions (3 -> 5)',
      async () => {
        await admin.createPartitions({ topicPartitions: [{ topic: topics.admin, count: 5 }] });
        const n = await waitUntil(
          async () => {
            const md = await admin.fetchTopicMetadata({ topics: [topics.admin] });
            return md.topics[0].partitions.length === 5 && 5;
          },
          '5 partitions in metadata',
          15_000,
        );
        return `${n} partitions`;
      },
      { needs: ['admin: createTopics (3 partitions + configEntries)'] },
    );

    await step(
      'admin: listTopics + deleteTopics',
      async () => {
        assert((await admin.listTopics()).includes(topics.admin), 'listTopics misses the new topic');
        await admin.deleteTopics({ topics: [topics.admin], timeout: 10_000 });
        await waitUntil(async () => !(await admin.listTopics()).includes(topics.admin), 'topic to disappear', 15_000);
        created.delete(topics.admin);
        return 'topic listed, deleted, gone from listTopics';
      },
      { needs: ['admin: createTopics (3 partitions + configEntries)'] },
    );

    // -- b. compacted topic --------------------------------------------------------------------
    await step(
      'compaction: createTopics cleanup.policy=compact + describeConfigs',
      async () => {
        await createServedTopics(admin, [
          {
            topic: topics.compact,
            numPartitions: 2,
            replicationFactor: 1,
            configEntries: [
              { name: 'cleanup.policy', value: 'compact' },
              { name: 'min.cleanable.dirty.ratio', value: '0.01' },
            ],
          },
        ]);
        created.add(topics.compact);
        const res = await admin.describeConfigs({
          includeSynonyms: false,
          resources: [{ type: ConfigResourceTypes.TOPIC, name: topics.compact, configNames: ['cleanup.policy'] }],
        });
        const policy = res.resources[0].configEntries.find((e) => e.configName === 'cleanup.policy')?.configValue;
        assert(policy === 'compact', `cleanup.policy is ${policy}`);
        return 'cleanup.policy=compact';
      },
      base,
    );

    await step(
      'compaction: produce keyed values + tombstones, read back',
      async () => {
        const messages = [];
        for (let i = 0; i < 10; i++) messages.push({ key: `k${i}`, value: JSON.stringify({ v: 1, i }) });
        for (let i = 0; i < 10; i += 2) messages.push({ key: `k${i}`, value: null }); // tombstones
        const res = await producer.send({ topic: topics.compact, acks: -1, messages });
        assert(
          res.every((r) => r.errorCode === 0),
          `produce errors: ${JSON.stringify(res)}`,
        );
        const got = await readAll(topics.compact, groups.compact, messages.length);
        const tombstones = got.filter((m) => m.value === null);
        assert(got.length === messages.length, `read ${got.length} records, expected ${messages.length}`);
        assert(tombstones.length === 5, `read ${tombstones.length} tombstones (null value), expected 5`);
        assert(
          tombstones.every((m) => Number(m.key?.slice(1)) % 2 === 0),
          'tombstones carry the wrong keys',
        );
        return `${messages.length} records (5 tombstones with null value) round-tripped`;
      },
      { needs: ['compaction: createTopics cleanup.policy=compact + describeConfigs'] },
    );

    // -- c. idempotent producer -----------------------------------------------------------------
    const idemCount = 40;
    await step(
      'idempotent producer: sendBatch acks=-1 to 4 partitions',
      async () => {
        await createServedTopics(admin, [{ topic: topics.idem, numPartitions: 4, replicationFactor: 1 }]);
        created.add(topics.idem);
        const idem = kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
        clients.push(idem);
        await idem.connect(); // InitProducerId happens here
        const messages = Array.from({ length: idemCount }, (_, i) => ({ key: `m${i}`, value: `idem-${i}`, partition: i % 4 }));
        // Two batches in one sendBatch call (same topic twice is how services batch per topic).
        const res = await idem.sendBatch({
          acks: -1,
          topicMessages: [
            { topic: topics.idem, messages: messages.slice(0, idemCount / 2) },
            { topic: topics.idem, messages: messages.slice(idemCount / 2) },
          ],
        });
        assert(
          res.every((r) => r.errorCode === 0),
          `produce errors: ${JSON.stringify(res)}`,
        );
        await idem.disconnect();
        return `${idemCount} messages, ${new Set(res.map((r) => r.partition)).size} partitions acknowledged`;
      },
      base,
    );

    await step(
      'idempotent producer: read back exactly once',
      async () => {
        const got = await readAll(topics.idem, groups.idem, idemCount);
        const seen = new Map();
        for (const m of got) seen.set(m.key, (seen.get(m.key) ?? 0) + 1);
        const dups = [...seen].filter(([, n]) => n > 1);
        assert(got.length === idemCount, `read ${got.length}, expected ${idemCount}`);
        assert(seen.size === idemCount && dups.length === 0, `duplicates: ${JSON.stringify(dups)}`);
        const wrong = got.filter((m) => m.partition !== Number(m.key?.slice(1)) % 4);
        assert(wrong.length === 0, `${wrong.length} messages landed on an unexpected partition`);
        return `${idemCount} distinct messages, each once, on the requested partitions`;
      },
      { needs: ['idempotent producer: sendBatch acks=-1 to 4 partitions'] },
    );

    // -- d. consumer groups -----------------------------------------------------------------------
    const perPartition = 10;
    const partitions = 4;
    /** @typedef {'A' | 'B'} Member */
    /** @type {Array<{member: Member, partition: number, key: string}>} */
    const consumed = [];
    /** @type {Record<Member, number[] | null>} */
    const assignments = { A: null, B: null }; // latest memberAssignment per member
    const joins = { A: 0, B: 0 };

    /** @param {Member} name */
    function makeMember(name) {
      const consumer = kafka.consumer({
        groupId: groups.main,
        sessionTimeout: 10_000,
        rebalanceTimeout: 15_000,
        heartbeatInterval: 500,
        maxWaitTimeInMs: 200,
      });
      clients.push(consumer);
      consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
        joins[name] += 1;
        assignments[name] = payload.memberAssignment[topics.group] ?? [];
      });
      return consumer;
    }

    /**
     * @param {import('kafkajs').Consumer} consumer
     * @param {Member} name
     */
    async function runMember(consumer, name) {
      await consumer.connect();
      await consumer.subscribe({ topics: [topics.group], fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        eachBatch: async ({ batch, resolveOffset, heartbeat, commitOffsetsIfNecessary, uncommittedOffsets, isRunning, isStale }) => {
          for (const message of batch.messages) {
            if (!isRunning() || isStale()) break;
            consumed.push({ member: name, partition: batch.partition, key: String(message.key) }); // every message has a key
            resolveOffset(message.offset);
            await heartbeat();
          }
          // Pitfall: with autoCommit: false, commitOffsetsIfNecessary() WITHOUT arguments commits
          // nothing (it only honours autoCommitInterval/Threshold, which are unset). Pass the
          // resolved offsets explicitly.
          await commitOffsetsIfNecessary(uncommittedOffsets());
        },
      });
    }

    /** @param {number} wave */
    async function produceWave(wave) {
      const messages = [];
      for (let p = 0; p < partitions; p++) {
        for (let i = 0; i < perPartition; i++) messages.push({ key: `w${wave}-p${p}-${i}`, value: 'x', partition: p });
      }
      await producer.send({ topic: topics.group, acks: -1, messages });
    }

    const memberA = makeMember('A');
    const memberB = makeMember('B');

    await step(
      'groups: one member, eachBatch + resolveOffset/heartbeat/commitOffsetsIfNecessary',
      async () => {
        await createServedTopics(admin, [{ topic: topics.group, numPartitions: partitions, replicationFactor: 1 }]);
        created.add(topics.group);
        await produceWave(1);
        await runMember(memberA, 'A');
        await waitUntil(() => consumed.length >= partitions * perPartition, `member A to consume wave 1 (${consumed.length})`);
        assert(assignments.A?.length === partitions, `member A was assigned ${JSON.stringify(assignments.A)}`);
        // Wave 1 counts as done once its offsets are committed, not merely handed to the handler: a
        // member that joins before the commit lands re-reads from the last commit (at-least-once),
        // which a busy machine makes likely and the next step would count as a duplicate.
        await waitUntil(async () => {
          const res = await admin.fetchOffsets({ groupId: groups.main, topics: [topics.group] });
          return res[0].partitions.length === partitions && res[0].partitions.every((p) => Number(p.offset) === perPartition);
        }, `wave 1 committed on all ${partitions} partitions`);
        return `member A assigned [${assignments.A}], consumed and committed ${consumed.length}`;
      },
      base,
    );

    await step(
      'groups: second member joins -> rebalance splits partitions',
      async () => {
        const joinsBefore = joins.A;
        await runMember(memberB, 'B');
        await waitUntil(() => joins.B >= 1 && joins.A > joinsBefore, `both members to (re)join (A joins ${joins.A}, B joins ${joins.B})`);
        const a = assignments.A ?? [];
        const b = assignments.B ?? [];
        const all = [...a, ...b].sort();
        assert(a.length > 0 && b.length > 0, `not split: A=[${a}] B=[${b}]`);
        assert(all.length === partitions && new Set(all).size === partitions, `overlap or gap: A=[${a}] B=[${b}]`);
        return `rebalanced: A=[${a}] B=[${b}]`;
      },
      { needs: ['groups: one member, eachBatch + resolveOffset/heartbeat/commitOffsetsIfNecessary'] },
    );

    await step(
      'groups: every message consumed exactly once across both members',
      async () => {
        await produceWave(2);
        const total = 2 * partitions * perPartition;
        await waitUntil(() => consumed.length >= total, `${total} messages consumed (got ${consumed.length})`);
        await sleep(1000); // duplicates, if any, would arrive now
        const counts = new Map();
        for (const c of consumed) counts.set(c.key, (counts.get(c.key) ?? 0) + 1);
        const dups = [...counts].filter(([, n]) => n > 1).map(([k]) => k);
        assert(counts.size === total, `consumed ${counts.size} distinct of ${total}`);
        assert(dups.length === 0, `consumed more than once: ${dups.slice(0, 5).join(', ')}`);
        const wave2 = consumed.filter((c) => c.key.startsWith('w2-'));
        const byB = wave2.filter((c) => c.member === 'B').length;
        const wrongMember = wave2.filter((c) => !((c.member === 'A' ? assignments.A : assignments.B) ?? []).includes(c.partition));
        assert(byB > 0 && byB < wave2.length, `wave 2 not shared: B consumed ${byB} of ${wave2.length}`);
        assert(wrongMember.length === 0, `${wrongMember.length} wave-2 messages consumed by a member not assigned their partition`);
        return `${total} consumed once; wave 2: A ${wave2.length - byB}, B ${byB}`;
      },
      { needs: ['groups: second member joins -> rebalance splits partitions'] },
    );

    await step(
      'groups: admin.fetchOffsets shows committed offsets',
      async () => {
        const expected = 2 * perPartition;
        const offsets = await waitUntil(
          async () => {
            const res = await admin.fetchOffsets({ groupId: groups.main, topics: [topics.group] });
            const parts = res[0].partitions;
            return parts.length === partitions && parts.every((p) => Number(p.offset) === expected) && parts;
          },
          `committed offset ${expected} on all ${partitions} partitions`,
          15_000,
        );
        return offsets.map((p) => `p${p.partition}=${p.offset}`).join(' ');
      },
      { needs: ['groups: every message consumed exactly once across both members'] },
    );

    await step(
      'groups: admin.describeGroups',
      async () => {
        const { groups: described } = await admin.describeGroups([groups.main]);
        // The response carries each group's errorCode; kafkajs's GroupDescription type leaves it out.
        const g = /** @type {import('kafkajs').GroupDescription & {errorCode?: number}} */ (described[0]);
        assert(g.errorCode === 0, `errorCode ${g.errorCode}`);
        assert(g.state === 'Stable', `state ${g.state}`);
        assert(g.members.length === 2, `${g.members.length} members`);
        assert(g.protocolType === 'consumer', `protocolType ${g.protocolType}`);
        return `state ${g.state}, ${g.members.length} members, protocol ${g.protocol}`;
      },
      { needs: ['groups: second member joins -> rebalance splits partitions'] },
    );

    await step(
      'groups: members leave, admin.deleteGroups',
      async () => {
        await memberA.disconnect();
        await memberB.disconnect();
        const res = await admin.deleteGroups([groups.main, groups.idem, groups.compact]);
        const bad = res.filter((r) => r.errorCode !== 0);
        assert(bad.length === 0, `deleteGroups errors: ${JSON.stringify(bad)}`);
        return `deleted ${res.length} groups`;
      },
      { needs: ['groups: one member, eachBatch + resolveOffset/heartbeat/commitOffsetsIfNecessary'] },
    );
  } finally {
    // -- cleanup: never leave throwaway topics behind ---------------------------------------------
    for (const c of clients.slice(2)) await c.disconnect().catch(() => {});
    if (created.size) {
      await step('cleanup: deleteTopics', async () => {
        const names = [...created];
        await admin.deleteTopics({ topics: names, timeout: 10_000 });
        return `deleted ${names.join(', ')}`;
      });
    }
    await producer.disconnect().catch(() => {});
    await admin.disconnect().catch(() => {});
  }
  return results;
}

/** @param {string[]} argv */
function parseArgs(argv) {
  /** @type {{json: boolean, start: boolean, brokers: string | null}} */
  const args = { json: false, start: false, brokers: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--json') args.json = true;
    else if (a === '--start') args.start = true;
    else if (a === '--brokers') args.brokers = argv[++i];
    else if (a.startsWith('--brokers=')) args.brokers = a.slice('--brokers='.length);
    else throw new Error(`unknown argument ${a} (usage: kafka-compat-check.mjs [--brokers host:port] [--start] [--json])`);
  }
  return args;
}

/** @param {string[]} argv */
async function main(argv) {
  const args = parseArgs(argv);
  let brokers = args.brokers ?? process.env.KAFKA_BROKERS ?? resolveBrokerConfig().brokers;
  let started = null;
  if (args.start && !args.brokers) {
    started = await ensureBroker({ log: (m) => console.error(`[kafka] ${m}`) });
    brokers = started.brokers;
  }
  try {
    const t0 = Date.now();
    const results = await checkKafkajsCompat(brokers);
    const failed = results.filter((r) => !r.ok);
    if (args.json) {
      console.log(JSON.stringify({ brokers, version: started?.version ?? null, results }, null, 2));
    } else {
      console.log(`kafkajs compatibility against ${brokers}${started?.version ? ` (Kafka ${started.version})` : ''}:`);
      for (const r of results) console.log(`${r.ok ? 'PASS' : 'FAIL'}  ${r.check}\n      ${r.detail}`);
      console.log(`${results.length - failed.length} passed, ${failed.length} failed (${((Date.now() - t0) / 1000).toFixed(1)}s)`);
    }
    return failed.length ? 1 : 0;
  } finally {
    if (started?.startedByUs) await stopBroker({ log: (m) => console.error(`[kafka] ${m}`) });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err) => {
      console.error(`[compat] ${err.message}`);
      process.exit(1);
    },
  );
}

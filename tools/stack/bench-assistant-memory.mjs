#!/usr/bin/env node
// The assistant SERVICE's memory under traffic (issue 20, point 4: "the service under 400 MB"): the
// built service (Nest, kafkajs, pg, the ONNX model) started as its own process on the test stack,
// a business taught the evaluation's two knowledge bases over its HTTP API, then every message of the
// held-out and development sets sent on whatsapp.inbound.v1 by new people; prints the process's
// resident memory at boot, its peak (VmHWM) and its RSS once every message was handled.
//
//   npx nx run assistant:build && WT_STACK_SLOT=<n> node tools/stack/bench-assistant-memory.mjs [rounds]
//
// Starts the test stack if it is down (leaves it up, as WT_STACK_KEEP does), and stops the service
// it started. Linux only (reads /proc/<pid>/status).
import { randomBytes, randomUUID } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { ROOT } from './bootstrap.mjs';
import { stackUp } from './stack.mjs';

const require = createRequire(import.meta.url);
const rounds = Number(process.argv[2] ?? 1);
const profile = 'test';
const mb = (/** @type {number} */ kb) => `${(kb / 1024).toFixed(0)} MB`;

/** @param {number} pid */
function memoryOf(pid) {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (/** @type {string} */ name) => Number(new RegExp(`${name}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0);
  return { rss: field('VmRSS'), peak: field('VmHWM') };
}

const stack = await stackUp({ profile, build: false, log: () => {} });
const { serviceEnv, servicePid, startServices, stopServices, profileSettings, localSecrets } = await import('./services.mjs');
const started = await startServices({
  profile,
  brokers: stack.brokers,
  databaseUrls: stack.databaseUrls,
  only: ['assistant'],
  log: () => {},
});
const pid = servicePid(profile, 'assistant');
try {
  if (pid === undefined) throw new Error('the assistant is not running after its start (no live pid file)');
  const url = profileSettings(profile).urls.assistant;
  const booted = memoryOf(pid);
  /** @type {NodeJS.ProcessEnv} */
  const env = { ...process.env, ...serviceEnv('assistant', { profile, brokers: stack.brokers, databaseUrls: stack.databaseUrls }) };
  const main = path.join(ROOT, 'dist/apps/assistant/src/main.js');
  const { SHOP_KNOWLEDGE, PERFUME_KNOWLEDGE } = require(path.join(ROOT, 'dist/apps/assistant/src/evaluation/shop-knowledge.js'));
  const { DEV_SET_2 } = require(path.join(ROOT, 'dist/apps/assistant/src/evaluation/dev-questions-2.js'));
  const { DEV_SET } = require(path.join(ROOT, 'dist/apps/assistant/src/evaluation/dev-questions.js'));
  const { PlatformKeySealer } = require(path.join(ROOT, 'dist/libs/identity/src/index.js'));
  const { Kafka, logLevel } = require('kafkajs');
  const { Client } = require('pg');

  // Two businesses, each with its number and its knowledge base, over the business API.
  /** @type {Record<string, string>} */
  const numbers = {};
  for (const [shop, entries] of [
    ['shoes', SHOP_KNOWLEDGE],
    ['perfume', PERFUME_KNOWLEDGE],
  ]) {
    // The CLI's `api-key issue <businessId> <label>` (it was `issue-key` when this benchmark was written).
    const issued = spawnSync(process.execPath, [main, 'api-key', 'issue', `bench-${shop}-${randomUUID().slice(0, 8)}`, 'bench'], {
      env,
      encoding: 'utf8',
    });
    if (issued.status !== 0) throw new Error(`issue-key failed: ${issued.stderr}`);
    const { apiKey } = JSON.parse(issued.stdout.trim().split('\n').at(-1) ?? ''); // its last line: the key's JSON
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` };
    numbers[shop] = String(Date.now()).slice(-9) + String(Math.floor(Math.random() * 1e6)).padStart(6, '0');
    const put = await fetch(`${url}/v1/phone-numbers/${numbers[shop]}`, { method: 'PUT', headers });
    if (!put.ok) throw new Error(`PUT phone number: ${put.status}`);
    for (const { id: _id, ...entry } of entries) {
      const created = await fetch(`${url}/v1/knowledge`, { method: 'POST', headers, body: JSON.stringify(entry) });
      if (!created.ok) throw new Error(`POST knowledge: ${created.status} ${await created.text()}`);
    }
  }

  // Every message by a new person (each one a new conversation row), as the dispatcher publishes them.
  const sealer = new PlatformKeySealer(localSecrets(profile).CONTACT_KEY);
  const kafka = new Kafka({ brokers: stack.brokers.split(','), clientId: 'bench-assistant-memory', logLevel: logLevel.ERROR });
  const producer = kafka.producer();
  await producer.connect();
  const messages = [...DEV_SET, ...DEV_SET_2];
  /** @type {string[]} */
  const wamids = [];
  const startedAt = Date.now();
  for (let round = 0; round < rounds; round++) {
    const records = messages.map((message) => {
      const personId = randomBytes(32).toString('hex');
      const wamid = `wamid.bench.${randomBytes(12).toString('hex')}`;
      wamids.push(wamid);
      const value = {
        wamid,
        personId,
        contact: sealer.seal(`+336${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`),
        phoneNumberId: numbers[message.shop],
        kind: 'text',
        text: message.text,
        receivedAt: new Date().toISOString(),
      };
      return { key: personId, value: JSON.stringify(value) };
    });
    await producer.send({ topic: 'whatsapp.inbound.v1', messages: records });
  }
  await producer.disconnect();

  // Handled when the service's ledger holds every message.
  const db = new Client({ connectionString: env.DATABASE_URL });
  await db.connect();
  let peakRss = booted.rss;
  for (;;) {
    const { rows } = await db.query('SELECT count(*)::int AS n FROM inbound_message WHERE wamid = ANY($1)', [wamids]);
    peakRss = Math.max(peakRss, memoryOf(pid).rss);
    if (rows[0].n >= wamids.length) break;
    if (Date.now() - startedAt > 15 * 60_000) throw new Error(`only ${rows[0].n} of ${wamids.length} messages handled in 15 min`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  await db.end();
  const after = memoryOf(pid);
  console.log(
    `assistant service (pid ${pid}): ${wamids.length} messages by ${wamids.length} new people handled in ${((Date.now() - startedAt) / 1000).toFixed(1)} s`,
  );
  console.log(
    `memory: RSS ${mb(booted.rss)} after boot (model loaded), ${mb(after.rss)} after the messages, peak ${mb(Math.max(after.peak, peakRss))} (VmHWM)   (goal: < 400 MB)`,
  );
} finally {
  if (started.includes('assistant')) await stopServices({ profile, only: ['assistant'], log: () => {} });
}

import { loadConfig, ServiceEnv, withKeyVault } from '@wt/config';
import { type ConsentEventV1, Topic } from '@wt/contracts';
import { ContactSealer, Pseudonymizer } from '@wt/identity';
import { createKafka, DeadLetterSealer, deadLettersFor, KafkaPublisher, phoneOwner } from '@wt/kafka';
import { randomFrenchMobile, testBrokers, testVaultEnv, TopicProbe } from '@wt/testing';
import { keyVaultOf, migrateVault, vaultDataSource } from '@wt/vault';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { type DataSource } from 'typeorm';
import { replayDeadLetters } from './dead-letters-replay';

class VaultConfig extends withKeyVault(ServiceEnv) {}

const sha256 = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('hex');

/**
 * Dead letters within erasure's reach, on the real broker and the real key vault: sealed under the
 * person's key, never in clear on the topic; once the person's keys are destroyed (erasure) theirs
 * no longer opens and is never replayed, while another person's still is.
 */
describe('sealed dead letters and wt dead-letters replay', () => {
  const brokers = testBrokers();
  const publisher = new KafkaPublisher(createKafka({ brokers, clientId: 'replay-it' }));
  const config = loadConfig(VaultConfig, testVaultEnv());
  const pseudonymizer = new Pseudonymizer(randomBytes(32).toString('hex'));
  let dataSource: DataSource;

  beforeAll(async () => {
    dataSource = vaultDataSource(config, 'replay-it');
    await dataSource.initialize();
    await migrateVault(dataSource);
  });

  afterAll(async () => {
    await publisher.disconnect();
    await dataSource.destroy();
  });

  it('seals each original under its person, opens and replays the unerased one, and not the erased one', async () => {
    const vault = keyVaultOf(dataSource, config);
    // As a consuming service seals them (ingest: the number's owner), and as the CLI opens them (no cache).
    const sealer = new DeadLetterSealer(new ContactSealer(vault, { cacheTtlMs: 0 }), phoneOwner(pseudonymizer));
    const service = `it-${randomUUID().slice(0, 8)}`;
    const [kept, erased] = [randomFrenchMobile(), randomFrenchMobile()];
    // Invalid on purpose (an unknown purpose): refused by the consumer, so dead-lettered.
    const originals = [kept, erased].map((phone) =>
      Buffer.from(
        JSON.stringify({
          phone: phone.national,
          country: 'FR',
          purpose: 'newsletter',
          status: 'granted',
          occurredAt: new Date().toISOString(),
          source: 'it',
        } satisfies Omit<ConsentEventV1, 'purpose'> & { purpose: string }),
      ),
    );
    const rejections = originals.map((value, i) => ({
      partition: 0,
      raw: { key: Buffer.from(kept.e164), value, offset: String(i), timestamp: '0', attributes: 0, headers: {} },
      reason: 'schema_violation' as const,
      detail: 'purpose: purpose must be one of the following values',
    }));

    const dlq = await TopicProbe.start(brokers, Topic.DeadLetterV1);
    const target = await TopicProbe.start(brokers, Topic.ConsentV1);
    try {
      await publisher.publish(Topic.DeadLetterV1, await deadLettersFor(service, Topic.ConsentV1, rejections, sealer));
      const letters = await Promise.all(originals.map((o) => dlq.waitFor((d) => d.service === service && d.payloadSha256 === sha256(o))));

      // Nowhere in clear on the topic: neither the E.164, nor the national number, nor its digits.
      const onTheTopic = JSON.stringify(letters);
      for (const phone of [kept, erased]) {
        for (const clear of [phone.e164, phone.national, phone.digits]) expect(onTheTopic).not.toContain(clear);
      }
      expect(letters[1]!.value.sealedPayload).toContain(`v2.${pseudonymizer.personId(erased.e164)}.`);

      // Erasure destroys the person's keys: their dead letter no longer opens; the other one does.
      await vault.destroy([pseudonymizer.personId(erased.e164)]);
      expect(await sealer.openLetter(letters[1]!.value, { fresh: true })).toEqual({ ok: false, reason: 'erased' });
      const opened = await sealer.openLetter(letters[0]!.value, { fresh: true });
      expect(opened.ok && opened.value.equals(originals[0]!)).toBe(true);

      const summary = await replayDeadLetters(brokers, { service }, sealer);
      expect(summary).toMatchObject({ matched: 2, replayed: 1, erased: 1, unavailable: 0 });
      const replayed = await target.waitFor((c) => sha256(JSON.stringify(c)) === sha256(originals[0]!));
      expect(replayed.headers['wt-replayed-from']).toMatch(/^platform\.dead-letter\.v1@/);
      expect(target.records.some((r) => JSON.stringify(r.value) === originals[1]!.toString())).toBe(false);
    } finally {
      await dlq.stop();
      await target.stop();
    }
  }, 120_000);
});

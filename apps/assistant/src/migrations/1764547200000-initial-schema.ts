import { type MigrationInterface, type QueryRunner } from 'typeorm';

export class InitialSchema1764547200000 implements MigrationInterface {
  name = 'InitialSchema1764547200000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE business (
        business_id text PRIMARY KEY,
        -- Bumped by every change of the knowledge base, so each replica knows when to rebuild its index.
        knowledge_version bigint NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`
      CREATE TABLE business_api_key (
        key_id text PRIMARY KEY,
        business_id text NOT NULL REFERENCES business,
        secret_sha256 bytea NOT NULL,
        label text,
        created_at timestamptz NOT NULL DEFAULT now(),
        revoked_at timestamptz
      )`);
    await queryRunner.query(`
      CREATE TABLE business_phone_number (
        phone_number_id text PRIMARY KEY,
        business_id text NOT NULL REFERENCES business,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`
      CREATE TABLE knowledge_entry (
        entry_id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        business_id text NOT NULL REFERENCES business,
        language text NOT NULL CHECK (language IN ('en', 'fr')),
        question text NOT NULL,
        variants text[] NOT NULL DEFAULT '{}',
        answer text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE INDEX knowledge_entry_business ON knowledge_entry (business_id)`);
    await queryRunner.query(`
      CREATE TABLE conversation (
        business_id text NOT NULL,
        person_id char(64) NOT NULL,
        phone_number_id text NOT NULL,
        contact text NOT NULL,
        language text NOT NULL CHECK (language IN ('en', 'fr')),
        state text NOT NULL CHECK (state IN ('bot', 'handed_off')),
        -- The 24 h customer-service window is open until last_inbound_at + 24 h.
        last_inbound_at timestamptz NOT NULL,
        last_inbound_wamid text NOT NULL,
        handed_off_at timestamptz,
        messages integer NOT NULL DEFAULT 0,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (business_id, person_id)
      )`);
    await queryRunner.query(`
      CREATE TABLE inbound_message (
        wamid text PRIMARY KEY,
        business_id text NOT NULL,
        person_id char(64) NOT NULL,
        received_at timestamptz NOT NULL,
        outcome text NOT NULL,
        entry_id uuid,
        confidence real,
        reply_id text,
        processed_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE INDEX inbound_message_person ON inbound_message (business_id, person_id, received_at)`);
    await queryRunner.query(`
      CREATE TABLE marketing_decision (
        business_id text NOT NULL,
        person_id char(64) NOT NULL,
        decision_id text NOT NULL,
        campaign_id text NOT NULL,
        explanation jsonb NOT NULL,
        decided_at timestamptz NOT NULL,
        PRIMARY KEY (business_id, person_id)
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of [
      'marketing_decision',
      'inbound_message',
      'conversation',
      'knowledge_entry',
      'business_phone_number',
      'business_api_key',
      'business',
    ]) {
      await queryRunner.query(`DROP TABLE ${table}`);
    }
  }
}

import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Erasure requests held until their confirmation left (issue 20, point 1), the agents' replies
 * (point 6): both keyed by the person, both deleted with the person's other data on erasure.
 */
export class AssistantPrivacyAndAgents1765065600000 implements MigrationInterface {
  name = 'AssistantPrivacyAndAgents1765065600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE pending_erasure (
        request_id text PRIMARY KEY,
        business_id text NOT NULL,
        person_id char(64) NOT NULL,
        -- The sealed contact, opened only when the request is released (the number never rests here in clear).
        contact text NOT NULL,
        -- The confirmation the person is sent first; its first status from the dispatcher releases the request.
        reply_id text NOT NULL UNIQUE,
        requested_at timestamptz NOT NULL,
        -- Released by then even if no status came (the dispatcher down, the reply lost): erasure is never held back.
        due_at timestamptz NOT NULL
      )`);
    await queryRunner.query(`CREATE INDEX pending_erasure_due ON pending_erasure (due_at)`);
    await queryRunner.query(`CREATE INDEX pending_erasure_person ON pending_erasure (person_id)`);
    await queryRunner.query(`
      CREATE TABLE agent_reply (
        reply_id text PRIMARY KEY,
        business_id text NOT NULL,
        person_id char(64) NOT NULL,
        agent text NOT NULL,
        text text NOT NULL,
        sent_at timestamptz NOT NULL
      )`);
    await queryRunner.query(`CREATE INDEX agent_reply_person ON agent_reply (business_id, person_id, sent_at)`);
    await queryRunner.query(`CREATE INDEX conversation_person ON conversation (person_id)`);
    await queryRunner.query(`CREATE INDEX marketing_decision_person ON marketing_decision (person_id)`);
    await queryRunner.query(`CREATE INDEX inbound_message_person_only ON inbound_message (person_id)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX inbound_message_person_only`);
    await queryRunner.query(`DROP INDEX marketing_decision_person`);
    await queryRunner.query(`DROP INDEX conversation_person`);
    await queryRunner.query(`DROP TABLE agent_reply`);
    await queryRunner.query(`DROP TABLE pending_erasure`);
  }
}

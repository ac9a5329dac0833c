import { randomBytes } from 'node:crypto';

/**
 * Settings under which a service's module can be built in-process with nothing connected (for its
 * OpenAPI document, say): a broker and databases nobody answers at, fresh secrets and keys; `extra`
 * adds what one service also requires.
 */
export function offlineServiceEnv(extra: Record<string, string> = {}): Record<string, string> {
  const nowhere = 'postgres://nobody@127.0.0.1:1/none';
  return {
    NODE_ENV: 'test',
    KAFKA_BROKERS: '127.0.0.1:1',
    DATABASE_URL: nowhere,
    PSEUDONYM_SECRET: randomBytes(32).toString('hex'),
    CONTACT_KEY: randomBytes(32).toString('base64'),
    VAULT_DATABASE_URL: nowhere,
    VAULT_KEK: randomBytes(32).toString('base64'),
    ...extra,
  };
}

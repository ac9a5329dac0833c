import { IsString, MinLength } from 'class-validator';
import { ConfigurationError, loadConfig } from './load-config';
import { DatabaseEnv, ServiceEnv } from './service-env';

class SecretEnv extends ServiceEnv {
  @IsString()
  @MinLength(32)
  PSEUDONYM_SECRET: string;
}

describe('loadConfig', () => {
  it('applies defaults and converts types', () => {
    const config = loadConfig(ServiceEnv, { PORT: '3101', KAFKA_BROKERS: 'a:9092, b:9093' });
    expect(config.PORT).toBe(3101);
    expect(config.KAFKA_BROKERS).toEqual(['a:9092', 'b:9093']);
    expect(config.LOG_LEVEL).toBe('info');
  });

  it('names every missing or malformed variable', () => {
    let error: unknown;
    try {
      loadConfig(SecretEnv, { PORT: 'eighty', KAFKA_BROKERS: 'nohostport' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigurationError);
    const message = (error as Error).message;
    expect(message).toContain('PORT');
    expect(message).toContain('KAFKA_BROKERS');
    expect(message).toContain('PSEUDONYM_SECRET');
  });

  it('accepts a postgres url and rejects another scheme', () => {
    expect(loadConfig(DatabaseEnv, { DATABASE_URL: 'postgres://u@127.0.0.1:5432/wt_profiles' }).DATABASE_URL).toContain('wt_profiles');
    expect(() => loadConfig(DatabaseEnv, { DATABASE_URL: 'mysql://x@h/db' })).toThrow(/DATABASE_URL/);
  });

  it('returns a frozen object', () => {
    expect(Object.isFrozen(loadConfig(ServiceEnv, {}))).toBe(true);
  });
});

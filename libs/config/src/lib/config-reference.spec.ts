import { IsInt, IsOptional, IsString, Max, Min, MinLength } from 'class-validator';
import {
  CONFIG_REFERENCE_BEGIN,
  CONFIG_REFERENCE_END,
  describeConfig,
  docComments,
  generatedSection,
  renderConfigReference,
  withGeneratedSection,
} from './config-reference';
import { ServiceEnv } from './service-env';

const SOURCE = `
export class ExampleConfig extends ServiceEnv {
  override PORT: number = 3999;

  /** Key of the HMAC.
   *  Same value in every service. */
  @IsString()
  @MinLength(32)
  SECRET: string;

  /** Batch | size. */
  @IsInt()
  @Min(1)
  @Max(10)
  BATCH: number = 5;

  @IsOptional()
  @IsString()
  REGION?: string;
}`;

class ExampleConfig extends ServiceEnv {
  override PORT: number = 3999;

  @IsString()
  @MinLength(32)
  SECRET!: string;

  @IsInt()
  @Min(1)
  @Max(10)
  BATCH: number = 5;

  @IsOptional()
  @IsString()
  REGION?: string;
}

describe('configuration reference', () => {
  it('reads doc comments of properties, the first source first', () => {
    const comments = docComments([SOURCE, '/** Base port. */\n  @IsInt()\n  PORT: number = 3000;']);
    expect(comments.get('SECRET')).toBe('Key of the HMAC. Same value in every service.');
    expect(comments.get('BATCH')).toBe('Batch | size.');
    expect(comments.get('PORT')).toBe('Base port.');
    expect(comments.has('REGION')).toBe(false);
  });

  it('describes type, default, required and constraints from the class, base classes included', () => {
    const vars = new Map(describeConfig(ExampleConfig, [SOURCE]).map((v) => [v.name, v]));
    expect(vars.get('SECRET')).toMatchObject({
      type: 'string',
      default: undefined,
      required: true,
      constraints: ['at least 32 characters'],
    });
    expect(vars.get('BATCH')).toMatchObject({
      type: 'integer',
      default: '5',
      required: false,
      constraints: ['>= 1', '<= 10'],
    });
    expect(vars.get('REGION')).toMatchObject({
      type: 'string',
      default: undefined,
      required: false,
      constraints: [],
    });
    expect(vars.get('PORT')).toMatchObject({
      type: 'integer',
      default: '3999',
      constraints: ['>= 1', '<= 65535'],
    });
    expect(vars.get('KAFKA_BROKERS')).toMatchObject({
      type: 'list (comma-separated)',
      default: '127.0.0.1:9092',
    });
    expect(vars.get('NODE_ENV')?.constraints).toEqual(['one of `development`, `test`, `production`']);
  });

  it('renders one list per service, lines that fit a screen, and replaces only the generated section', () => {
    const reference = renderConfigReference([{ service: 'example', schema: ExampleConfig, sources: [SOURCE] }]);
    expect(reference).toContain('### example (`ExampleConfig`)');
    expect(reference).toContain('- `SECRET` (string; **required**; at least 32 characters): Key of the HMAC. Same value in every service.');
    expect(reference).toContain('- `BATCH` (integer; default `5`; >= 1; <= 10): Batch | size.');
    expect(Math.max(...reference.split('\n').map((l) => l.length))).toBeLessThanOrEqual(110);
    const doc = withGeneratedSection('# Ops\n\nintro\n', reference);
    expect(generatedSection(doc)).toBe(reference.trim());
    const again = withGeneratedSection(`${doc}\n## After\n`, 'new');
    expect(generatedSection(again)).toBe('new');
    expect(again).toMatch(/^# Ops\n\nintro\n/);
    expect(again).toContain('## After');
    expect(again.split(CONFIG_REFERENCE_BEGIN)).toHaveLength(2);
    expect(again.split(CONFIG_REFERENCE_END)).toHaveLength(2);
    expect(generatedSection('no markers')).toBeUndefined();
  });
});

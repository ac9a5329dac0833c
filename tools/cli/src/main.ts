import 'reflect-metadata';
import { benchCommand } from './bench/bench.command';
import { asyncApiYaml } from './commands/asyncapi';
import { configReferenceCommand } from './commands/config-reference';
import { deployTopicsYaml } from './commands/deploy-topics';
import { deployUsersYaml } from './commands/deploy-users';
import { deadLettersReplayCommand, deadLettersShredKeysCommand } from './commands/dead-letters-replay';
import { ensureTopicsCommand } from './commands/ensure-topics';
import { vaultKeysCommand } from './commands/vault-keys';
import { demoCommand } from './demo/demo.command';

const USAGE = `usage: wt <command>
  topics ensure      create or align every topic of the contracts catalogue (KAFKA_BROKERS)
  deploy topics      print the Strimzi KafkaTopic manifests of every topic (deploy/base/kafka-topics.yaml)
  deploy users       print the Strimzi KafkaUser manifests of every service, ACLs included (deploy/base/kafka-users.yaml)
  docs asyncapi      print the AsyncAPI 3 document of every topic (docs/asyncapi.yaml)
  docs config [--write]  print every service's environment variables (type, default, constraints);
                     --write updates the generated section of docs/configuration.md (needs a build)
  dead-letters replay [--reason r[,r]] [--since ISO|6h] [--origin topic|http] [--service name] [--dry-run]
                     publish matching dead letters again to where they came from (opens sealed
                     originals with the key vault: VAULT_DATABASE_URL, VAULT_KEK)
  dead-letters shred-keys  destroy the dead-letter keys past their 31 days (key vault env)
  vault status | vault rewrap [--batch n]
                     keys per key-encryption key; re-wrap every key under VAULT_KEK (KEK rotation)
  demo               generate a synthetic population, push it through the platform, print the funnel
  bench <step>       one measurement step of \`npm run bench\` (prints JSON)`;

function brokers(): string[] {
  return (process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092')
    .split(',')
    .map((b) => b.trim())
    .filter(Boolean);
}

async function run(args: string[]): Promise<number> {
  const [command, sub] = args;
  if (command === 'topics' && sub === 'ensure') {
    await ensureTopicsCommand(brokers());
    return 0;
  }
  if (command === 'deploy' && sub === 'topics') {
    process.stdout.write(await deployTopicsYaml());
    return 0;
  }
  if (command === 'deploy' && sub === 'users') {
    process.stdout.write(await deployUsersYaml());
    return 0;
  }
  if (command === 'dead-letters' && sub === 'replay') return deadLettersReplayCommand(brokers(), args.slice(2));
  if (command === 'dead-letters' && sub === 'shred-keys') return deadLettersShredKeysCommand();
  if (command === 'docs' && sub === 'asyncapi') {
    process.stdout.write(await asyncApiYaml());
    return 0;
  }
  if (command === 'docs' && sub === 'config') return configReferenceCommand(args.slice(2));
  if (command === 'vault') return vaultKeysCommand(args.slice(1));
  if (command === 'demo') return demoCommand(brokers());
  if (command === 'bench') return benchCommand(brokers(), args.slice(1));
  console.error(USAGE);
  return 2;
}

run(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);

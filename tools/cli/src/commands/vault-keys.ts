import { type KeyVaultEnv, loadConfig, ServiceEnv, withKeyVault } from '@wt/config';
import { keyVaultOf, migrateVault, vaultDataSource } from '@wt/vault';

/** What the command reads: the key vault's variables (VAULT_DATABASE_URL, VAULT_KEK, VAULT_KEK_PREVIOUS). */
class VaultCommandConfig extends withKeyVault(ServiceEnv) {}

/**
 * `vault status`: keys held per key-encryption key. `vault rewrap [--batch n]`: KEK rotation, re-wraps
 * every key still under a VAULT_KEK_PREVIOUS key with VAULT_KEK (batch by batch, safe to rerun and
 * to run while the services work). Prints counts only, never a key.
 */
export async function vaultKeysCommand(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub !== 'status' && sub !== 'rewrap') {
    console.error('usage: wt vault status | vault rewrap [--batch n]   (env: VAULT_DATABASE_URL, VAULT_KEK, VAULT_KEK_PREVIOUS)');
    return 2;
  }
  const config: KeyVaultEnv = loadConfig(VaultCommandConfig);
  const dataSource = vaultDataSource(config, 'cli');
  await dataSource.initialize();
  try {
    await migrateVault(dataSource);
    const vault = keyVaultOf(dataSource, config);
    if (sub === 'rewrap') {
      const i = rest.indexOf('--batch');
      const batch = i >= 0 ? Number(rest[i + 1]) : 1000;
      if (!Number.isInteger(batch) || batch < 1) throw new Error('--batch must be a positive integer');
      let total = 0;
      for (let n = await vault.rewrap(batch); n > 0; n = await vault.rewrap(batch)) total += n;
      console.log(JSON.stringify({ rewrapped: total }));
    }
    console.log(JSON.stringify({ keysByKek: await vault.countByKek() }));
    return 0;
  } finally {
    await dataSource.destroy();
  }
}

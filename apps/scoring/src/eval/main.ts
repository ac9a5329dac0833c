import 'reflect-metadata';
import { main } from '@wt/runtime';
import { evalCommand } from './eval.command';

/**
 * The offline targeting evaluation's own entry (`npm run eval:targeting:offline`): kept out of the
 * service binary (`src/main.ts`), so the service never loads the harness nor `@wt/simulation`.
 */
main(async () => {
  process.exitCode = evalCommand();
});

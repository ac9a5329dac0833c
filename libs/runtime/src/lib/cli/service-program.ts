import { Command, CommanderError } from 'commander';

/**
 * The command tree of a service's binary, the same in every app (commander):
 *
 *   node dist/apps/<app>/src/main.js [serve]        run the service (the default)
 *   node dist/apps/<app>/src/main.js api-key ...    the operator's commands the app adds
 *   node dist/apps/<app>/src/main.js help [command]
 *
 * Commands print their result on stdout (JSON for machine use), usage errors on stderr with exit
 * code 2 (as before the tree), a failure with 1.
 */
export function serviceProgram(name: string, serve: () => Promise<unknown>): Command {
  const program = new Command(name)
    .description(`the ${name} service and its operator commands`)
    .exitOverride()
    .showHelpAfterError()
    .configureOutput({ writeErr: (text) => process.stderr.write(text) });
  program
    .command('serve', { isDefault: true })
    .description('run the service (the default: no command)')
    .action(async () => {
      await serve();
    });
  return program;
}

/** A subcommand with the program's behaviour on errors (commander does not inherit `exitOverride`). */
export function subcommand(parent: Command, nameAndArgs: string, description: string): Command {
  return parent.command(nameAndArgs).description(description).exitOverride().showHelpAfterError();
}

/**
 * Parses `argv` (node and script first, as `process.argv`) and runs the command it names; resolves
 * with the exit code: 0 (or what the command set in `process.exitCode`), 2 for a usage error,
 * 0 for `--help`. Any other error is the command's: it is thrown.
 */
export async function runProgram(program: Command, argv: readonly string[] = process.argv): Promise<number> {
  try {
    await program.parseAsync([...argv]);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    // `--help` and `--version` exit 0; a usage error, or a command named without its subcommand (help shown), 2.
    return error.exitCode === 0 ? 0 : 2;
  }
}

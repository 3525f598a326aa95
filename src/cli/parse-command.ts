/** What one invocation of the binary asks for. */
export type Command = 'serve' | 'help' | 'version' | 'check-config' | 'healthcheck'

export type ParsedCommand = { ok: true; command: Command } | { ok: false; error: string }

// A Map, not an object literal: `constructor` or `__proto__` must not look like commands.
const COMMANDS = new Map<string, Command>([
  ['--help', 'help'],
  ['-h', 'help'],
  ['help', 'help'],
  ['--version', 'version'],
  ['version', 'version'],
  ['--check-config', 'check-config'],
  ['healthcheck', 'healthcheck'],
])

/**
 * Settings never come from arguments (only the environment and `.env`), so the command
 * line is small: one subcommand or one flag. `--help` wins wherever it stands. Anything
 * unknown is an error rather than ignored, so a mistyped flag cannot start a server.
 */
export function parseCommand(argv: readonly string[]): ParsedCommand {
  if (argv.includes('--help') || argv.includes('-h')) return { ok: true, command: 'help' }
  if (argv.length === 0) return { ok: true, command: 'serve' }
  const [first, ...rest] = argv
  const command = COMMANDS.get(first!)
  if (command === undefined) return { ok: false, error: `unknown argument ${JSON.stringify(first)}` }
  if (rest.length > 0) return { ok: false, error: `unexpected argument ${JSON.stringify(rest[0])} after ${first}` }
  return { ok: true, command }
}

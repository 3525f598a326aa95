import { describe, expect, test } from 'bun:test'
import { parseCommand, type ParsedCommand } from '../../src/cli/parse-command'

const cases: [string[], ParsedCommand][] = [
  [[], { ok: true, command: 'serve' }],
  [['--help'], { ok: true, command: 'help' }],
  [['-h'], { ok: true, command: 'help' }],
  [['help'], { ok: true, command: 'help' }],
  [['healthcheck', '--help'], { ok: true, command: 'help' }],
  [['--version'], { ok: true, command: 'version' }],
  [['version'], { ok: true, command: 'version' }],
  [['--check-config'], { ok: true, command: 'check-config' }],
  [['healthcheck'], { ok: true, command: 'healthcheck' }],
  [['--port=8080'], { ok: false, error: 'unknown argument "--port=8080"' }],
  [['serve'], { ok: false, error: 'unknown argument "serve"' }],
  [['constructor'], { ok: false, error: 'unknown argument "constructor"' }],
  [['__proto__'], { ok: false, error: 'unknown argument "__proto__"' }],
  [['healthcheck', 'now'], { ok: false, error: 'unexpected argument "now" after healthcheck' }],
  [['--version', '--check-config'], { ok: false, error: 'unexpected argument "--check-config" after --version' }],
]

describe('parseCommand', () => {
  test.each(cases)('%j', (argv, expected) => {
    expect(parseCommand(argv)).toEqual(expected)
  })
})

import { describe, expect, test } from 'bun:test'
import { selfCommand, type SelfRuntime } from '../../src/cli/self-command'

const cases: [string, SelfRuntime, string[]][] = [
  [
    'compiled: the embedded entry point is not passed back as an argument',
    { main: '/$bunfs/root/ai-gateway', execPath: '/usr/local/bin/ai-gateway', argv: ['bun', '/$bunfs/root/ai-gateway', 'healthcheck'], execArgv: [] },
    ['/usr/local/bin/ai-gateway', 'healthcheck'],
  ],
  [
    'compiled, no arguments',
    { main: '/$bunfs/root/ai-gateway', execPath: '/ai-gateway', argv: ['bun', '/$bunfs/root/ai-gateway'], execArgv: [] },
    ['/ai-gateway'],
  ],
  [
    'from source: the script and its arguments, runtime flags kept',
    { main: '/app/src/main.ts', execPath: '/usr/bin/bun', argv: ['/usr/bin/bun', '/app/src/main.ts', '--check-config'], execArgv: ['--smol'] },
    ['/usr/bin/bun', '--smol', '/app/src/main.ts', '--check-config'],
  ],
]

describe('selfCommand', () => {
  test.each(cases)('%s', (_, runtime, expected) => {
    expect(selfCommand(runtime)).toEqual(expected)
  })
})

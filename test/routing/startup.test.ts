import { describe, expect, test } from 'bun:test'
import { join } from 'node:path'
import { writeRoutingFile } from '../support/routing-gateway'

const ROOT = join(import.meta.dir, '..', '..')
const withServerKey = writeRoutingFile({ providers: { openai: { api_key: 'sk-server-secret' } } })

function startGateway(env: Record<string, string>) {
  return Bun.spawn({
    cmd: [process.execPath, 'src/main.ts'],
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', PORT: '0', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
}

/** Reads stderr until a line contains `text` (or the stream ends), returning everything read. */
async function readUntil(reader: { read(): Promise<{ done: boolean; value?: string }> }, seen: string[], text: string): Promise<string> {
  while (!seen.join('').includes(text)) {
    const { done, value } = await reader.read()
    if (done) break
    seen.push(value ?? '')
  }
  return seen.join('')
}

describe('starting with a routing file', () => {
  test('server-side keys without gateway keys refuse to start with exit 2, naming the way out and not the key', async () => {
    const child = startGateway({ GATEWAY_CONFIG: withServerKey })
    expect(await child.exited).toBe(2)
    const stderr = await new Response(child.stderr).text()
    expect(stderr).toContain('no gateway keys are set')
    expect(stderr).toContain('GATEWAY_AUTH=none')
    expect(stderr).not.toContain('sk-server-secret')
  })

  test('an invalid file refuses to start with exit 2 and the path of the problem', async () => {
    const child = startGateway({ GATEWAY_CONFIG: writeRoutingFile({ models: { smart: { strategy: 'fallback', targets: [{ provider: 'x', model: 'm' }] } } }) })
    expect(await child.exited).toBe(2)
    expect(await new Response(child.stderr).text()).toContain('models.smart.targets[0].provider: unknown provider "x"')
  })

  test('GATEWAY_AUTH=none starts, and SIGHUP reloads the file', async () => {
    const child = startGateway({ GATEWAY_CONFIG: withServerKey, GATEWAY_AUTH: 'none' })
    const reader = child.stderr.pipeThrough(new TextDecoderStream()).getReader()
    const seen: string[] = []
    try {
      expect(await readUntil(reader, seen, '"listening"')).toContain('"listening"')
      child.kill('SIGHUP')
      expect(await readUntil(reader, seen, 'routing configuration reloaded')).toContain('routing configuration reloaded')
      expect(seen.join('')).not.toContain('sk-server-secret')
    } finally {
      child.kill('SIGTERM')
      await child.exited
    }
  })
})

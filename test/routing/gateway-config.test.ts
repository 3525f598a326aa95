import { describe, expect, test } from 'bun:test'
import { parseGatewayConfig } from '../../src/routing/gateway-config'
import { modulesLoaded } from '../support/modules-loaded'

const known = new Set(['openai', 'groq', 'anthropic'])
const env = { GROQ_API_KEY: 'gsk-from-env' }

const EXAMPLE = {
  providers: { openai: { api_key: 'sk-server', base_url: 'https://api.openai.com/' }, groq: { api_key: '${GROQ_API_KEY}' } },
  models: {
    smart: { strategy: 'fallback', retry: { attempts: 2 }, targets: [{ provider: 'groq', model: 'llama-3.3-70b-versatile' }, { provider: 'openai', model: 'gpt-4o-mini' }] },
    lb: { strategy: 'loadbalance', targets: [{ provider: 'openai', model: 'gpt-4o-mini', weight: 3 }, { provider: 'openai', model: 'gpt-4.1-mini', weight: 1 }] },
  },
}

describe('parseGatewayConfig', () => {
  test('the documented example: keys, ${VAR}, aliases with their defaults', () => {
    const parsed = parseGatewayConfig(JSON.stringify(EXAMPLE), 'gateway.json', env, known)
    if (!parsed.ok) throw new Error(parsed.errors.join('\n'))
    const { table } = parsed
    expect(table.providers.get('openai')).toEqual({ apiKey: 'sk-server', baseUrl: 'https://api.openai.com' })
    expect(table.providers.get('groq')).toEqual({ apiKey: 'gsk-from-env', baseUrl: undefined })
    expect(table.aliases.get('smart')).toEqual({
      name: 'smart',
      strategy: 'fallback',
      retries: 2,
      backoffMs: 200,
      maxBackoffMs: 5000,
      targets: [
        { provider: 'groq', model: 'llama-3.3-70b-versatile', weight: 1, firstByteTimeoutMs: undefined },
        { provider: 'openai', model: 'gpt-4o-mini', weight: 1, firstByteTimeoutMs: undefined },
      ],
    })
    expect(table.aliases.get('lb')!.targets.map((t) => t.weight)).toEqual([3, 1])
  })

  test('YAML reads the same as JSON', () => {
    const yaml = `
gateway_keys:
  - { key: gw-1, rpm: 10, tpm: 1000 }
providers:
  groq: { api_key: "\${GROQ_API_KEY}" }
models:
  fast:
    strategy: fallback
    targets:
      - { provider: groq, model: llama, first_byte_timeout_ms: 500 }
`
    const parsed = parseGatewayConfig(yaml, 'gateway.yaml', env, known)
    if (!parsed.ok) throw new Error(parsed.errors.join('\n'))
    expect(parsed.table.gatewayKeys).toEqual([{ key: 'gw-1', name: 'gateway_keys[0]', rpm: 10, tpm: 1000 }])
    expect(parsed.table.providers.get('groq')!.apiKey).toBe('gsk-from-env')
    expect(parsed.table.aliases.get('fast')!.targets[0]!.firstByteTimeoutMs).toBe(500)
  })

  const broken: [string, unknown, string][] = [
    ['unknown target provider', { models: { smart: { strategy: 'fallback', targets: [{ provider: 'openai', model: 'a' }, { provider: 'x', model: 'b' }] } } }, 'models.smart.targets[1].provider: unknown provider "x"'],
    ['unknown provider entry', { providers: { nope: { api_key: 'k' } } }, 'providers.nope: unknown provider "nope"'],
    ['missing environment variable', { providers: { groq: { api_key: '${NOT_SET_ANYWHERE}' } } }, 'providers.groq.api_key: environment variable NOT_SET_ANYWHERE is not set'],
    ['wrong strategy', { models: { m: { strategy: 'random', targets: [{ provider: 'openai', model: 'a' }] } } }, 'models.m.strategy:'],
    ['no targets', { models: { m: { strategy: 'fallback', targets: [] } } }, 'models.m.targets:'],
    ['negative weight', { models: { m: { strategy: 'loadbalance', targets: [{ provider: 'openai', model: 'a', weight: -1 }] } } }, 'models.m.targets[0].weight:'],
    ['unknown field', { model: {} }, 'model: Unexpected property'],
    ['bad rpm', { gateway_keys: [{ key: 'k', rpm: 0 }] }, 'gateway_keys[0].rpm:'],
  ]
  test.each(broken)('%s is reported with its path', (_name, file, expected) => {
    const parsed = parseGatewayConfig(JSON.stringify(file), 'gateway.json', env, known)
    expect(parsed.ok).toBe(false)
    if (parsed.ok) return
    expect(parsed.errors.some((e) => e.startsWith(expected))).toBe(true)
  })

  test('syntax errors name the format', () => {
    const parsed = parseGatewayConfig('{"providers":', 'gateway.json', env, known)
    expect(parsed.ok).toBe(false)
    if (!parsed.ok) expect(parsed.errors[0]).toStartWith('not valid JSON:')
  })

  test('a JSON syntax error is reported without the token it stopped at, which may be a key', () => {
    const parsed = parseGatewayConfig('{"providers":{"openai":{"api_key": gsk_SECRETkey0123456789}}}', 'gateway.json', env, known)
    expect(parsed.ok).toBe(false)
    if (parsed.ok) return
    expect(parsed.errors[0]).toStartWith('not valid JSON:')
    expect(parsed.errors.join('\n')).not.toContain('SECRETkey')
  })

  test('an empty file is refused, not read as a file without keys', () => {
    for (const [text, name] of [['', 'gateway.yaml'], ['# nothing yet\n', 'gateway.yaml'], ['', 'gateway.json']] as const) {
      const parsed = parseGatewayConfig(text, name, env, known)
      expect(parsed.ok).toBe(false)
    }
  })

  test('a YAML syntax error is reported without the lines around it, which may hold keys', () => {
    for (const text of ['providers:\n  openai:\n    api_key: "sk-live-SECRET123\n', 'providers:\n  openai:\n    api_key: @sk-live-SECRET123\n']) {
      const parsed = parseGatewayConfig(text, 'gateway.yaml', env, known)
      expect(parsed.ok).toBe(false)
      if (parsed.ok) continue
      expect(parsed.errors[0]).toStartWith('not valid YAML:')
      expect(parsed.errors[0]).toMatch(/at line \d+, column \d+:$/)
      expect(parsed.errors.join('\n')).not.toContain('SECRET123')
    }
  })
})

describe('the YAML library', () => {
  const config = JSON.stringify(new URL('../../src/routing/gateway-config.ts', import.meta.url).pathname)
  const app = JSON.stringify(new URL('../../src/server/app.ts', import.meta.url).pathname)

  test('is not loaded by a gateway without a YAML routing file, nor by a JSON one', () => {
    expect(modulesLoaded(`await import(${app})`, '/node_modules/yaml/')).toBe(0)
    expect(modulesLoaded(`const { parseGatewayConfig } = await import(${config})\nparseGatewayConfig('{}', 'gateway.json', {}, new Set())`, '/node_modules/yaml/')).toBe(0)
  })

  test('loads with the first YAML file, which it parses', () => {
    const script = `const { parseGatewayConfig } = await import(${config})
      const parsed = parseGatewayConfig('providers:\\n  openai:\\n    api_key: sk-x\\n', 'gateway.yaml', {}, new Set(['openai']))
      if (!parsed.ok || parsed.table.providers.get('openai')?.apiKey !== 'sk-x') throw new Error('not parsed')`
    expect(modulesLoaded(script, '/node_modules/yaml/')).toBeGreaterThan(0)
  })
})

import { describe, expect, test } from 'bun:test'
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadConfig } from '../../src/config/load-config'

describe('loadConfig', () => {
  test('an empty environment gives the embedded defaults', () => {
    const result = loadConfig({})
    if (!result.ok) throw new Error(result.errors.join('\n'))
    expect(result.config).toMatchObject({
      port: 3000,
      host: '127.0.0.1',
      logLevel: 'info',
      firstByteTimeoutMs: 600_000,
      idleTimeoutMs: 600_000,
      maxRequestBodyBytes: 32 * 1024 * 1024,
      telemetry: { elasticsearch: null, bufferCapacity: 10_000, bufferMaxBytes: 128 * 1024 * 1024 },
    })
    expect(result.config.baseUrls).toMatchObject({
      openai: 'https://api.openai.com',
      groq: 'https://api.groq.com/openai',
      together: 'https://api.together.xyz',
      fireworks: 'https://api.fireworks.ai/inference',
      perplexity: 'https://api.perplexity.ai',
    })
  })

  test('every bad value is reported at once, each with what was expected', () => {
    const result = loadConfig({ PORT: 'eighty', LOG_LEVEL: 'loud', IDLE_TIMEOUT_MS: '-5', OPENAI_BASE_URL: 'ftp://example.com', ENABLE_ELASTICSEARCH: 'maybe' })
    expect(result.ok).toBe(false)
    if (result.ok) return
    expect(result.errors).toHaveLength(5)
    expect(result.errors).toContain('PORT: got "eighty", expected an integer from 0 to 65535')
    expect(result.errors).toContain('LOG_LEVEL: got "loud", expected one of error | warn | info | debug | trace')
    expect(result.errors).toContain('IDLE_TIMEOUT_MS: got "-5", expected an integer >= 0')
    expect(result.errors).toContain('OPENAI_BASE_URL: got "ftp://example.com", expected an http(s) URL')
    expect(result.errors).toContain('ENABLE_ELASTICSEARCH: got "maybe", expected true or false')
  })

  test('a number is read only from decimal digits: parseInt would take "1e7" for 1 and "6e5" for 6', () => {
    const cases: Array<[string, string, string]> = [
      ['MAX_REQUEST_BODY_BYTES', '1e7', 'an integer >= 1'],
      ['FIRST_BYTE_TIMEOUT_MS', '6e5', 'an integer >= 0'],
      ['IDLE_TIMEOUT_MS', '30000.9', 'an integer >= 0'],
      ['WORKERS', '2.5', 'one of auto | an integer from 1 to 1024'],
      ['PORT', '0x10', 'an integer from 0 to 65535'],
      ['PORT', '80abc', 'an integer from 0 to 65535'],
    ]
    for (const [key, value, expected] of cases) {
      const result = loadConfig({ [key]: value })
      expect(result.ok ? [] : result.errors).toEqual([`${key}: got ${JSON.stringify(value)}, expected ${expected} in decimal digits`])
    }
    const plain = loadConfig({ MAX_REQUEST_BODY_BYTES: '10000000', WORKERS: 'auto', FIRST_BYTE_TIMEOUT_MS: '600000' })
    expect(plain.ok && [plain.config.maxRequestBodyBytes, plain.config.firstByteTimeoutMs]).toEqual([10_000_000, 600_000])
  })

  test('an invalid URL setting is reported without the credentials it may carry', () => {
    for (const value of ['elastic:hunter2@es:9200', 'ftp://elastic:hunter2@es:9200', 'http:/elastic:hunter2@es:9200', 'https//elastic:hunter2@es:9200', 'http://elastic:hunt er2@es:9200']) {
      const result = loadConfig({ ELASTICSEARCH_URL: value })
      expect(result.ok).toBe(false)
      if (result.ok) continue
      expect(result.errors[0]).toStartWith('ELASTICSEARCH_URL: got ')
      expect(result.errors.join('\n')).not.toContain('hunter2')
    }
  })

  test('RUST_LOG is read as LOG_LEVEL, taking the most verbose level it names', () => {
    const level = (env: Record<string, string>) => {
      const result = loadConfig(env)
      return result.ok ? result.config.logLevel : result.errors
    }
    expect(level({ RUST_LOG: 'debug' })).toBe('debug')
    expect(level({ RUST_LOG: 'ai_gateway=debug,hyper=info' })).toBe('debug')
    expect(level({ RUST_LOG: 'warn', LOG_LEVEL: 'error' })).toBe('error')
    // Valid RUST_LOG values that name no level of this gateway's never stop it from starting.
    expect(level({ RUST_LOG: 'off' })).toBe('error')
    expect(level({ RUST_LOG: 'hyper=off' })).toBe('error')
    expect(level({ RUST_LOG: 'warning' })).toBe('warn')
    expect(level({ RUST_LOG: 'ai_gateway' })).toBe('info')
  })

  test('ELASTICSEARCH_INDEX: a fixed name or a dated pattern; a fixed name ending in - _ or . is refused', () => {
    for (const index of ['ai-gateway-metrics', 'logs', 'a', 'ai-gateway-metrics-{yyyy.MM.dd}', 'logs_{yyyy.MM}']) expect(loadConfig({ ELASTICSEARCH_INDEX: index }).ok).toBe(true)
    for (const index of ['ai-gateway-metrics-', 'logs_', 'logs.', 'Logs', '-logs', 'logs-{yyyy}']) expect(loadConfig({ ELASTICSEARCH_INDEX: index }).ok).toBe(false)
  })

  test('base URLs lose trailing slashes and empty values count as unset', () => {
    const result = loadConfig({ GROQ_BASE_URL: 'http://127.0.0.1:9999/openai/', PORT: '' })
    if (!result.ok) throw new Error(result.errors.join('\n'))
    expect(result.config.baseUrls.groq).toBe('http://127.0.0.1:9999/openai')
    expect(result.config.port).toBe(3000)
  })
})

describe('the gateway command line', () => {
  const run = (args: string[], env: Record<string, string> = {}) => {
    const result = Bun.spawnSync([process.execPath, 'src/main.ts', ...args], { env: { PATH: process.env.PATH ?? '', ...env }, stdout: 'pipe', stderr: 'pipe' })
    return { code: result.exitCode, stdout: result.stdout.toString(), stderr: result.stderr.toString() }
  }

  test('--check-config accepts a valid environment', () => {
    expect(run(['--check-config'], { PORT: '8080' })).toMatchObject({ code: 0, stdout: 'configuration is valid\n' })
  })

  test('--check-config lists every problem and exits 2', () => {
    const { code, stderr } = run(['--check-config'], { PORT: '99999', HOST: '' , SHUTDOWN_TIMEOUT_MS: 'soon' })
    expect(code).toBe(2)
    expect(stderr).toContain('PORT: got "99999", expected an integer from 0 to 65535')
    expect(stderr).toContain('SHUTDOWN_TIMEOUT_MS: got "soon", expected an integer >= 0')
  })

  // Root reads any file: the check runs as an unprivileged user, which needs root to switch to,
  // and a checkout that user can read (not one under a private home directory).
  const nobody = ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, join(import.meta.dir, '../../src/main.ts')]
  const canDropPrivileges = process.getuid?.() === 0 && Bun.which('setpriv') !== null && Bun.spawnSync([...nobody, '--version'], { cwd: tmpdir() }).exitCode === 0
  test.skipIf(!canDropPrivileges)('a .env the gateway\'s user cannot read stops it (exit 2), instead of serving without its settings', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ai-gateway-dotenv-'))
    try {
      chmodSync(dir, 0o755)
      writeFileSync(join(dir, '.env'), 'GATEWAY_API_KEYS=gw-secret-key\n', { mode: 0o600 })
      const asNobody = (args: string[], env: Record<string, string> = {}) => Bun.spawnSync([...nobody, ...args], { cwd: dir, env: { PATH: process.env.PATH ?? '', ...env }, stderr: 'pipe', stdout: 'pipe' })
      const refused = asNobody(['--check-config'])
      expect(refused.exitCode).toBe(2)
      expect(refused.stderr.toString()).toContain('.env in the working directory cannot be read (EACCES)')
      expect(refused.stderr.toString()).not.toContain('gw-secret-key')
      expect(asNobody(['healthcheck']).exitCode).toBe(1)
      // A systemd service gets its settings from the unit's EnvironmentFile, read as root.
      expect(asNobody(['--check-config'], { INVOCATION_ID: '0123456789abcdef', GATEWAY_API_KEYS: 'gw-secret-key' }).exitCode).toBe(0)
      chmodSync(join(dir, '.env'), 0o644)
      expect(asNobody(['--check-config']).exitCode).toBe(0)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  test('--check-config also checks the files the settings name: PRICES_FILE and GATEWAY_CONFIG', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ai-gateway-check-'))
    try {
      writeFileSync(join(dir, 'prices.json'), '{"models":{"openai":{"gpt-x":{"input":"cheap"}}}}')
      const prices = run(['--check-config'], { PRICES_FILE: join(dir, 'prices.json') })
      expect(prices.code).toBe(2)
      expect(prices.stderr).toContain('models.openai.gpt-x needs numeric input and output prices')
      writeFileSync(join(dir, 'routing.json'), '{"models":{"smart":{"strategy":"fallback","targets":[{"provider":"nope","model":"x"}]}}}')
      const routing = run(['--check-config'], { GATEWAY_CONFIG: join(dir, 'routing.json') })
      expect(routing.code).toBe(2)
      expect(routing.stderr).toContain('nope')
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  test('--help lists every setting with its default', () => {
    const { code, stdout } = run(['--help'])
    expect(code).toBe(0)
    expect(stdout).toMatch(/PORT\s+3000/)
    expect(stdout).toMatch(/ELASTICSEARCH_INDEX\s+ai-gateway-metrics/)
  })
})

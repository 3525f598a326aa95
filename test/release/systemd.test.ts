import { afterAll, describe, expect, test } from 'bun:test'
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ConfigSchema } from '../../src/config/schema'
import { releaseBinary, repositoryRoot } from '../support/release-build'

const unitPath = join(repositoryRoot, 'scripts/systemd/ai-gateway.service')
const installScript = join(repositoryRoot, 'scripts/systemd/install.sh')
const unitText = readFileSync(unitPath, 'utf8')
const scratch = mkdtempSync(join(tmpdir(), 'ai-gateway-systemd-'))
afterAll(() => rmSync(scratch, { recursive: true, force: true }))

/** `Key=value` settings of one section, comments dropped. */
function section(name: string): Map<string, string> {
  const body = unitText.split(/^\[/m).find((part) => part.startsWith(`${name}]`)) ?? ''
  const entries = body
    .split('\n')
    .slice(1)
    .filter((line) => /^\w+=/.test(line))
    .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)] as [string, string])
  return new Map(entries)
}

describe('ai-gateway.service', () => {
  const service = section('Service')

  test('starts the binary as an exec service with its settings and working directory', () => {
    expect(service.get('Type')).toBe('exec')
    expect(service.get('ExecStart')).toBe('/usr/local/bin/ai-gateway')
    expect(service.get('EnvironmentFile')).toBe('/etc/ai-gateway/.env')
    // The settings' folder, where install.sh checks them: relative paths in them mean the same.
    expect(service.get('WorkingDirectory')).toBe('/etc/ai-gateway')
    expect(service.get('DynamicUser')).toBe('yes')
    expect(service.get('Restart')).toBe('on-failure')
    // A refused configuration (exit 2) is not restarted every RestartSec for ever.
    expect(service.get('RestartPreventExitStatus')).toBe('2')
  })

  test('waits longer than the default drain deadline before SIGKILL, and signals only the main process', () => {
    const drainSeconds = (ConfigSchema.properties.SHUTDOWN_TIMEOUT_MS.default as number) / 1000
    expect(Number.parseInt(service.get('TimeoutStopSec')!, 10)).toBeGreaterThan(drainSeconds)
    expect(service.get('KillMode')).toBe('mixed')
  })

  test('is hardened, but allows the W+X memory the JIT needs', () => {
    for (const [key, value] of [
      ['NoNewPrivileges', 'yes'],
      ['ProtectSystem', 'strict'],
      ['ProtectHome', 'yes'],
      ['PrivateTmp', 'yes'],
      ['PrivateDevices', 'yes'],
      ['RestrictAddressFamilies', 'AF_INET AF_INET6 AF_UNIX AF_NETLINK'],
    ]) {
      expect(`${key}=${service.get(key!)}`).toBe(`${key}=${value}`)
    }
    expect(service.has('MemoryDenyWriteExecute')).toBe(false)
  })
})

const analyze = Bun.which('systemd-analyze')
if (!analyze) console.warn('skipping systemd-analyze checks: systemd-analyze is not installed (Debian package "systemd"; .ci/run installs it)')

describe.skipIf(!analyze)('systemd-analyze', () => {
  /** The unit with ExecStart pointing at a binary that exists here: verify checks that it does. */
  async function unitWithBinary(text = unitText): Promise<string> {
    const path = join(scratch, `check-${Bun.randomUUIDv7()}`, 'ai-gateway.service')
    await Bun.write(path, text.replace(/^ExecStart=.*$/m, `ExecStart=${(await releaseBinary()).path}`))
    return path
  }

  function verify(path: string) {
    const result = Bun.spawnSync({ cmd: [analyze!, 'verify', path], stdout: 'pipe', stderr: 'pipe' })
    return { code: result.exitCode, output: (result.stdout.toString() + result.stderr.toString()).trim() }
  }

  test('verify accepts the unit without a single warning', async () => {
    expect(verify(await unitWithBinary())).toEqual({ code: 0, output: '' })
  }, 30_000)

  test('verify does report a broken unit (the check above can fail)', async () => {
    const broken = unitText.replace('Type=exec', 'Type=exce').replace('ProtectSystem=strict', 'ProtectSystem=strikt')
    const { output } = verify(await unitWithBinary(broken))
    expect(output).toContain('Failed to parse service type')
    expect(output).toContain('Failed to parse protect system value')
  }, 30_000)

  test('the offline security review rates the unit below 2.0 ("OK")', async () => {
    const result = Bun.spawnSync({ cmd: [analyze!, 'security', '--offline=true', await unitWithBinary()], stdout: 'pipe', stderr: 'pipe' })
    const exposure = /Overall exposure level for ai-gateway\.service: ([\d.]+)/.exec(result.stdout.toString())
    expect(exposure, result.stdout.toString() + result.stderr.toString()).not.toBeNull()
    expect(Number(exposure![1])).toBeLessThan(2)
  }, 30_000)
})

describe('install.sh into another root', () => {
  function install(root: string, ...args: string[]) {
    const result = Bun.spawnSync({ cmd: ['sh', installScript, ...args], env: { ...process.env, ROOT: root }, stdout: 'pipe', stderr: 'pipe' })
    return { code: result.exitCode, output: result.stdout.toString() + result.stderr.toString() }
  }
  const mode = (path: string) => (statSync(path).mode & 0o777).toString(8)

  test('places the binary, the unit and a root-only .env, and keeps an existing .env on upgrade', async () => {
    const { path: binary } = await releaseBinary()
    const root = mkdtempSync(join(scratch, 'root-'))
    const settings = join(scratch, 'settings.env')
    writeFileSync(settings, 'PORT=3100\nOPENAI_API_KEY_FOR_TEST=sk-secret\n')

    const first = install(root, binary, settings)
    expect(first).toMatchObject({ code: 0 })
    expect(first.output).toContain('configuration is valid')
    expect(mode(join(root, 'usr/local/bin/ai-gateway'))).toBe('755')
    expect(readFileSync(join(root, 'etc/systemd/system/ai-gateway.service'), 'utf8')).toBe(unitText)
    expect(mode(join(root, 'etc/ai-gateway/.env'))).toBe('600')
    expect(readFileSync(join(root, 'etc/ai-gateway/.env'), 'utf8')).toContain('PORT=3100')

    writeFileSync(settings, 'PORT=3200\n')
    const upgrade = install(root, binary, settings)
    expect(upgrade.code).toBe(0)
    expect(upgrade.output).toContain('keeping the existing')
    expect(readFileSync(join(root, 'etc/ai-gateway/.env'), 'utf8')).toContain('PORT=3100')
  }, 30_000)

  test('without a .env it writes a commented starting point that is valid as it is', async () => {
    const root = mkdtempSync(join(scratch, 'root-'))
    const result = install(root, (await releaseBinary()).path)
    expect(result.code).toBe(0)
    expect(mode(join(root, 'etc/ai-gateway/.env'))).toBe('600')
    expect(readFileSync(join(root, 'etc/ai-gateway/.env'), 'utf8')).toContain('#PORT=3000')
  }, 30_000)

  test('refuses settings the gateway would refuse, naming the problem', async () => {
    const root = mkdtempSync(join(scratch, 'root-'))
    const settings = join(scratch, 'bad.env')
    writeFileSync(settings, 'PORT=http\n')
    const result = install(root, (await releaseBinary()).path, settings)
    expect(result.code).not.toBe(0)
    expect(result.output).toContain('PORT: got "http"')
  }, 30_000)
})

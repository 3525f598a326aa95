/**
 * What the benchmark can point its load at. A target is data: the command that starts it
 * (or none: `direct` is the mock itself), its environment and any headers it needs.
 * In commands and environment values, {port} is the target's port, {upstream} the mock
 * provider's base URL, {elasticsearch} the mock's Elasticsearch stand-in (the same server),
 * {bun} the Bun running the benchmark and {binary} the compiled gateway (--binary).
 *
 * Targets are pinned to the targets' cores (--cpus) unless `pin: false`: `gateway-w2` (WORKERS=2,
 * a supervisor and two workers) is not, so its workers can spread over every core, and neither
 * is `gateway-w1`, the same gateway with one process, which it is compared with (`scaling`) and
 * which joins the run with it. The mock and the load generator stay on their cores, so on a
 * 2-core machine the second worker shares a core with them: that scaling is reported, never
 * held to a bound.
 *
 * Another gateway installed on this machine joins with `--targets-file FILE`, a JSON array of
 * these entries, e.g. `[{"name":"other","command":["other-gateway","--port","{port}"],
 * "env":{"OPENAI_API_BASE":"{upstream}/v1"}}]`.
 */
import { existsSync } from 'node:fs'

export interface TargetSpec {
  name: string
  /** argv; absent for `direct`. */
  command?: string[]
  env?: Record<string, string>
  /** Sent with every request to this target (for example a key another gateway wants). */
  headers?: Record<string, string>
  /** Why it cannot run here, if it cannot (a binary that was not built). */
  unavailable?: () => string | undefined
  /** Part of the default selection. */
  default?: boolean
  /** A gateway of this project: the published targets are checked against it. */
  checked?: boolean
  /** false: no taskset, the kernel may run it on every core (the mock's and the load's too). */
  pin?: boolean
  /** Throughput and CPU per request reported against `base` (selected along with this one), under `label`; no bound. */
  scaling?: { base: string; label: string }
}

/** Where `npm run build` puts the compiled gateway; --binary picks another. */
export const DEFAULT_BINARY = 'dist/ai-gateway'

/** Every provider base URL the gateway may use points at the mock. */
const GATEWAY_ENV: Record<string, string> = {
  PORT: '{port}',
  HOST: '127.0.0.1',
  OPENAI_BASE_URL: '{upstream}',
  ANTHROPIC_BASE_URL: '{upstream}',
}

/** Telemetry on: every request becomes a document shipped to the mock's `_bulk`. */
const TELEMETRY_ENV: Record<string, string> = {
  ...GATEWAY_ENV,
  ENABLE_ELASTICSEARCH: 'true',
  ELASTICSEARCH_URL: '{elasticsearch}',
}

export function builtInTargets(binary = DEFAULT_BINARY): TargetSpec[] {
  const notBuilt = () => (existsSync(binary) ? undefined : `${binary} not found (npm run build)`)
  return [
    { name: 'direct', default: true },
    { name: 'passthrough', command: ['{bun}', 'scripts/bench/passthrough.ts'], env: { PORT: '{port}', UPSTREAM: '{upstream}' }, default: true },
    // The gateway's guarantees for a JSON request inlined, without its structure (floor.ts).
    { name: 'floor', command: ['{bun}', 'scripts/bench/floor.ts'], env: { PORT: '{port}', UPSTREAM: '{upstream}' } },
    { name: 'gateway', command: ['{bun}', 'src/main.ts'], env: GATEWAY_ENV, default: true, checked: true },
    { name: 'gateway-bin', command: ['{binary}'], env: GATEWAY_ENV, unavailable: notBuilt, default: true, checked: true },
    { name: 'gateway-es', command: ['{bun}', 'src/main.ts'], env: TELEMETRY_ENV, checked: true },
    { name: 'gateway-bin-es', command: ['{binary}'], env: TELEMETRY_ENV, unavailable: notBuilt, checked: true },
    { name: 'gateway-w1', command: ['{bun}', 'src/main.ts'], env: { ...GATEWAY_ENV, WORKERS: '1' }, pin: false },
    { name: 'gateway-w2', command: ['{bun}', 'src/main.ts'], env: { ...GATEWAY_ENV, WORKERS: '2' }, pin: false, scaling: { base: 'gateway-w1', label: 'WORKERS=2 scaling' } },
  ]
}

export const REFERENCE = 'passthrough'
export const BASELINE = 'direct'

export interface Placeholders {
  port: number
  upstream: string
  elasticsearch: string
  bun: string
  binary: string
}

export function fill(text: string, values: Placeholders): string {
  return text.replace(/\{(port|upstream|elasticsearch|bun|binary)\}/g, (_, key: keyof Placeholders) => String(values[key]))
}

/** Reads extra targets from a JSON file, refusing entries that are not what the runner expects. */
export async function loadTargetsFile(path: string): Promise<TargetSpec[]> {
  const parsed: unknown = await Bun.file(path).json()
  if (!Array.isArray(parsed)) throw new Error(`${path}: expected a JSON array of targets`)
  return parsed.map((entry, i) => {
    const where = `${path}[${i}]`
    if (typeof entry !== 'object' || entry === null) throw new Error(`${where}: expected an object`)
    const { name, command, env, headers } = entry as Record<string, unknown>
    if (typeof name !== 'string' || !/^[a-z0-9][a-z0-9._-]*$/i.test(name)) throw new Error(`${where}: "name" must be a plain word`)
    if (!Array.isArray(command) || command.length === 0 || !command.every((part) => typeof part === 'string')) {
      throw new Error(`${where}: "command" must be a non-empty array of strings`)
    }
    return { name, command: command as string[], env: stringRecord(env, `${where}.env`), headers: stringRecord(headers, `${where}.headers`), default: true }
  })
}

function stringRecord(value: unknown, where: string): Record<string, string> | undefined {
  if (value === undefined) return undefined
  if (typeof value !== 'object' || value === null || !Object.values(value).every((v) => typeof v === 'string')) {
    throw new Error(`${where}: expected an object of strings`)
  }
  return value as Record<string, string>
}

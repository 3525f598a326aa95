import type { TSchema } from '@sinclair/typebox'
import { Value } from '@sinclair/typebox/value'
import { ConfigSchema, LOG_LEVELS, type ConfigEnv, type LogLevel } from './schema'

export interface GatewayConfig {
  port: number
  host: string
  logLevel: LogLevel
  deploymentEnvironment: string
  firstByteTimeoutMs: number
  idleTimeoutMs: number
  maxRequestBodyBytes: number
  shutdownTimeoutMs: number
  /** Upstream base URL by provider id (`OPENAI_BASE_URL` → `openai`). */
  baseUrls: Record<string, string>
}

export type LoadConfigResult = { ok: true; config: GatewayConfig } | { ok: false; errors: string[] }

type Env = Record<string, string | undefined>

/** Validates every setting at once: either a typed config or the full list of problems. */
export function loadConfig(env: Env): LoadConfigResult {
  const raw = pickSettings(env)
  const converted = Value.Default(ConfigSchema, Value.Convert(ConfigSchema, { ...raw }))
  const problems = new Map<string, string>()
  for (const error of Value.Errors(ConfigSchema, converted)) {
    const key = error.path.split('/')[1] ?? error.path
    if (problems.has(key)) continue
    const property = ConfigSchema.properties[key as keyof ConfigEnv] as TSchema | undefined
    const given = raw[key] === undefined ? 'nothing' : JSON.stringify(raw[key])
    problems.set(key, `${key}: got ${given}, expected ${property ? describeExpected(property) : error.message}`)
  }
  if (problems.size > 0) return { ok: false, errors: [...problems.values()] }
  return { ok: true, config: toGatewayConfig(converted as ConfigEnv) }
}

function pickSettings(env: Env): Record<string, string> {
  const picked: Record<string, string> = {}
  for (const key of Object.keys(ConfigSchema.properties)) {
    const value = env[key]
    if (value !== undefined && value.trim() !== '') picked[key] = value.trim()
  }
  if (picked.LOG_LEVEL === undefined && env.RUST_LOG) {
    picked.LOG_LEVEL = levelFromRustLog(env.RUST_LOG)
  }
  return picked
}

/** `RUST_LOG` may be `debug` or `ai_gateway=debug,hyper=info`: take the most verbose level named. */
function levelFromRustLog(value: string): string {
  const named = value
    .toLowerCase()
    .split(',')
    .map((directive) => directive.split('=').pop()!.trim())
    .filter((level): level is LogLevel => (LOG_LEVELS as readonly string[]).includes(level))
  if (named.length === 0) return value
  return named.reduce((a, b) => (LOG_LEVELS.indexOf(a) >= LOG_LEVELS.indexOf(b) ? a : b))
}

export function describeExpected(schema: TSchema): string {
  if (schema.anyOf) return `one of ${schema.anyOf.map((s: TSchema) => s.const).join(' | ')}`
  if (schema.type === 'integer') {
    const range = schema.maximum !== undefined ? ` from ${schema.minimum} to ${schema.maximum}` : schema.minimum !== undefined ? ` >= ${schema.minimum}` : ''
    return `an integer${range}`
  }
  if (schema.type === 'boolean') return 'true or false'
  if (schema.pattern?.startsWith('^https?')) return 'an http(s) URL'
  return 'a non-empty string'
}

const BASE_URL_SUFFIX = '_BASE_URL'

function toGatewayConfig(env: ConfigEnv): GatewayConfig {
  const baseUrls: Record<string, string> = {}
  for (const [key, value] of Object.entries(env)) {
    if (key.endsWith(BASE_URL_SUFFIX)) baseUrls[key.slice(0, -BASE_URL_SUFFIX.length).toLowerCase()] = (value as string).replace(/\/+$/, '')
  }
  return {
    port: env.PORT,
    host: env.HOST,
    logLevel: env.LOG_LEVEL,
    deploymentEnvironment: env.DEPLOYMENT_ENVIRONMENT,
    firstByteTimeoutMs: env.FIRST_BYTE_TIMEOUT_MS,
    idleTimeoutMs: env.IDLE_TIMEOUT_MS,
    maxRequestBodyBytes: env.MAX_REQUEST_BODY_BYTES,
    shutdownTimeoutMs: env.SHUTDOWN_TIMEOUT_MS,
    baseUrls,
  }
}

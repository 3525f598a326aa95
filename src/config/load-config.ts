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
  /** Worker processes sharing the port; `auto` means one per CPU core. */
  workers: number | 'auto'
  /** Upstream base URL by provider id (`OPENAI_BASE_URL` → `openai`); '' when not configured. */
  baseUrls: Record<string, string>
  /** Default API version by provider id (`AZURE_OPENAI_API_VERSION` → `azure`). */
  apiVersions: Record<string, string>
  telemetry: TelemetrySettings
  aws: AwsSettings
  routing: RoutingSettings
  metrics: MetricsSettings
  /** null: CORS off, no CORS headers at all. */
  cors: CorsSettings | null
}

export interface MetricsSettings {
  enabled: boolean
  /** A port of its own for /metrics; null: served on the main port. */
  port: number | null
}

export interface CorsSettings {
  origins: '*' | string[]
}

export interface RoutingSettings {
  /** Path of the routing file; undefined when not set. */
  configFile?: string
  /** Gateway keys from GATEWAY_API_KEYS (the file may add more). */
  apiKeys: string[]
  auth: 'keys' | 'none'
}

/** AWS credentials and region from the settings; each is undefined when not set. */
export interface AwsSettings {
  accessKeyId?: string
  secretAccessKey?: string
  sessionToken?: string
  region?: string
}

export interface TelemetrySettings {
  elasticsearch: {
    url: string
    username?: string
    password?: string
    index: string
    batchSize: number
    concurrentRequests: number
    flushIntervalMs: number
    requestTimeoutMs: number
    retentionDays: number
    setup: boolean
  } | null
  bufferCapacity: number
  /** What the buffered records may weigh in all (UTF-16 code units of their bulk entries). */
  bufferMaxBytes?: number
  maxPayloadBytes: number
  pricesFile?: string
}

export type LoadConfigResult = { ok: true; config: GatewayConfig } | { ok: false; errors: string[] }

type Env = Record<string, string | undefined>

/** Validates every setting at once: either a typed config or the full list of problems. */
export function loadConfig(env: Env): LoadConfigResult {
  const raw = pickSettings(env)
  const problems = new Map<string, string>()
  // TypeBox converts a number with parseInt: "1e7" would be read as 1 and "6e5" as 6.
  const toConvert = { ...raw }
  for (const [key, value] of Object.entries(raw)) {
    const property = ConfigSchema.properties[key as keyof ConfigEnv] as TSchema
    if (!takesInteger(property) || /^-?\d+$/.test(value) || property.anyOf?.some((choice: TSchema) => choice.const === value)) continue
    const digits = /^[-+.\d]/.test(value) ? ' in decimal digits' : ''
    problems.set(key, `${key}: got ${JSON.stringify(value)}, expected ${describeExpected(property)}${digits}`)
    delete toConvert[key]
  }
  const converted = Value.Default(ConfigSchema, Value.Convert(ConfigSchema, toConvert))
  for (const error of Value.Errors(ConfigSchema, converted)) {
    const key = error.path.split('/')[1] ?? error.path
    if (problems.has(key)) continue
    const property = ConfigSchema.properties[key as keyof ConfigEnv] as TSchema | undefined
    const value = key.endsWith('_URL') && raw[key] !== undefined ? withoutCredentials(raw[key]) : raw[key]
    const given = value === undefined ? 'nothing' : JSON.stringify(value)
    problems.set(key, `${key}: got ${given}, expected ${property ? describeExpected(property) : error.message}`)
  }
  const chosen = converted as Partial<ConfigEnv>
  if (chosen.PORT === 0 && chosen.WORKERS !== 1 && !problems.has('WORKERS')) {
    problems.set('WORKERS', `WORKERS: got ${JSON.stringify(raw.WORKERS)}, but several workers cannot share PORT=0 (each would pick its own port)`)
  }
  if (chosen.METRICS_PORT !== '' && chosen.METRICS_PORT !== undefined && chosen.METRICS_PORT !== 0 && chosen.METRICS_PORT === chosen.PORT && !problems.has('METRICS_PORT')) {
    problems.set('METRICS_PORT', `METRICS_PORT: got ${JSON.stringify(raw.METRICS_PORT)}, the same port as PORT; leave it empty to serve /metrics there`)
  }
  if (problems.size > 0) return { ok: false, errors: [...problems.values()] }
  return { ok: true, config: toGatewayConfig(converted as ConfigEnv) }
}

/**
 * URL settings may carry credentials (user:password@host), and a malformed one (`http:/u:p@h`, a
 * space in the password) too: everything before the last `@` but the scheme is never echoed.
 */
function withoutCredentials(value: string): string {
  const at = value.lastIndexOf('@')
  if (at === -1) return value
  const scheme = /^[a-z][a-z0-9+.-]*:\/*/i.exec(value)?.[0] ?? ''
  return `${scheme}***${value.slice(at)}`
}

const takesInteger = (schema: TSchema): boolean => schema.type === 'integer' || (schema.anyOf?.some(takesInteger) ?? false)

function pickSettings(env: Env): Record<string, string> {
  const picked: Record<string, string> = {}
  for (const key of Object.keys(ConfigSchema.properties)) {
    const value = env[key]
    if (value !== undefined && value.trim() !== '') picked[key] = value.trim()
  }
  if (picked.LOG_LEVEL === undefined && env.RUST_LOG) {
    const level = levelFromRustLog(env.RUST_LOG)
    if (level !== undefined) picked.LOG_LEVEL = level
  }
  return picked
}

/**
 * `RUST_LOG` may be `debug` or `ai_gateway=debug,hyper=info`: take the most verbose level named
 * (`off` counts as `error`, the least this gateway logs). A value that names no level (a bare
 * crate name) leaves the default: it is another program's setting, not a mistake in this one's.
 */
function levelFromRustLog(value: string): LogLevel | undefined {
  const named = value
    .toLowerCase()
    .split(',')
    .map((directive) => directive.split('=').pop()!.trim())
    .map((level) => (level === 'off' ? 'error' : level === 'warning' ? 'warn' : level))
    .filter((level): level is LogLevel => (LOG_LEVELS as readonly string[]).includes(level))
  if (named.length === 0) return undefined
  return named.reduce((a, b) => (LOG_LEVELS.indexOf(a) >= LOG_LEVELS.indexOf(b) ? a : b))
}

export function describeExpected(schema: TSchema): string {
  if (schema.anyOf) return `one of ${schema.anyOf.map((s: TSchema) => s.const ?? describeExpected(s)).join(' | ')}`
  if (schema.type === 'integer') {
    const range = schema.maximum !== undefined ? ` from ${schema.minimum} to ${schema.maximum}` : schema.minimum !== undefined ? ` >= ${schema.minimum}` : ''
    return `an integer${range}`
  }
  if (schema.type === 'boolean') return 'true or false'
  if (/^\^\(?https\?/.test(schema.pattern ?? '')) return 'an http(s) URL'
  if (schema.pattern !== undefined) return `a value matching ${schema.pattern}${schema.description ? ` (${schema.description})` : ''}`
  return 'a non-empty string'
}

const BASE_URL_SUFFIX = '_BASE_URL'
const API_VERSION_SUFFIX = '_API_VERSION'
/** Settings named after the product where the provider id is shorter. */
const PROVIDER_ID_OF_PREFIX: Record<string, string> = { azure_openai: 'azure' }

function providerId(key: string, suffix: string): string {
  const prefix = key.slice(0, -suffix.length).toLowerCase()
  return PROVIDER_ID_OF_PREFIX[prefix] ?? prefix
}

function toGatewayConfig(env: ConfigEnv): GatewayConfig {
  const baseUrls: Record<string, string> = {}
  const apiVersions: Record<string, string> = {}
  for (const [key, value] of Object.entries(env)) {
    if (key.endsWith(BASE_URL_SUFFIX)) baseUrls[providerId(key, BASE_URL_SUFFIX)] = (value as string).replace(/\/+$/, '')
    else if (key.endsWith(API_VERSION_SUFFIX)) apiVersions[providerId(key, API_VERSION_SUFFIX)] = value as string
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
    workers: env.WORKERS,
    metrics: { enabled: env.METRICS_ENABLED, port: env.METRICS_PORT === '' ? null : env.METRICS_PORT },
    cors: parseCorsOrigins(env.CORS_ORIGINS),
    baseUrls,
    apiVersions,
    telemetry: {
      elasticsearch: env.ENABLE_ELASTICSEARCH
        ? {
            url: env.ELASTICSEARCH_URL,
            username: env.ELASTICSEARCH_USERNAME || undefined,
            password: env.ELASTICSEARCH_PASSWORD || undefined,
            index: env.ELASTICSEARCH_INDEX,
            batchSize: env.ELASTICSEARCH_BATCH_SIZE,
            concurrentRequests: env.ELASTICSEARCH_CONCURRENT_REQUESTS,
            flushIntervalMs: env.ELASTICSEARCH_FLUSH_INTERVAL_MS,
            requestTimeoutMs: env.ELASTICSEARCH_REQUEST_TIMEOUT_MS,
            retentionDays: env.ELASTICSEARCH_RETENTION_DAYS,
            setup: env.ELASTICSEARCH_SETUP,
          }
        : null,
      bufferCapacity: env.TELEMETRY_BUFFER_CAPACITY,
      bufferMaxBytes: env.TELEMETRY_BUFFER_MAX_BYTES,
      maxPayloadBytes: env.TELEMETRY_MAX_PAYLOAD_BYTES,
      pricesFile: env.PRICES_FILE || undefined,
    },
    aws: {
      accessKeyId: env.AWS_ACCESS_KEY_ID || undefined,
      secretAccessKey: env.AWS_SECRET_ACCESS_KEY || undefined,
      sessionToken: env.AWS_SESSION_TOKEN || undefined,
      region: env.AWS_REGION || env.AWS_DEFAULT_REGION || undefined,
    },
    routing: {
      configFile: env.GATEWAY_CONFIG || undefined,
      apiKeys: env.GATEWAY_API_KEYS.split(',').map((key) => key.trim()).filter((key) => key !== ''),
      auth: env.GATEWAY_AUTH,
    },
  }
}

function parseCorsOrigins(value: string): CorsSettings | null {
  if (value === '') return null
  if (value === '*') return { origins: '*' }
  return { origins: value.split(',').map((origin) => origin.trim()) }
}

import { Type, type Static } from '@sinclair/typebox'
import { Value } from '@sinclair/typebox/value'

/**
 * The routing file (GATEWAY_CONFIG): server-side provider keys, gateway keys with their
 * rate limits, and model aliases. YAML or JSON (JSON is YAML, but `.json` files are read
 * with JSON.parse for its stricter errors). `${VAR}` in any string reads the environment.
 */

const Target = Type.Object(
  {
    provider: Type.String({ minLength: 1 }),
    model: Type.String({ minLength: 1 }),
    weight: Type.Optional(Type.Number({ exclusiveMinimum: 0 })),
    first_byte_timeout_ms: Type.Optional(Type.Integer({ minimum: 1 })),
  },
  { additionalProperties: false },
)

const Retry = Type.Object(
  {
    /** Retries of one target after its first try, on 429, 5xx and connection errors. */
    attempts: Type.Integer({ minimum: 0, maximum: 10 }),
    backoff_ms: Type.Optional(Type.Integer({ minimum: 0 })),
    max_backoff_ms: Type.Optional(Type.Integer({ minimum: 0 })),
  },
  { additionalProperties: false },
)

const Alias = Type.Object(
  {
    strategy: Type.Union([Type.Literal('fallback'), Type.Literal('loadbalance')]),
    retry: Type.Optional(Retry),
    targets: Type.Array(Target, { minItems: 1 }),
  },
  { additionalProperties: false },
)

const ProviderEntry = Type.Object(
  {
    api_key: Type.Optional(Type.String({ minLength: 1 })),
    base_url: Type.Optional(Type.String({ pattern: '^https?://[^\\s]+$' })),
  },
  { additionalProperties: false },
)

const GatewayKey = Type.Object(
  {
    key: Type.String({ minLength: 1 }),
    name: Type.Optional(Type.String()),
    rpm: Type.Optional(Type.Integer({ minimum: 1 })),
    tpm: Type.Optional(Type.Integer({ minimum: 1 })),
  },
  { additionalProperties: false },
)

export const GatewayFileSchema = Type.Object(
  {
    providers: Type.Optional(Type.Record(Type.String(), ProviderEntry)),
    models: Type.Optional(Type.Record(Type.String(), Alias)),
    gateway_keys: Type.Optional(Type.Array(GatewayKey)),
  },
  { additionalProperties: false },
)

export type GatewayFile = Static<typeof GatewayFileSchema>

export interface RouteTarget {
  provider: string
  model: string
  weight: number
  firstByteTimeoutMs?: number
}

export interface ModelAlias {
  name: string
  strategy: 'fallback' | 'loadbalance'
  retries: number
  backoffMs: number
  maxBackoffMs: number
  targets: RouteTarget[]
}

export interface GatewayKeyEntry {
  key: string
  /** Shown in logs instead of the key. */
  name: string
  rpm?: number
  tpm?: number
}

export interface RoutingTable {
  /** Server-side key and base URL by provider id. */
  providers: ReadonlyMap<string, { apiKey?: string; baseUrl?: string }>
  aliases: ReadonlyMap<string, ModelAlias>
  gatewayKeys: GatewayKeyEntry[]
}

export const EMPTY_ROUTING_TABLE: RoutingTable = { providers: new Map(), aliases: new Map(), gatewayKeys: [] }

const DEFAULT_BACKOFF_MS = 200
const DEFAULT_MAX_BACKOFF_MS = 5_000

export type ParseResult = { ok: true; table: RoutingTable } | { ok: false; errors: string[] }

/**
 * The YAML library loads with the first YAML file: a gateway without one never pays for it.
 * The app as every process loads it (src/server/app.ts in scripts/bench/module-weight.ts) went
 * 2.2 → 1.9 MB of heap, 20,400 → 17,300 objects and ~21 → ~19 MB of RSS.
 */
function parseYaml(text: string): unknown {
  return (require('yaml') as typeof import('yaml')).parse(text)
}

/** Parses and validates the file's text; every problem is reported with its path in the file. */
export function parseGatewayConfig(text: string, fileName: string, env: Record<string, string | undefined>, knownProviders: ReadonlySet<string>): ParseResult {
  let raw: unknown
  try {
    raw = fileName.endsWith('.json') ? JSON.parse(text) : parseYaml(text)
  } catch (error) {
    const json = fileName.endsWith('.json')
    // The first line only: the YAML library's next ones quote the file around the error, keys
    // included. JSON.parse quotes the token it stopped at (`Unexpected identifier "gsk_..."`).
    const firstLine = (error instanceof Error ? error.message : String(error)).split('\n')[0]!
    return { ok: false, errors: [`not valid ${json ? 'JSON' : 'YAML'}: ${json ? firstLine.replace(/"[^"]*"?/g, '"…"') : firstLine}`] }
  }
  // An empty file is a file caught half-written, or emptied by mistake: taking it for a file
  // without keys would turn authentication off.
  if (raw === null || raw === undefined) return { ok: false, errors: ['the file is empty'] }
  const errors: string[] = []
  const value = substituteEnv(raw, '', env, errors)
  const seen = new Set<string>()
  for (const error of Value.Errors(GatewayFileSchema, value)) {
    const path = dottedPath(error.path)
    if (seen.has(path)) continue
    seen.add(path)
    errors.push(`${path || '(root)'}: ${error.message}`)
  }
  if (errors.length > 0) return { ok: false, errors }
  const file = value as GatewayFile
  const unknown = (provider: string) => `unknown provider ${JSON.stringify(provider)} (known: ${[...knownProviders].join(', ')})`
  for (const name of Object.keys(file.providers ?? {})) {
    if (!knownProviders.has(name)) errors.push(`providers.${name}: ${unknown(name)}`)
  }
  for (const [alias, entry] of Object.entries(file.models ?? {})) {
    entry.targets.forEach((target, i) => {
      if (!knownProviders.has(target.provider)) errors.push(`models.${alias}.targets[${i}].provider: ${unknown(target.provider)}`)
    })
  }
  if (errors.length > 0) return { ok: false, errors }
  return { ok: true, table: toRoutingTable(file) }
}

function toRoutingTable(file: GatewayFile): RoutingTable {
  const providers = new Map(Object.entries(file.providers ?? {}).map(([id, p]) => [id, { apiKey: p.api_key, baseUrl: p.base_url?.replace(/\/+$/, '') }]))
  const aliases = new Map<string, ModelAlias>()
  for (const [name, entry] of Object.entries(file.models ?? {})) {
    aliases.set(name, {
      name,
      strategy: entry.strategy,
      retries: entry.retry?.attempts ?? 0,
      backoffMs: entry.retry?.backoff_ms ?? DEFAULT_BACKOFF_MS,
      maxBackoffMs: entry.retry?.max_backoff_ms ?? DEFAULT_MAX_BACKOFF_MS,
      targets: entry.targets.map((t) => ({ provider: t.provider, model: t.model, weight: t.weight ?? 1, firstByteTimeoutMs: t.first_byte_timeout_ms })),
    })
  }
  const gatewayKeys = (file.gateway_keys ?? []).map((k, i) => ({ key: k.key, name: k.name ?? `gateway_keys[${i}]`, rpm: k.rpm, tpm: k.tpm }))
  return { providers, aliases, gatewayKeys }
}

const ENV_REFERENCE = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g

/** Replaces `${VAR}` in every string; a variable that is not set is an error naming it. */
function substituteEnv(value: unknown, path: string, env: Record<string, string | undefined>, errors: string[]): unknown {
  if (typeof value === 'string') {
    return value.replace(ENV_REFERENCE, (_, name: string) => {
      const found = env[name]
      if (found === undefined) errors.push(`${path}: environment variable ${name} is not set`)
      return found ?? ''
    })
  }
  if (Array.isArray(value)) return value.map((item, i) => substituteEnv(item, `${path}[${i}]`, env, errors))
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {}
    for (const [key, item] of Object.entries(value)) out[key] = substituteEnv(item, path === '' ? key : `${path}.${key}`, env, errors)
    return out
  }
  return value
}

/** TypeBox's `/models/smart/targets/1/provider` as it reads in the file: `models.smart.targets[1].provider`. */
function dottedPath(pointer: string): string {
  let out = ''
  for (const segment of pointer.split('/').slice(1)) {
    const key = segment.replace(/~1/g, '/').replace(/~0/g, '~')
    out += /^\d+$/.test(key) ? `[${key}]` : out === '' ? key : `.${key}`
  }
  return out
}

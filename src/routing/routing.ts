import { readFileSync, watch as watchPath } from 'node:fs'
import { basename, dirname } from 'node:path'
import type { RoutingSettings } from '../config/load-config'
import type { Logger } from '../logger'
import { EMPTY_ROUTING_TABLE, parseGatewayConfig, type GatewayKeyEntry, type RoutingTable } from './gateway-config'
import { createGatewayKeyring, presentedKey, type GatewayKeyring } from './gateway-keys'
import { createRateLimiter, type RateDecision, type RateLimiter } from './rate-limiter'
import { planRoute, type RoutePlan } from './route-plan'

export interface RoutingOptions {
  settings: RoutingSettings
  /** Provider ids the file may name. */
  knownProviders: ReadonlySet<string>
  logger: Logger
  /** Read for `${VAR}` in the file; default process.env. */
  env?: Record<string, string | undefined>
  random?: () => number
  now?: () => number
}

/** A request the routing layer refuses before anything goes upstream (401, 429). */
export class RoutingRefusal extends Error {
  constructor(
    readonly status: 401 | 429,
    readonly code: string,
    message: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(message)
    this.name = 'RoutingRefusal'
  }
}

/** The file or the settings cannot start (or reload) the gateway. */
export class RoutingConfigError extends Error {
  constructor(readonly errors: string[]) {
    super(errors.join('; '))
    this.name = 'RoutingConfigError'
  }
}

export interface Routing {
  /** Who is calling: the gateway key entry, or null when gateway keys are not required. Throws RoutingRefusal. */
  admit(headers: Headers): GatewayKeyEntry | null
  plan(model: unknown): RoutePlan | null
  /** The client's headers with its credentials replaced by the provider's server-side key when the gateway owns the keys. */
  upstreamHeaders(client: Headers, provider: string): Headers
  /** The file's base URL for a provider, if it sets one. */
  baseUrl(provider: string): string | undefined
  /** Holds an admitted request's estimated tokens against its key's tpm while it runs; throws RoutingRefusal (429) past the limit. */
  reserveTokens(key: GatewayKeyEntry, estimate: number): void
  /** Counts a finished request's tokens (its estimate when unknown) against its key's tpm. */
  settleTokens(key: GatewayKeyEntry, estimate: number, tokens: number | null): void
  /** Re-reads the file; keeps the current table (and logs why) when the new one is invalid. */
  reload(): boolean
  /** Reloads when the file changes (debounced); returns a function that stops watching. */
  watch(debounceMs?: number): () => void
  readonly random: () => number
  readonly now: () => number
}

/**
 * Providers that take API keys in a header of their own; the rest take `Authorization: Bearer`.
 * Their modules prefer these headers to a bearer token, on native and translated routes alike.
 * @see https://docs.anthropic.com/en/api/overview#authentication
 * @see https://learn.microsoft.com/en-us/azure/ai-services/openai/reference#authentication
 */
const SERVER_KEY_HEADER: Record<string, string> = { anthropic: 'x-api-key', azure: 'api-key' }

interface Active {
  table: RoutingTable
  keyring: GatewayKeyring
  /** Whether client credentials stay at the gateway (gateway keys or server-side keys in use). */
  ownsCredentials: boolean
}

/**
 * Routing state: built once at start (throws RoutingConfigError on a bad file or unsafe
 * settings, so the gateway refuses to start) and swapped whole on reload.
 */
export function createRouting(options: RoutingOptions): Routing {
  const { settings, logger } = options
  const env = options.env ?? process.env
  const random = options.random ?? Math.random
  const now = options.now ?? Date.now
  const limiter: RateLimiter = createRateLimiter(now)
  let active = build()

  function build(): Active {
    let table = EMPTY_ROUTING_TABLE
    if (settings.configFile !== undefined) {
      let text: string
      try {
        text = readFileSync(settings.configFile, 'utf8')
      } catch (error) {
        throw new RoutingConfigError([`GATEWAY_CONFIG: cannot read ${settings.configFile}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`])
      }
      const parsed = parseGatewayConfig(text, settings.configFile, env, options.knownProviders)
      if (!parsed.ok) throw new RoutingConfigError(parsed.errors)
      table = parsed.table
    }
    const envKeys = settings.apiKeys.map((key, i) => ({ key, name: `GATEWAY_API_KEYS[${i}]` }))
    const gatewayKeys = [...envKeys, ...table.gatewayKeys]
    const serverKeys = [...table.providers.values()].some((p) => p.apiKey !== undefined)
    if (serverKeys && gatewayKeys.length === 0 && settings.auth !== 'none') {
      throw new RoutingConfigError([
        'the routing file holds server-side provider keys but no gateway keys are set: anyone reaching the port could spend them. Set GATEWAY_API_KEYS (or gateway_keys in the file), or GATEWAY_AUTH=none to allow it',
      ])
    }
    return { table, keyring: createGatewayKeyring(gatewayKeys), ownsCredentials: gatewayKeys.length > 0 || serverKeys }
  }

  function refuseUnless(decision: RateDecision): void {
    if (decision.ok) return
    throw new RoutingRefusal(429, 'rate_limit_exceeded', `Rate limit of this gateway key reached (${decision.limit} per minute); retry after ${decision.retryAfterSeconds} s`, decision.retryAfterSeconds)
  }

  const routing: Routing = {
    random,
    now,
    admit(headers) {
      const { keyring } = active
      if (keyring.size === 0) return null
      const entry = keyring.find(presentedKey(headers))
      if (entry === undefined) throw new RoutingRefusal(401, 'invalid_api_key', 'Missing or invalid gateway key: send it as Authorization: Bearer <key>')
      refuseUnless(limiter.admit(entry))
      return entry
    },
    plan: (model) => planRoute(active.table, model, random),
    upstreamHeaders(client, provider) {
      if (!active.ownsCredentials) return client
      const headers = new Headers(client)
      headers.delete('authorization')
      headers.delete('x-api-key')
      headers.delete('api-key')
      const key = active.table.providers.get(provider)?.apiKey
      if (key === undefined) return headers
      const header = SERVER_KEY_HEADER[provider]
      if (header === undefined) headers.set('authorization', `Bearer ${key}`)
      else headers.set(header, key)
      return headers
    },
    baseUrl: (provider) => active.table.providers.get(provider)?.baseUrl,
    reserveTokens: (key, estimate) => refuseUnless(limiter.reserveTokens(key, estimate)),
    settleTokens: (key, estimate, tokens) => limiter.settleTokens(key, estimate, tokens),
    reload() {
      try {
        const before = active
        active = build()
        logger.info('routing configuration reloaded', { file: settings.configFile, aliases: active.table.aliases.size, gateway_keys: active.keyring.size })
        if (before.keyring.size > 0 && active.keyring.size === 0) logger.warn('the routing file now lists no gateway keys: requests are no longer authenticated', { file: settings.configFile })
        return true
      } catch (error) {
        const errors = error instanceof RoutingConfigError ? error.errors : [String(error)]
        logger.error('routing configuration not reloaded: keeping the previous one', { file: settings.configFile, errors })
        return false
      }
    },
    watch(debounceMs = 100) {
      const file = settings.configFile
      if (file === undefined) return () => {}
      // Editors replace files by renaming over them: watch the directory, not the old inode.
      let timer: ReturnType<typeof setTimeout> | undefined
      const watcher = watchPath(dirname(file), (_event, name) => {
        // Kubernetes swaps a ConfigMap's files through a `..data` symlink: those names count too.
        if (name !== null && name !== basename(file) && !name.startsWith('..')) return
        clearTimeout(timer)
        timer = setTimeout(() => routing.reload(), debounceMs)
      })
      watcher.unref?.()
      // A watcher that fails (the directory went away) must not take the process with it.
      watcher.on('error', (error) => logger.warn('routing file watch failed; SIGHUP still reloads', { error: String(error) }))
      return () => {
        clearTimeout(timer)
        watcher.close()
      }
    },
  }
  return routing
}

import type { Provider } from '../providers/types'
import { GatewayError } from './errors'
import { truncate } from './client-request'

const PROVIDER_NAME = /^[a-z0-9][a-z0-9_-]{0,63}$/

/** The `x-provider` header (case-insensitive, default provider when absent) to a registered provider. */
export function resolveProvider(header: string | null, registry: ReadonlyMap<string, Provider>, fallback: string): Provider {
  const name = header === null ? fallback : header.trim().toLowerCase()
  const provider = PROVIDER_NAME.test(name) ? registry.get(name) : undefined
  if (provider !== undefined) return provider
  const known = [...registry.keys()].join(', ')
  const shown = JSON.stringify(truncate(header ?? '', 64))
  throw new GatewayError(400, 'invalid_request', 'unknown_provider', `Unknown provider ${shown} in x-provider header. Known providers: ${known}`)
}

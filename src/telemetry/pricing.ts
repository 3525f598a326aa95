import { readFileSync } from 'node:fs'
import embeddedPrices from './prices.json' with { type: 'json' }
import type { TokenCounts } from './request-record'

/** USD per million tokens. */
export interface ModelPrice {
  input: number
  output: number
  cached_input?: number
  cache_write_input?: number
}

export interface PriceTable {
  priced_like_any?: string[]
  models: Record<string, Record<string, ModelPrice>>
}

export interface PriceMatch {
  /** The table's name for the model: bounded, so fit for a metric label. */
  model: string
  price: ModelPrice
}

export interface Pricing {
  find(provider: string, model: string | null): PriceMatch | null
  cost(tokens: TokenCounts | null, price: ModelPrice): number | null
}

/** The embedded table, with the entries of an override file (PRICES_FILE) laid over it. */
export function mergePriceTables(base: PriceTable, override: PriceTable | undefined): PriceTable {
  if (override === undefined) return base
  const models: PriceTable['models'] = { ...base.models }
  for (const [provider, entries] of Object.entries(override.models ?? {})) models[provider] = { ...models[provider], ...entries }
  return { priced_like_any: override.priced_like_any ?? base.priced_like_any, models }
}

export const EMBEDDED_PRICES: PriceTable = embeddedPrices

/**
 * Candidate names for a model id, most specific first: `gpt-4o-2024-08-06` → `gpt-4o`,
 * `claude-3-5-sonnet-20241022` → `claude-3-5-sonnet`, `us.anthropic.claude-3-5-sonnet-20241022-v2:0`
 * → `claude-3-5-sonnet`, `anthropic/claude-sonnet-4` → `claude-sonnet-4`.
 */
export function modelNameCandidates(model: string): string[] {
  const names = [model.toLowerCase()]
  let name = names[0]!
  name = name.replace(/^(us|eu|apac|global)\./, '').replace(/^[a-z0-9-]+\.(?=[a-z])/, '') // Bedrock region and vendor
  name = name.replace(/-v\d+(:\d+)?$/, '') // Bedrock version suffix
  name = name.replace(/-(\d{4}-\d{2}-\d{2}|\d{8})$/, '').replace(/-latest$/, '') // dates and aliases
  names.push(name)
  const slash = name.lastIndexOf('/')
  if (slash !== -1) names.push(name.slice(slash + 1)) // router prefixes: openai/gpt-4o
  return [...new Set(names)]
}

export function createPricing(table: PriceTable): Pricing {
  const resellers = new Set(table.priced_like_any ?? [])
  // Model names come from clients: `constructor` must not find Object.prototype's.
  const lookup = (provider: string, name: string): ModelPrice | undefined => {
    const models = Object.hasOwn(table.models, provider) ? table.models[provider] : undefined
    return models !== undefined && Object.hasOwn(models, name) ? models[name] : undefined
  }

  const search = (provider: string, model: string): PriceMatch | null => {
    const candidates = modelNameCandidates(model)
    for (const name of candidates) {
      const price = lookup(provider, name)
      if (price !== undefined) return { model: name, price }
    }
    if (!resellers.has(provider)) return null
    for (const name of candidates) {
      for (const owner of Object.keys(table.models)) {
        const price = lookup(owner, name)
        if (price !== undefined) return { model: name, price }
      }
    }
    return null
  }

  // The name normalisation runs regexes (1.6 µs a request in scripts/bench/profile.ts); the same
  // few models recur, so answers are remembered, by provider and then by model: under a key built
  // from both, a lookup took 0.53–0.56 µs a request in that profile, now 0.26. Bounded: model
  // names come from clients.
  const remembered = new Map<string, Map<string, PriceMatch | null>>()
  let rememberedCount = 0
  return {
    find(provider, model) {
      if (model === null) return null
      let byModel = remembered.get(provider)
      let match = byModel?.get(model)
      if (match !== undefined) return match
      match = search(provider, model)
      if (rememberedCount >= 10_000) {
        remembered.clear()
        rememberedCount = 0
        byModel = undefined
      }
      if (byModel === undefined) remembered.set(provider, (byModel = new Map()))
      byModel.set(model, match)
      rememberedCount++
      return match
    },
    cost(tokens, price) {
      if (tokens === null || tokens.input === null) return null
      // An embedding's usage has no output count: it has no output to pay for either.
      const output = tokens.output ?? (price.output === 0 ? 0 : null)
      if (output === null) return null
      const cached = tokens.cached_input ?? 0
      const cacheWrite = tokens.cache_write_input ?? 0
      const uncached = Math.max(0, tokens.input - cached - cacheWrite)
      const usd =
        uncached * price.input +
        cached * (price.cached_input ?? price.input) +
        cacheWrite * (price.cache_write_input ?? price.input) +
        output * price.output
      return usd / 1_000_000
    },
  }
}

/** PRICES_FILE, read once at start; a broken file stops start-up with a clear message. */
export function readPriceFile(path: string): PriceTable {
  let table: PriceTable
  try {
    table = JSON.parse(readFileSync(path, 'utf8'))
  } catch (error) {
    throw new Error(`PRICES_FILE ${path}: ${error instanceof Error ? error.message : String(error)}`)
  }
  if (table === null || typeof table !== 'object' || typeof table.models !== 'object') throw new Error(`PRICES_FILE ${path}: expected {"models": {"<provider>": {"<model>": {"input", "output"}}}}`)
  for (const [provider, models] of Object.entries(table.models)) {
    for (const [model, price] of Object.entries(models)) {
      if (typeof price?.input !== 'number' || typeof price?.output !== 'number') throw new Error(`PRICES_FILE ${path}: models.${provider}.${model} needs numeric input and output prices`)
    }
  }
  return table
}

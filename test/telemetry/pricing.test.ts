import { describe, expect, test } from 'bun:test'
import { createPricing, EMBEDDED_PRICES, mergePriceTables, modelNameCandidates, type ModelPrice, type PriceTable } from '../../src/telemetry/pricing'
import type { TokenCounts } from '../../src/telemetry/request-record'

const pricing = createPricing(EMBEDDED_PRICES)
const price = (provider: string, model: string): ModelPrice => EMBEDDED_PRICES.models[provider]![model]!

function tokens(counts: Partial<TokenCounts>): TokenCounts {
  return { input: null, output: null, total: null, cached_input: null, cache_write_input: null, reasoning: null, ...counts }
}

describe('modelNameCandidates', () => {
  const cases: Array<[string, string[]]> = [
    ['gpt-4o', ['gpt-4o']],
    ['gpt-4o-2024-08-06', ['gpt-4o-2024-08-06', 'gpt-4o']],
    ['GPT-4o-Mini-2024-07-18', ['gpt-4o-mini-2024-07-18', 'gpt-4o-mini']],
    ['gpt-4.1-mini-2025-04-14', ['gpt-4.1-mini-2025-04-14', 'gpt-4.1-mini']],
    ['o1-2024-12-17', ['o1-2024-12-17', 'o1']],
    ['chatgpt-4o-latest', ['chatgpt-4o-latest', 'chatgpt-4o']],
    ['claude-3-5-sonnet-20241022', ['claude-3-5-sonnet-20241022', 'claude-3-5-sonnet']],
    ['claude-sonnet-4-5-20250929', ['claude-sonnet-4-5-20250929', 'claude-sonnet-4-5']],
    ['claude-3-5-sonnet-latest', ['claude-3-5-sonnet-latest', 'claude-3-5-sonnet']],
    ['us.anthropic.claude-3-5-sonnet-20241022-v2:0', ['us.anthropic.claude-3-5-sonnet-20241022-v2:0', 'claude-3-5-sonnet']],
    ['anthropic.claude-3-haiku-20240307-v1:0', ['anthropic.claude-3-haiku-20240307-v1:0', 'claude-3-haiku']],
    ['global.anthropic.claude-sonnet-4-5-20250929-v1:0', ['global.anthropic.claude-sonnet-4-5-20250929-v1:0', 'claude-sonnet-4-5']],
    ['openai/gpt-4o', ['openai/gpt-4o', 'gpt-4o']],
    ['openai/gpt-4o-2024-08-06', ['openai/gpt-4o-2024-08-06', 'openai/gpt-4o', 'gpt-4o']],
    ['anthropic/claude-sonnet-4', ['anthropic/claude-sonnet-4', 'claude-sonnet-4']],
    ['llama-3.3-70b-versatile', ['llama-3.3-70b-versatile']],
  ]
  for (const [model, expected] of cases) {
    test(`${model} → ${expected.join(', ')}`, () => {
      expect(modelNameCandidates(model)).toEqual(expected)
    })
  }
})

describe('pricing.find', () => {
  const cases: Array<{ provider: string; model: string | null; expected: { model: string; owner: string } | null; why: string }> = [
    { provider: 'openai', model: 'gpt-4o-2024-08-06', expected: { model: 'gpt-4o', owner: 'openai' }, why: 'dated OpenAI id' },
    { provider: 'openai', model: 'gpt-4o-mini-2024-07-18', expected: { model: 'gpt-4o-mini', owner: 'openai' }, why: 'the longest name, not gpt-4o' },
    { provider: 'anthropic', model: 'claude-3-5-sonnet-20241022', expected: { model: 'claude-3-5-sonnet', owner: 'anthropic' }, why: '8-digit date' },
    { provider: 'anthropic', model: 'claude-3-5-haiku-latest', expected: { model: 'claude-3-5-haiku', owner: 'anthropic' }, why: '-latest alias' },
    { provider: 'bedrock', model: 'us.anthropic.claude-3-5-sonnet-20241022-v2:0', expected: { model: 'claude-3-5-sonnet', owner: 'anthropic' }, why: 'Bedrock resells Anthropic' },
    { provider: 'azure', model: 'gpt-4o-mini', expected: { model: 'gpt-4o-mini', owner: 'openai' }, why: 'Azure resells OpenAI' },
    { provider: 'openrouter', model: 'openai/gpt-4o', expected: { model: 'gpt-4o', owner: 'openai' }, why: 'router prefix' },
    { provider: 'openrouter', model: 'anthropic/claude-sonnet-4', expected: { model: 'claude-sonnet-4', owner: 'anthropic' }, why: 'router prefix, other owner' },
    { provider: 'groq', model: 'openai/gpt-oss-120b', expected: { model: 'openai/gpt-oss-120b', owner: 'groq' }, why: "the provider's own entry, slash included" },
    { provider: 'groq', model: 'llama-3.3-70b-versatile', expected: { model: 'llama-3.3-70b-versatile', owner: 'groq' }, why: 'exact name' },
    { provider: 'groq', model: 'gpt-4o', expected: null, why: 'groq does not resell OpenAI' },
    { provider: 'together', model: 'claude-3-5-sonnet-20241022', expected: null, why: 'not a reseller' },
    { provider: 'openai', model: 'ft:gpt-4o-mini:acme::abc123', expected: null, why: 'unknown name' },
    { provider: 'openai', model: null, expected: null, why: 'no model' },
    { provider: 'nobody', model: 'gpt-4o', expected: null, why: 'unknown provider' },
  ]
  for (const { provider, model, expected, why } of cases) {
    test(`${provider} ${model}: ${why}`, () => {
      const match = pricing.find(provider, model)
      if (expected === null) return expect(match).toBeNull()
      expect(match).toEqual({ model: expected.model, price: price(expected.owner, expected.model) })
    })
  }

  test("a provider's own entry wins over the same model priced elsewhere", () => {
    const table: PriceTable = {
      priced_like_any: ['azure'],
      models: { openai: { 'gpt-4o': { input: 2.5, output: 10 } }, azure: { 'gpt-4o': { input: 2.75, output: 11 } } },
    }
    expect(createPricing(table).find('azure', 'gpt-4o-2024-08-06')).toEqual({ model: 'gpt-4o', price: { input: 2.75, output: 11 } })
  })

  test('a reseller takes the most specific name any provider prices', () => {
    const table: PriceTable = {
      priced_like_any: ['router'],
      models: { a: { m: { input: 1, output: 1 } }, b: { 'm-pro': { input: 5, output: 5 } } },
    }
    expect(createPricing(table).find('router', 'vendor/m-pro')).toEqual({ model: 'm-pro', price: { input: 5, output: 5 } })
    expect(createPricing(table).find('router', 'vendor/m')).toEqual({ model: 'm', price: { input: 1, output: 1 } })
  })

  test('remembered answers are per provider, and stay right once the memory has been emptied', () => {
    const table: PriceTable = { models: { a: { m: { input: 1, output: 1 } }, b: { m: { input: 2, output: 2 } } } }
    const remembering = createPricing(table)
    for (let round = 0; round < 2; round++) {
      expect(remembering.find('a', 'm')?.price.input).toBe(1)
      expect(remembering.find('b', 'm')?.price.input).toBe(2)
      expect(remembering.find('c', 'm')).toBeNull()
    }
    // Client-chosen names past the bound empty the memory; answers do not change.
    let priced = 0
    for (let i = 0; i < 10_050; i++) if (remembering.find('a', `unknown-${i}`) !== null) priced++
    expect(priced).toBe(0)
    expect(remembering.find('b', 'm')?.price.input).toBe(2)
    expect(remembering.find('a', 'm')?.price.input).toBe(1)
  })
})

describe('pricing.cost', () => {
  const cases: Array<{ name: string; tokens: TokenCounts | null; price: ModelPrice; usd: number | null }> = [
    {
      // 176 uncached × 2.5 + 1024 cached × 1.25 + 300 out × 10 = 440 + 1280 + 3000 = 4720 per million
      name: 'OpenAI: cached input is part of input and priced at the cached rate',
      tokens: tokens({ input: 1200, output: 300, cached_input: 1024 }),
      price: price('openai', 'gpt-4o'),
      usd: 0.00472,
    },
    {
      // 472 × 3 + 2000 × 0.3 + 100 × 3.75 + 89 × 15 = 1416 + 600 + 375 + 1335 = 3726 per million
      name: 'Anthropic: cache reads and writes each at their own rate',
      tokens: tokens({ input: 2572, output: 89, cached_input: 2000, cache_write_input: 100 }),
      price: price('anthropic', 'claude-sonnet-4-5'),
      usd: 0.003726,
    },
    {
      // No cached rate: 1000 × 10 + 100 × 30 = 13000 per million
      name: 'a model without a cached rate charges cached tokens as input',
      tokens: tokens({ input: 1000, output: 100, cached_input: 500 }),
      price: price('openai', 'gpt-4-turbo'),
      usd: 0.013,
    },
    {
      // No cache-write rate: 110 × 2 + 10 × 4 = 260 per million
      name: 'a model without a cache-write rate charges writes as input',
      tokens: tokens({ input: 110, output: 10, cache_write_input: 10 }),
      price: { input: 2, output: 4 },
      usd: 0.00026,
    },
    {
      // 100 × 2.5 + 10 × 10 = 350 per million
      name: 'unknown cache counts mean none',
      tokens: tokens({ input: 100, output: 10 }),
      price: price('openai', 'gpt-4o'),
      usd: 0.00035,
    },
    { name: 'zero tokens cost zero', tokens: tokens({ input: 0, output: 0, total: 0 }), price: price('openai', 'gpt-4o'), usd: 0 },
    { name: 'unknown input → null', tokens: tokens({ output: 10 }), price: price('openai', 'gpt-4o'), usd: null },
    { name: 'unknown output → null', tokens: tokens({ input: 10 }), price: price('openai', 'gpt-4o'), usd: null },
    // An embedding reports no output: 1M × 0.02 per million
    { name: 'unknown output of a model whose output is free (embeddings) costs the input', tokens: tokens({ input: 1_000_000, total: 1_000_000 }), price: price('openai', 'text-embedding-3-small'), usd: 0.02 },
    { name: 'no usage at all → null', tokens: null, price: price('openai', 'gpt-4o'), usd: null },
  ]
  for (const { name, tokens: counts, price: p, usd } of cases) {
    test(name, () => {
      const cost = pricing.cost(counts, p)
      if (usd === null) return expect(cost).toBeNull()
      expect(cost).toBeCloseTo(usd, 12)
    })
  }
})

describe('mergePriceTables', () => {
  const base: PriceTable = {
    priced_like_any: ['azure'],
    models: {
      openai: { 'gpt-4o': { input: 2.5, output: 10 }, 'gpt-4o-mini': { input: 0.15, output: 0.6 } },
      anthropic: { 'claude-sonnet-4': { input: 3, output: 15 } },
    },
  }

  test('override entries replace or add models per provider; the rest of the table stays', () => {
    const merged = mergePriceTables(base, {
      models: { openai: { 'gpt-4o': { input: 2, output: 8 }, 'my-model': { input: 1, output: 1 } }, local: { llama: { input: 0, output: 0 } } },
    })
    expect(merged).toEqual({
      priced_like_any: ['azure'],
      models: {
        openai: { 'gpt-4o': { input: 2, output: 8 }, 'gpt-4o-mini': { input: 0.15, output: 0.6 }, 'my-model': { input: 1, output: 1 } },
        anthropic: { 'claude-sonnet-4': { input: 3, output: 15 } },
        local: { llama: { input: 0, output: 0 } },
      },
    })
    expect(base.models.openai!['gpt-4o']).toEqual({ input: 2.5, output: 10 }) // the base is not changed
    expect(createPricing(merged).find('openai', 'gpt-4o-2024-08-06')?.price).toEqual({ input: 2, output: 8 })
  })

  test('an override may replace the reseller list', () => {
    expect(mergePriceTables(base, { priced_like_any: ['bedrock'], models: {} }).priced_like_any).toEqual(['bedrock'])
  })

  test('no override file: the embedded table as it is', () => {
    expect(mergePriceTables(base, undefined)).toBe(base)
  })
})

test('model names that are Object.prototype members find no price', () => {
  const pricing = createPricing(EMBEDDED_PRICES)
  for (const model of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
    expect(pricing.find('openai', model)).toBeNull()
    expect(pricing.find('bedrock', model)).toBeNull()
  }
})

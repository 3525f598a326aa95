import { describe, expect, test } from 'bun:test'
import { parseGatewayConfig, type RoutingTable } from '../../src/routing/gateway-config'
import { planRoute } from '../../src/routing/route-plan'
import { seededRandom } from '../support/chunking'

function table(models: unknown): RoutingTable {
  const parsed = parseGatewayConfig(JSON.stringify({ models }), 'g.json', {}, new Set(['openai', 'groq']))
  if (!parsed.ok) throw new Error(parsed.errors.join('\n'))
  return parsed.table
}

const lb = table({
  lb: { strategy: 'loadbalance', targets: [{ provider: 'openai', model: 'a', weight: 3 }, { provider: 'openai', model: 'b', weight: 1 }, { provider: 'groq', model: 'c', weight: 6 }] },
  fb: { strategy: 'fallback', targets: [{ provider: 'groq', model: 'x' }, { provider: 'openai', model: 'y' }] },
})

describe('planRoute', () => {
  test('a model that is no alias has no plan', () => {
    expect(planRoute(lb, 'gpt-4o-mini', Math.random)).toBeNull()
    expect(planRoute(lb, undefined, Math.random)).toBeNull()
  })

  test('fallback keeps the order of the file', () => {
    expect(planRoute(lb, 'fb', Math.random)!.targets.map((t) => t.model)).toEqual(['x', 'y'])
  })

  test('loadbalance picks by weight (10,000 seeded picks within 2 points of 30/10/60 %) and keeps the rest as fallbacks', () => {
    const random = seededRandom(42)
    const counts: Record<string, number> = { a: 0, b: 0, c: 0 }
    for (let i = 0; i < 10_000; i++) {
      const plan = planRoute(lb, 'lb', random)!
      expect(plan.targets).toHaveLength(3)
      expect(new Set(plan.targets.map((t) => t.model)).size).toBe(3)
      counts[plan.targets[0]!.model]!++
    }
    expect(Math.abs(counts.a! / 10_000 - 0.3)).toBeLessThan(0.02)
    expect(Math.abs(counts.b! / 10_000 - 0.1)).toBeLessThan(0.02)
    expect(Math.abs(counts.c! / 10_000 - 0.6)).toBeLessThan(0.02)
  })

  test('the edges of the random range land on the first and last target', () => {
    expect(planRoute(lb, 'lb', () => 0)!.targets[0]!.model).toBe('a')
    expect(planRoute(lb, 'lb', () => 0.9999999)!.targets[0]!.model).toBe('c')
  })
})

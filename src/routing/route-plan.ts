import type { ModelAlias, RouteTarget, RoutingTable } from './gateway-config'

/** The ordered targets one aliased request will try, with the alias's retry policy. */
export interface RoutePlan {
  alias: ModelAlias
  targets: RouteTarget[]
}

/**
 * Turns the request's `model` into a plan, or null when it names no alias (the fast path:
 * one map lookup). `fallback` keeps the file's order; `loadbalance` puts a target drawn by
 * weight first and keeps the others, heaviest first, as fallbacks.
 */
export function planRoute(table: RoutingTable, model: unknown, random: () => number): RoutePlan | null {
  if (table.aliases.size === 0 || typeof model !== 'string') return null
  const alias = table.aliases.get(model)
  if (alias === undefined) return null
  if (alias.strategy === 'fallback' || alias.targets.length === 1) return { alias, targets: alias.targets }
  const picked = pickByWeight(alias.targets, random)
  const rest = alias.targets.filter((t) => t !== picked).sort((a, b) => b.weight - a.weight)
  return { alias, targets: [picked, ...rest] }
}

export function pickByWeight<T extends { weight: number }>(targets: readonly T[], random: () => number): T {
  const total = targets.reduce((sum, t) => sum + t.weight, 0)
  let point = random() * total
  for (const target of targets) {
    point -= target.weight
    if (point < 0) return target
  }
  return targets[targets.length - 1]!
}


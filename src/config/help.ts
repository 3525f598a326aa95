import type { TSchema } from '@sinclair/typebox'
import { ConfigSchema } from './schema'

/** The settings table printed by `--help`, straight from the schema so it cannot drift. */
export function settingsHelp(): string {
  const rows = Object.entries(ConfigSchema.properties as Record<string, TSchema>).map(
    ([key, schema]) => `  ${key.padEnd(26)} ${String(schema.default).padEnd(34)} ${schema.description ?? ''}`,
  )
  return [`  ${'SETTING'.padEnd(26)} ${'DEFAULT'.padEnd(34)} DESCRIPTION`, ...rows].join('\n')
}

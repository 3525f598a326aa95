import type { TSchema } from '@sinclair/typebox'
import { ConfigSchema } from './schema'

/** The README's settings table, rendered from the schema so the two cannot drift apart. */
export function settingsMarkdownTable(): string {
  const rows = Object.entries(ConfigSchema.properties as Record<string, TSchema>).map(([key, schema]) => {
    const fallback = schema.default === '' ? '(empty)' : `\`${String(schema.default)}\``
    return `| \`${key}\` | ${fallback} | ${(schema.description ?? '').replaceAll('|', '\\|')} |`
  })
  return ['| setting | default | meaning |', '|---|---|---|', ...rows].join('\n')
}

export const SETTINGS_START = '<!-- settings:start -->'
export const SETTINGS_END = '<!-- settings:end -->'

/** README text with the table between the markers replaced by the current one. */
export function withSettingsTable(readme: string): string {
  const start = readme.indexOf(SETTINGS_START)
  const end = readme.indexOf(SETTINGS_END)
  if (start === -1 || end < start) throw new Error('README has no settings markers')
  return `${readme.slice(0, start + SETTINGS_START.length)}\n${settingsMarkdownTable()}\n${readme.slice(end)}`
}

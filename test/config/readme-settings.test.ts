import { expect, test } from 'bun:test'
import { withSettingsTable } from '../../src/config/settings-table'

test('the README lists every setting with its current default (bun scripts/update-readme-settings.ts)', async () => {
  const readme = await Bun.file(new URL('../../README.md', import.meta.url).pathname).text()
  expect(readme).toBe(withSettingsTable(readme))
})

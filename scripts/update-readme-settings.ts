// Rewrites the settings table in README.md from the config schema: `bun scripts/update-readme-settings.ts`.
import { withSettingsTable } from '../src/config/settings-table'

const path = new URL('../README.md', import.meta.url).pathname
await Bun.write(path, withSettingsTable(await Bun.file(path).text()))

/**
 * Imported first by main.ts, for this side effect only: a process about to serve that lacks
 * BUN_CONFIG_MAX_HTTP_REQUESTS replaces itself now, before the rest of the program's modules
 * are evaluated (about 30 ms in the compiled binary that would otherwise run twice).
 * ES modules are evaluated in import order, so nothing imported after this has run yet.
 * Never import it from anywhere else: in a test runner it would re-exec the runner.
 */
import { ensureRuntimeEnvironment } from '../runtime-environment'
import { parseCommand } from './parse-command'

const invocation = parseCommand(process.argv.slice(2))
if (invocation.ok && invocation.command === 'serve') ensureRuntimeEnvironment()

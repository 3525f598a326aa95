/**
 * Bun's fetch allows 256 simultaneous requests per process unless BUN_CONFIG_MAX_HTTP_REQUESTS
 * is set, and reads it only at process start: assigning process.env later has no effect.
 * A gateway holding hundreds of open streams would queue the rest, so when the variable is
 * missing the process replaces itself (same PID, same arguments) with it set.
 */
const MAX_HTTP_REQUESTS = '16384'

export function ensureRuntimeEnvironment(): void {
  if (process.env.BUN_CONFIG_MAX_HTTP_REQUESTS) return
  const env = { ...process.env, BUN_CONFIG_MAX_HTTP_REQUESTS: MAX_HTTP_REQUESTS }
  // A compiled binary's argv[1] is its embedded entry point; from source it is the script.
  const compiled = Bun.main.startsWith('/$bunfs/')
  const args = compiled ? process.argv.slice(2) : process.argv.slice(1)
  process.execve!(process.execPath, [process.execPath, ...args], env)
}

import { selfCommand } from './cli/self-command'

/**
 * Bun's fetch allows 256 simultaneous requests per process unless BUN_CONFIG_MAX_HTTP_REQUESTS
 * is set, and reads it only at process start: assigning process.env later has no effect.
 * A gateway holding hundreds of open streams would queue the rest, so when the variable is
 * missing the process replaces itself (same PID, same arguments) with it set.
 */
const MAX_HTTP_REQUESTS = '16384'

export function ensureRuntimeEnvironment(): void {
  if (process.env.BUN_CONFIG_MAX_HTTP_REQUESTS) return
  // execve keeps the PID, so this holds as PID 1 in a container and as systemd's main process.
  const [file, ...args] = selfCommand()
  process.execve!(file!, [file!, ...args], runtimeEnvironment(process.env))
}

/** The environment a serving process needs: the caller's, plus Bun's fetch limit raised. */
export function runtimeEnvironment(env: Record<string, string | undefined>): Record<string, string | undefined> {
  return env.BUN_CONFIG_MAX_HTTP_REQUESTS ? env : { ...env, BUN_CONFIG_MAX_HTTP_REQUESTS: MAX_HTTP_REQUESTS }
}

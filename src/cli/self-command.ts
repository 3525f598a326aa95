/**
 * The command line that starts this same program again with the same arguments: used to
 * re-exec with a changed environment and to start worker processes.
 *
 * A compiled binary reports its embedded entry point (`/$bunfs/root/...`) as argv[1], and
 * starting it again must not pass that path back as an argument. From source, argv[1] is
 * the script and runtime flags such as `--smol` live in `execArgv`.
 */
export function selfCommand(runtime: SelfRuntime = currentRuntime()): string[] {
  if (runtime.main.startsWith(COMPILED_ENTRY_PREFIX)) return [runtime.execPath, ...runtime.argv.slice(2)]
  return [runtime.execPath, ...runtime.execArgv, ...runtime.argv.slice(1)]
}

export interface SelfRuntime {
  main: string
  execPath: string
  argv: readonly string[]
  execArgv: readonly string[]
}

const COMPILED_ENTRY_PREFIX = '/$bunfs/'

function currentRuntime(): SelfRuntime {
  return { main: Bun.main, execPath: process.execPath, argv: process.argv, execArgv: process.execArgv }
}

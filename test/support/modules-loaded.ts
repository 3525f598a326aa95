/**
 * Runs `script` (an ES module body, top-level await allowed) in a fresh Bun process and answers
 * how many loaded module files have `pathPart` in their path. A fresh process, because the test
 * process has loaded most modules through other tests.
 */
export function modulesLoaded(script: string, pathPart: string): number {
  const body = `${script}\nconsole.log(Object.keys(require.cache).filter((path) => path.includes(${JSON.stringify(pathPart)})).length)`
  const result = Bun.spawnSync({ cmd: [process.execPath, '-e', body], stdout: 'pipe', stderr: 'pipe' })
  if (result.exitCode !== 0) throw new Error(result.stderr.toString())
  return Number(result.stdout.toString().trim().split('\n').at(-1))
}

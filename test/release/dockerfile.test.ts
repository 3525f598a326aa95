import { describe, expect, test } from 'bun:test'
import { readdirSync, readFileSync } from 'node:fs'
import { builtinModules } from 'node:module'
import { join } from 'node:path'
import packageJson from '../../package.json' with { type: 'json' }
import { argsOf, parseDockerfile, stageNamed } from '../support/dockerfile'
import { repositoryRoot } from '../support/release-build'

/**
 * No Docker engine runs here: these check what the image is made of. That the build stage's
 * COPY lines and RUN command produce a working binary is shown by test/release/binary.test.ts,
 * which builds exactly that way and runs the result.
 */
const stages = parseDockerfile(readFileSync(join(repositoryRoot, 'Dockerfile'), 'utf8'))
const runtime = stages.at(-1)!
const build = stageNamed(stages, 'build')
const dependencies = stageNamed(stages, 'dependencies')

describe('Dockerfile', () => {
  test('installs dependencies from the lock file with npm ci, without dev dependencies', () => {
    expect(argsOf(dependencies, 'COPY')).toEqual(['package.json package-lock.json ./'])
    expect(argsOf(dependencies, 'RUN')).toEqual([expect.stringMatching(/^npm ci --omit=dev\b/)])
  })

  test('builds with the official Bun image of the version package.json pins', () => {
    expect(build.from).toBe(`oven/bun:${packageJson.devDependencies.bun}`)
  })

  test('the runtime is distroless base-nossl, non-root, holding only the executable', () => {
    expect(runtime.from).toBe('gcr.io/distroless/base-nossl-debian12:nonroot')
    expect(argsOf(runtime, 'USER')).toEqual(['65532:65532'])
    const workdir = argsOf(build, 'WORKDIR')[0]
    const outfile = /--outfile\s+(\S+)/.exec(argsOf(build, 'RUN').at(-1)!)![1]
    expect(argsOf(runtime, 'COPY')).toEqual([`--from=build ${workdir}/${outfile} /ai-gateway`])
  })

  test('listens on every interface inside the container only, on port 3000', () => {
    expect(argsOf(runtime, 'ENV')).toEqual(['HOST=0.0.0.0'])
    expect(argsOf(runtime, 'EXPOSE')).toEqual(['3000'])
    expect(argsOf(build, 'ENV').some((env) => env.startsWith('HOST='))).toBe(false)
  })

  test('the health check and entry point are the binary itself, in exec form (there is no shell)', () => {
    expect(argsOf(runtime, 'HEALTHCHECK')).toEqual([expect.stringMatching(/ CMD \["\/ai-gateway", "healthcheck"\]$/)])
    expect(argsOf(runtime, 'ENTRYPOINT')).toEqual(['["/ai-gateway"]'])
    expect(argsOf(runtime, 'CMD')).toEqual([])
  })

  test('.dockerignore lets in every path the build stage copies, and keeps .env and .git out', () => {
    const ignore = readFileSync(join(repositoryRoot, '.dockerignore'), 'utf8')
    const allowed = ignore.split('\n').filter((line) => line.startsWith('!')).map((line) => line.slice(1).replace(/\/$/, ''))
    expect(ignore.split('\n')).toContain('*')
    const copied = [...stages.flatMap((stage) => argsOf(stage, 'COPY'))]
      .filter((args) => !args.startsWith('--from='))
      .flatMap((args) => args.split(/\s+/).slice(0, -1))
    for (const path of copied) expect(allowed, path).toContain(path)
    expect(allowed.some((path) => path.startsWith('.env') || path.startsWith('.git'))).toBe(false)
  })

  test('src/ imports no dev dependency: the image installs with --omit=dev', () => {
    const runtimePackages = new Set(Object.keys(packageJson.dependencies))
    const transpiler = new Bun.Transpiler({ loader: 'ts' })
    const missing: string[] = []
    for (const file of readdirSync(join(repositoryRoot, 'src'), { recursive: true, encoding: 'utf8' })) {
      if (!file.endsWith('.ts')) continue
      for (const { path } of transpiler.scanImports(readFileSync(join(repositoryRoot, 'src', file), 'utf8'))) {
        if (path.startsWith('.') || path === 'bun' || path.startsWith('bun:') || path.startsWith('node:') || builtinModules.includes(path)) continue
        const name = path.startsWith('@') ? path.split('/').slice(0, 2).join('/') : path.split('/')[0]!
        if (!runtimePackages.has(name)) missing.push(`${file}: ${path}`)
      }
    }
    expect(missing).toEqual([])
  })
})

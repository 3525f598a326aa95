import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'bun:test'
import { chmodSync, copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import OpenAI from 'openai'
import packageJson from '../../package.json' with { type: 'json' }
import { ConfigSchema } from '../../src/config/schema'
import { childPids, environmentOf, freePort, isAlive, startBinary, type BinaryProcess, type StartOptions } from '../support/binary-process'
import { describeWithElasticsearch, exporterSettings, uniqueIndexName, waitFor } from '../support/elasticsearch'
import { DEFAULT_BEDROCK_SCENARIO, startMockBedrock } from '../support/mock-bedrock'
import { chunkTexts, completion, startMockOpenAI } from '../support/mock-openai'
import { countCompletedStreams } from '../support/raw-streams'
import { releaseBinary } from '../support/release-build'

/**
 * The compiled executable, built by the Dockerfile's own build command, run the ways users
 * run it: from a folder that holds only it and its .env, with nothing in the environment,
 * as an unprivileged user who cannot write there (distroless runs it as uid 65532, systemd
 * as a dynamic user), as PID 1, and with several workers.
 */

// Root in CI: run the gateway as `nobody`, for whom the folder is read-only (root could write).
const asUnprivileged: Pick<StartOptions, 'uid' | 'gid'> = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {}
const messages = [{ role: 'user' as const, content: 'Say hello' }]

const mock = startMockOpenAI()
const AWS_KEY = { id: 'AKIDBINARYTEST', secret: 'binary/test/secret/EXAMPLEKEY' }
const bedrock = startMockBedrock({ [AWS_KEY.id]: AWS_KEY.secret })
let folder: string
let binary: string
/** The commit the build was given. */
let commit: string
/** The port the .env names. */
let port: number
/** Serves from `folder` with an empty environment for the whole file. */
let gateway: BinaryProcess

beforeAll(async () => {
  const built = await releaseBinary()
  commit = built.commit
  folder = mkdtempSync(join(tmpdir(), 'ai-gateway-release-'))
  binary = join(folder, 'ai-gateway')
  copyFileSync(built.path, binary)
  port = freePort()
  const settings = [
    '# settings of this gateway',
    `PORT=${port}`,
    `OPENAI_BASE_URL="${mock.url}"`,
    'SHUTDOWN_TIMEOUT_MS=10000',
    `BEDROCK_BASE_URL="${bedrock.url}"`,
    `AWS_ACCESS_KEY_ID=${AWS_KEY.id}`,
    `AWS_SECRET_ACCESS_KEY=${AWS_KEY.secret}`,
    'AWS_REGION=eu-west-1',
  ]
  writeFileSync(join(folder, '.env'), `${settings.join('\n')}\n`)
  chmodSync(join(folder, '.env'), 0o444)
  chmodSync(binary, 0o555)
  chmodSync(folder, 0o555)
  gateway = startBinary([binary], { cwd: folder, ...asUnprivileged })
  await gateway.waitForLog((line) => line.msg === 'listening')
}, 60_000)

afterAll(() => {
  gateway?.process.kill('SIGKILL')
  mock.stop()
  bedrock.stop()
  if (folder) {
    chmodSync(folder, 0o755)
    rmSync(folder, { recursive: true, force: true })
  }
})

beforeEach(() => mock.reset())

const client = (url: string) => new OpenAI({ baseURL: `${url}/v1`, apiKey: 'sk-test-client-key', maxRetries: 0 })
const gatewayUrl = () => `http://127.0.0.1:${port}`

/** Reads an SDK stream in the background; `started` resolves at the first content chunk. */
function consume(stream: AsyncIterable<OpenAI.Chat.Completions.ChatCompletionChunk>) {
  const parts: string[] = []
  let markStarted!: () => void
  const started = new Promise<void>((resolve) => (markStarted = resolve))
  // Settles either way, so a stream cut on purpose is not an unhandled rejection.
  const outcome: Promise<'ended' | 'failed'> = (async () => {
    for await (const chunk of stream) {
      const text = chunk.choices[0]?.delta.content
      if (text) parts.push(text)
      if (text) markStarted()
    }
    return 'ended' as const
  })().catch(() => 'failed' as const)
  return { parts, started, outcome }
}

function run(args: string[], env: Record<string, string> = {}) {
  const result = Bun.spawnSync({ cmd: [binary, ...args], cwd: folder, env, stdout: 'pipe', stderr: 'pipe', ...asUnprivileged })
  return { code: result.exitCode, stdout: result.stdout.toString(), stderr: result.stderr.toString() }
}

describe('the release binary, built by the Dockerfile build command', () => {
  test('--version prints the package version and the commit it was built from', () => {
    const { code, stdout } = run(['--version'])
    expect(code).toBe(0)
    expect(commit).toMatch(/^[0-9a-f]{12}(-dirty)?$/)
    expect(stdout).toBe(`ai-gateway ${packageJson.version} (${commit})\n`)
  })

  test('--help lists every setting with its default', () => {
    const { code, stdout } = run(['--help'])
    expect(code).toBe(0)
    const lines = stdout.split('\n')
    for (const [key, schema] of Object.entries(ConfigSchema.properties)) {
      const line = lines.find((candidate) => candidate.trimStart().startsWith(`${key} `))
      expect(line, key).toBeDefined()
      expect(line!).toContain(` ${String((schema as { default: unknown }).default)} `)
    }
  })

  test('an unknown argument is refused with exit code 2, before any server starts', () => {
    const { code, stderr } = run(['--prot=8080'])
    expect(code).toBe(2)
    expect(stderr).toStartWith('ai-gateway: unknown argument "--prot=8080"')
  })
})

describe('run from a read-only folder holding only its .env, with an empty environment, as an unprivileged user', () => {
  test('the folder is indeed read-only for that user', () => {
    const probe = Bun.spawnSync({ cmd: ['/bin/sh', '-c', 'echo x > probe'], cwd: folder, stderr: 'pipe', ...asUnprivileged })
    expect(probe.exitCode).not.toBe(0)
  })

  test("re-executed itself in place: same PID and command line, Bun's fetch limit raised", () => {
    expect(readFileSync(`/proc/${gateway.pid}/cmdline`, 'utf8').split('\0')).toEqual([binary, ''])
    const env = environmentOf(gateway.pid)
    expect(env.BUN_CONFIG_MAX_HTTP_REQUESTS).toBe('16384')
    // Loaded from .env by the binary itself: nothing was in the environment it was started with.
    expect(env.PORT).toBe(String(port))
  })

  test('answers a JSON completion through the provider the .env names', async () => {
    const data = await client(gatewayUrl()).chat.completions.create({ model: 'gpt-4o-mini', messages })
    expect(data).toEqual(completion(chunkTexts(5).join('')) as never)
    expect(mock.requests[0]!.headers.authorization).toBe('Bearer sk-test-client-key')
  })

  test('streams a completion chunk by chunk', async () => {
    mock.scenario.chunks = 7
    const stream = consume(await client(gatewayUrl()).chat.completions.create({ model: 'gpt-4o-mini', messages, stream: true }))
    expect(await stream.outcome).toBe('ended')
    expect(stream.parts).toEqual(chunkTexts(7))
  })

  test('streams a Bedrock completion: the translation and AWS libraries it loads on first use are in the binary', async () => {
    const bedrockClient = new OpenAI({ baseURL: `${gatewayUrl()}/v1`, apiKey: 'unused', defaultHeaders: { 'x-provider': 'bedrock' }, maxRetries: 0 })
    const stream = consume(await bedrockClient.chat.completions.create({ model: 'amazon.nova-lite-v1:0', messages, stream: true }))
    expect(await stream.outcome).toBe('ended')
    expect(stream.parts.join('')).toBe(DEFAULT_BEDROCK_SCENARIO.text.join(''))
    expect(bedrock.requests.map((request) => request.signedBy)).toEqual([{ accessKeyId: AWS_KEY.id, region: 'eu-west-1', service: 'bedrock' }])
  })

  test('serves /metrics in the Prometheus text format, counting the requests above', async () => {
    const response = await fetch(`${gatewayUrl()}/metrics`)
    expect(response.headers.get('content-type')).toStartWith('text/plain; version=0.0.4')
    const text = await response.text()
    expect(text).toContain('# TYPE ai_gateway_requests_total counter')
    expect(text).toMatch(/^ai_gateway_requests_total\{provider="bedrock",model="[^"]+",status="success",status_code="200"\} 1$/m)
  })

  test("holds 300 streams open at once: Bun's cap of 256 concurrent fetches is lifted", async () => {
    // The mock answers nobody until 300 requests wait at once: a capped gateway never gets there.
    mock.scenario.barrier = 300
    const completed = await countCompletedStreams({
      port,
      path: '/v1/chat/completions',
      body: JSON.stringify({ model: 'gpt-4o-mini', messages, stream: true }),
      count: 300,
      doneMarker: 'data: [DONE]',
      timeoutMs: 20_000,
    })
    // On failure the diff shows how many requests the upstream ever saw waiting together.
    expect({ completed, waitingAtUpstreamAtOnce: mock.peakConcurrency }).toEqual({ completed: 300, waitingAtUpstreamAtOnce: 300 })
  }, 30_000)

  test('maps writable and executable memory for its JIT: why the systemd unit has no MemoryDenyWriteExecute', () => {
    const maps = readFileSync(`/proc/${gateway.pid}/maps`, 'utf8').split('\n')
    expect(maps.some((mapping) => mapping.split(/\s+/)[1] === 'rwxp')).toBe(true)
  })

  test('healthcheck exits 0 for the gateway its .env describes', () => {
    const { code, stdout } = run(['healthcheck'])
    expect(code).toBe(0)
    expect(stdout).toBe(`healthy: ${gatewayUrl()}/health (version ${packageJson.version})\n`)
  })

  test('healthcheck exits 1 when nothing listens; a PORT in the environment wins over .env', () => {
    const closed = freePort()
    const { code, stderr } = run(['healthcheck'], { PORT: String(closed) })
    expect(code).toBe(1)
    expect(stderr).toStartWith(`unhealthy: http://127.0.0.1:${closed}/health`)
  })
})

describe('stopping', () => {
  async function startInstance(env: Record<string, string>): Promise<BinaryProcess> {
    const instance = startBinary([binary], { cwd: folder, env, ...asUnprivileged })
    await instance.waitForLog((line) => line.msg === 'listening')
    return instance
  }

  test('SIGTERM during a slow stream: stops accepting, finishes the stream, logs the drain, exits 0', async () => {
    const instancePort = freePort()
    const instance = await startInstance({ PORT: String(instancePort) })
    const url = `http://127.0.0.1:${instancePort}`
    mock.scenario.chunks = 8
    mock.scenario.chunkDelayMs = 150
    const stream = consume(await client(url).chat.completions.create({ model: 'gpt-4o-mini', messages, stream: true }))
    await stream.started

    instance.process.kill('SIGTERM')
    await instance.waitForLog((line) => line.msg === 'draining')
    expect(await fetch(`${url}/health`).then(() => 'answered', () => 'refused')).toBe('refused')
    expect(await stream.outcome).toBe('ended')
    expect(stream.parts).toEqual(chunkTexts(8))
    expect(await instance.exited).toBe(0)
    const sequence = instance.logs.map((line) => line.msg).filter((msg) => ['shutting down', 'draining', 'stopped'].includes(msg))
    expect(sequence).toEqual(['shutting down', 'draining', 'stopped'])
    expect(instance.logs.find((line) => line.msg === 'shutting down')!.signal).toBe('SIGTERM')
  }, 15_000)

  test('a second signal exits at once with 1, cutting the stream', async () => {
    const instancePort = freePort()
    const instance = await startInstance({ PORT: String(instancePort) })
    mock.scenario.chunks = 40
    mock.scenario.chunkDelayMs = 150
    const stream = consume(await client(`http://127.0.0.1:${instancePort}`).chat.completions.create({ model: 'gpt-4o-mini', messages, stream: true }))
    await stream.started

    instance.process.kill('SIGINT')
    await instance.waitForLog((line) => line.msg === 'draining')
    instance.process.kill('SIGINT')
    expect(await instance.exited).toBe(1)
    expect(await stream.outcome).toBe('failed')
    expect(stream.parts.length).toBeLessThan(40)
    await instance.waitForLog((line) => line.msg === 'second signal: exiting now')
  }, 15_000)

  const unshare = Bun.which('unshare')
  const canUnshare = unshare !== null && Bun.spawnSync({ cmd: [unshare, '--pid', '--fork', '--mount-proc', 'true'], stderr: 'pipe' }).exitCode === 0
  if (!canUnshare) console.warn('skipping the PID 1 test: `unshare --pid --fork --mount-proc` is not available or not permitted here')

  test.skipIf(!canUnshare)('as PID 1 of its own PID namespace (a container without init) it re-execs, drains on SIGTERM and exits 0', async () => {
    const instancePort = freePort()
    const namespace = startBinary([unshare!, '--pid', '--fork', '--mount-proc', binary], { cwd: folder, env: { PORT: String(instancePort) } })
    await namespace.waitForLog((line) => line.msg === 'listening')
    const [inner] = childPids(namespace.pid)
    const nsPids = /^NSpid:\s+(.*)$/m.exec(readFileSync(`/proc/${inner}/status`, 'utf8'))![1]!.split(/\s+/)
    expect(nsPids).toEqual([String(inner), '1'])
    expect(environmentOf(inner!).BUN_CONFIG_MAX_HTTP_REQUESTS).toBe('16384')

    mock.scenario.chunks = 6
    mock.scenario.chunkDelayMs = 100
    const stream = consume(await client(`http://127.0.0.1:${instancePort}`).chat.completions.create({ model: 'gpt-4o-mini', messages, stream: true }))
    await stream.started
    process.kill(inner!, 'SIGTERM')
    expect(await stream.outcome).toBe('ended')
    expect(stream.parts).toEqual(chunkTexts(6))
    // unshare exits with the status of its child, the gateway.
    expect(await namespace.exited).toBe(0)
    await namespace.waitForLog((line) => line.msg === 'stopped')
  }, 15_000)
})

describe('a routing file', () => {
  test('in YAML: its alias routes the request, so the YAML library loaded on first use is in the binary', async () => {
    const configFolder = mkdtempSync(join(tmpdir(), 'ai-gateway-routing-'))
    const config = join(configFolder, 'gateway.yaml')
    writeFileSync(config, 'models:\n  smart:\n    strategy: fallback\n    targets:\n      - provider: openai\n        model: gpt-4o-mini\n')
    chmodSync(configFolder, 0o755)
    chmodSync(config, 0o444)
    const instancePort = freePort()
    const instance = startBinary([binary], { cwd: folder, env: { PORT: String(instancePort), GATEWAY_CONFIG: config }, ...asUnprivileged })
    await instance.waitForLog((line) => line.msg === 'listening')
    try {
      await client(`http://127.0.0.1:${instancePort}`).chat.completions.create({ model: 'smart', messages })
      expect(JSON.parse(mock.requests[0]!.body).model).toBe('gpt-4o-mini')
    } finally {
      instance.process.kill('SIGKILL')
      rmSync(configFolder, { recursive: true, force: true })
    }
  }, 15_000)
})

describe('WORKERS=2', () => {
  test('a supervisor runs two workers on one port, restarts a killed one, and on SIGTERM waits for both to drain', async () => {
    const sharedPort = freePort()
    const supervisor = startBinary([binary], { cwd: folder, env: { PORT: String(sharedPort), WORKERS: '2' }, ...asUnprivileged })
    // Whatever fails, nothing is left running: the workers have sessions of their own.
    const seen = new Set<number>()
    try {
      const listening = await Promise.all([0, 1].map((index) => supervisor.waitForLog((line) => line.msg === 'listening' && line.worker === index)))
      const workerPids = listening.map((line) => line.pid as number)
      for (const pid of workerPids) seen.add(pid)
      expect(childPids(supervisor.pid).sort()).toEqual([...workerPids].sort())
      for (const pid of workerPids) {
        expect(readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')).toEqual([binary, ''])
        expect(environmentOf(pid).BUN_CONFIG_MAX_HTTP_REQUESTS).toBe('16384')
      }
      expect((await fetch(`http://127.0.0.1:${sharedPort}/health`)).status).toBe(200)
      // /metrics sums both workers through the supervisor (IPC, and prom-client's aggregation
      // loaded on first use): requests on fresh connections land on both, and every scrape counts them all.
      const chat = { method: 'POST', keepalive: false, headers: { 'content-type': 'application/json', connection: 'close' }, body: JSON.stringify({ model: 'gpt-4o-mini', messages }) }
      for (let i = 0; i < 20; i++) expect((await fetch(`http://127.0.0.1:${sharedPort}/v1/chat/completions`, chat)).status).toBe(200)
      for (let i = 0; i < 4; i++) {
        const metrics = await fetch(`http://127.0.0.1:${sharedPort}/metrics`, { keepalive: false, headers: { connection: 'close' } })
        expect(metrics.status).toBe(200)
        expect(await metrics.text()).toContain('ai_gateway_requests_total{provider="openai",model="gpt-4o-mini",status="success",status_code="200"} 20\n')
      }

      process.kill(workerPids[0]!, 'SIGKILL')
      await supervisor.waitForLog((line) => line.msg === 'worker exited: restarting' && line.pid === workerPids[0] && line.signal === 'SIGKILL')
      const replacement = await supervisor.waitForLog((line) => line.msg === 'listening' && line.worker === 0 && line.pid !== workerPids[0])
      seen.add(replacement.pid as number)
      expect(childPids(supervisor.pid).sort()).toEqual([replacement.pid as number, workerPids[1]!].sort())

      supervisor.process.kill('SIGTERM')
      expect(await supervisor.exited).toBe(0)
      expect(supervisor.logs.filter((line) => line.msg === 'worker stopped' && line.code === 0)).toHaveLength(2)
      expect([replacement.pid as number, workerPids[1]!].filter(isAlive)).toEqual([])
    } finally {
      for (const pid of [supervisor.pid, ...seen]) if (isAlive(pid)) process.kill(pid, 'SIGKILL')
    }
  }, 20_000)
})

// The binary imports the Elasticsearch client only when telemetry goes there: this shows the
// bundled module still loads, sets up the index and ships.
describeWithElasticsearch('with ENABLE_ELASTICSEARCH', (es) => {
  const index = uniqueIndexName('ai-gw-binary')
  afterAll(() => es.client.indices.delete({ index: `${index}*` }).catch(() => {}))

  test('installs the index template and ships one document per request', async () => {
    const shippingPort = freePort()
    const env = { PORT: String(shippingPort), ...exporterSettings(es, index), ELASTICSEARCH_FLUSH_INTERVAL_MS: '100' }
    const shipping = startBinary([binary], { cwd: folder, env, ...asUnprivileged })
    try {
      await shipping.waitForLog((line) => line.msg === 'elasticsearch index template installed')
      const answered = await client(`http://127.0.0.1:${shippingPort}`).chat.completions.create({ model: 'gpt-4o-mini', messages }).withResponse()
      const requestId = answered.response.headers.get('x-request-id')!
      const found = await waitFor(
        async () => {
          await es.client.indices.refresh({ index }).catch(() => {})
          return (await es.client.search<any>({ index, query: { ids: { values: [requestId] } } }).catch(() => null))?.hits.hits ?? []
        },
        (hits) => hits.length > 0,
      )
      expect(found).toHaveLength(1)
      expect(found[0]!._source.attributes.metadata.tokens.total).toBe(answered.data.usage!.total_tokens)
    } finally {
      shipping.process.kill('SIGTERM')
      expect(await shipping.exited).toBe(0)
    }
  }, 30_000)
})

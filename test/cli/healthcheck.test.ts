import { afterAll, describe, expect, test } from 'bun:test'
import { healthUrl, runHealthcheck } from '../../src/cli/healthcheck'
import { freePort } from '../support/binary-process'

describe('healthUrl', () => {
  test.each([
    ['127.0.0.1', 3000, 'http://127.0.0.1:3000/health'],
    ['0.0.0.0', 3000, 'http://127.0.0.1:3000/health'],
    ['::', 8080, 'http://[::1]:8080/health'],
    ['::1', 8080, 'http://[::1]:8080/health'],
    ['fd00::5', 80, 'http://[fd00::5]:80/health'],
    ['[::1]', 80, 'http://[::1]:80/health'],
    ['localhost', 3000, 'http://localhost:3000/health'],
  ])('%s:%i → %s', (host, port, url) => {
    expect(healthUrl(host, port)).toBe(url)
  })
})

describe('runHealthcheck against a real server', () => {
  let answer: () => Response | Promise<Response> = () => Response.json({ status: 'ok', version: '9.9.9' })
  const server = Bun.serve({ hostname: '127.0.0.1', port: 0, fetch: (request) => (new URL(request.url).pathname === '/health' ? answer() : new Response('no', { status: 404 })) })
  afterAll(() => void server.stop(true))

  async function check(port = server.port!, timeoutMs?: number) {
    const out: string[] = []
    const err: string[] = []
    const code = await runHealthcheck({ host: '0.0.0.0', port }, { timeoutMs, out: (l) => out.push(l), err: (l) => err.push(l) })
    return { code, out, err }
  }

  test('healthy: exit code 0 and one line naming the version', async () => {
    answer = () => Response.json({ status: 'ok', version: '9.9.9' })
    expect(await check()).toEqual({ code: 0, out: [`healthy: http://127.0.0.1:${server.port}/health (version 9.9.9)`], err: [] })
  })

  test.each([
    ['a 503', () => Response.json({ status: 'ok' }, { status: 503 }), 'answered 503'],
    ['a status other than ok', () => Response.json({ status: 'draining' }), 'answered 200'],
    ['a body that is not JSON', () => new Response('<html>'), 'answered 200'],
  ])('%s is unhealthy: exit code 1', async (_, response, reason) => {
    answer = response
    const result = await check()
    expect(result.code).toBe(1)
    expect(result.err).toEqual([`unhealthy: http://127.0.0.1:${server.port}/health ${reason}`])
  })

  test('no answer within the timeout is unhealthy', async () => {
    let release!: () => void
    const held = new Promise<void>((resolve) => (release = resolve))
    answer = async () => {
      await held
      return Response.json({ status: 'ok' })
    }
    const result = await check(server.port!, 100)
    release()
    expect(result.code).toBe(1)
    expect(result.err).toEqual([`unhealthy: http://127.0.0.1:${server.port}/health: no answer within 100 ms`])
  })

  test('nothing listening is unhealthy', async () => {
    const result = await check(freePort())
    expect(result.code).toBe(1)
    expect(result.err[0]).toStartWith('unhealthy: http://127.0.0.1:')
  })

  test('PORT=0 cannot be checked', async () => {
    const result = await check(0)
    expect(result.code).toBe(1)
    expect(result.err[0]).toContain('PORT=0')
  })
})

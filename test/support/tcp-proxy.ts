import type { Socket, TCPSocketListener } from 'bun'

/**
 * A loopback TCP relay in front of a real server, so a test can take the server away and
 * bring it back as the gateway sees it: `cut()` closes every connection and refuses new
 * ones (ECONNREFUSED), `restore()` listens again on the same port.
 */
export interface TcpProxy {
  url: string
  cut(): void
  restore(): void
  stop(): void
}

interface Pair {
  upstream?: Socket<Pair>
  client?: Socket<Pair>
  pending: Uint8Array[]
}

export function startTcpProxy(targetHost: string, targetPort: number): TcpProxy {
  const open = new Set<Socket<Pair>>()
  let port = 0
  let listener: TCPSocketListener<Pair> | undefined

  const listen = () => {
    listener = Bun.listen<Pair>({
      hostname: '127.0.0.1',
      port,
      socket: {
        open(client) {
          const pair: Pair = { client, pending: [] }
          client.data = pair
          open.add(client)
          void Bun.connect<Pair>({
            hostname: targetHost,
            port: targetPort,
            data: pair,
            socket: {
              open(upstream) {
                pair.upstream = upstream
                open.add(upstream)
                for (const chunk of pair.pending) upstream.write(chunk)
                pair.pending = []
              },
              data(_upstream, chunk) {
                pair.client?.write(chunk)
              },
              close(upstream) {
                open.delete(upstream)
                pair.client?.end()
              },
              error() {},
            },
          }).catch(() => client.end())
        },
        data(client, chunk) {
          const pair = client.data
          if (pair.upstream) pair.upstream.write(chunk)
          else pair.pending.push(new Uint8Array(chunk))
        },
        close(client) {
          open.delete(client)
          client.data?.upstream?.end()
        },
        error() {},
      },
    })
    port = listener.port
  }
  listen()

  const cut = () => {
    listener?.stop(true)
    listener = undefined
    for (const socket of open) socket.terminate()
    open.clear()
  }
  return {
    url: `http://127.0.0.1:${port}`,
    cut,
    restore() {
      if (listener === undefined) listen()
    },
    stop: cut,
  }
}

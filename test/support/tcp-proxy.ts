import { createConnection, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy a test puts between the service and a dependency (PostgreSQL, Redis), to take the
 * dependency away and bring it back without touching the real server:
 * - `cut()`: every connection dropped, new ones closed as soon as they are accepted (a server that
 *   went away). The listener stays bound, so no other process can take the port meanwhile and the
 *   service's configured address stays the same.
 * - `hang()`: connections stay open and new ones are accepted, but not a byte is forwarded either
 *   way (a server that stopped answering, a lost route): only the client's own timeouts end it.
 * - `restore()`: forwards again. Connections that hung are dropped, as a recovered server would
 *   have dropped them: the bytes they lost would leave their protocol out of step.
 * It counts what the service sends, to prove that a request made no round trip.
 */
export class TcpProxy {
  private readonly server: Server;
  /** Every socket on both sides, to drop them at once. */
  private readonly sockets = new Set<Socket>();
  /** The service's side only: its open connections. */
  private readonly clients = new Set<Socket>();
  private mode: 'forward' | 'cut' | 'hang' = 'forward';
  /** Bytes the service sent towards the target, and in how many writes (messages, near enough). */
  bytesUp = 0;
  writesUp = 0;

  private constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {
    this.server = createServer((client) => this.accept(client));
  }

  /** A proxy to targetHost:targetPort, listening on a free port of 127.0.0.1. */
  static async start(targetHost: string, targetPort: number): Promise<TcpProxy> {
    const proxy = new TcpProxy(targetHost, targetPort);
    await new Promise<void>((resolve, reject) => {
      proxy.server.once('error', reject);
      proxy.server.listen(0, '127.0.0.1', resolve);
    });
    return proxy;
  }

  get port(): number {
    const address = this.server.address();
    if (address === null || typeof address === 'string') {
      throw new Error('the proxy is not listening');
    }
    return address.port;
  }

  /** `127.0.0.1:<port>`, for the service's URL in place of the target's host and port. */
  get host(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** Connections from the service open now. */
  get openConnections(): number {
    return [...this.clients].filter((socket) => !socket.destroyed).length;
  }

  cut(): void {
    this.mode = 'cut';
    this.dropAll();
  }

  hang(): void {
    this.mode = 'hang';
  }

  restore(): void {
    if (this.mode === 'hang') {
      this.dropAll();
    }
    this.mode = 'forward';
  }

  async stop(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: Socket): void {
    if (this.mode === 'cut') {
      client.destroy();
      return;
    }
    const upstream = createConnection({ host: this.targetHost, port: this.targetPort });
    this.clients.add(client);
    client.on('close', () => this.clients.delete(client));
    for (const socket of [client, upstream]) {
      this.sockets.add(socket);
      socket.on('error', () => undefined);
      // Either side closing closes the pair, as a direct connection would end.
      socket.on('close', () => {
        this.sockets.delete(socket);
        client.destroy();
        upstream.destroy();
      });
    }
    client.on('data', (chunk: Buffer) => {
      // Counted whether forwarded or not: what the service tried to send is what a test asks about.
      this.bytesUp += chunk.length;
      this.writesUp += 1;
      if (this.mode === 'forward') {
        upstream.write(chunk);
      }
    });
    upstream.on('data', (chunk: Buffer) => {
      if (this.mode === 'forward') {
        client.write(chunk);
      }
    });
  }

  private dropAll(): void {
    for (const socket of this.sockets) {
      socket.destroy();
    }
    this.sockets.clear();
  }
}

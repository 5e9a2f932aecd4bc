import { createConnection, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy a test puts between the service and a dependency (PostgreSQL, Redis), to cut the
 * connection and restore it: `cut()` drops every connection and refuses new ones (a server that
 * went away), `hang()` keeps accepting but forwards nothing (a server that stopped answering),
 * `restore()` forwards again on the same port.
 */
export class TcpProxy {
  private server?: Server;
  private readonly sockets = new Set<Socket>();
  private mode: 'forward' | 'hang' = 'forward';
  port = 0;
  /** Bytes forwarded from clients to the target, and the number of writes: round trips made. */
  bytesUp = 0;
  writesUp = 0;

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  async start(): Promise<this> {
    await this.listen();
    return this;
  }

  /** Drops every connection and refuses new ones. */
  async cut(): Promise<void> {
    await this.close();
  }

  /** Accepts connections but never forwards a byte, on new and existing connections alike. */
  async hang(): Promise<void> {
    this.mode = 'hang';
    for (const socket of this.sockets) {
      socket.pause();
    }
    if (this.server === undefined) {
      await this.listen();
    }
  }

  /** Forwards again; connections made while hanging are dropped, as a recovered server would. */
  async restore(): Promise<void> {
    if (this.mode === 'hang') {
      this.destroyAll();
    }
    this.mode = 'forward';
    if (this.server === undefined) {
      await this.listen();
    }
  }

  async stop(): Promise<void> {
    await this.close();
  }

  private listen(): Promise<void> {
    const server = createServer((client) => this.accept(client));
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => {
        this.port = (server.address() as { port: number }).port;
        resolve();
      });
    });
  }

  private accept(client: Socket): void {
    this.sockets.add(client);
    client.on('close', () => this.sockets.delete(client));
    client.on('error', () => client.destroy());
    if (this.mode === 'hang') {
      client.pause();
      return;
    }
    const upstream = createConnection(this.targetPort, this.targetHost);
    this.sockets.add(upstream);
    upstream.on('close', () => {
      this.sockets.delete(upstream);
      client.destroy();
    });
    upstream.on('error', () => upstream.destroy());
    client.on('close', () => upstream.destroy());
    client.on('data', (chunk: Buffer) => {
      if (this.mode === 'forward') {
        this.bytesUp += chunk.length;
        this.writesUp += 1;
        upstream.write(chunk);
      }
    });
    upstream.on('data', (chunk) => {
      if (this.mode === 'forward') client.write(chunk);
    });
  }

  private destroyAll(): void {
    for (const socket of this.sockets) {
      socket.destroy();
    }
    this.sockets.clear();
  }

  private async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    this.destroyAll();
    if (server !== undefined) {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }
}

import { Injectable } from '@nestjs/common';

/**
 * Whether this process is shutting down: set by main.ts on SIGTERM/SIGINT, before the listener
 * closes, so that readiness answers 503 at once while requests are still served.
 */
@Injectable()
export class Draining {
  private reason: string | undefined;

  /** From now on readiness fails; `reason` says why ("SIGTERM"). Later calls keep the first. */
  begin(reason: string): void {
    this.reason ??= reason;
  }

  /** Why the process is draining, or undefined while it is not. */
  get since(): string | undefined {
    return this.reason;
  }
}

import { beforeEach, describe, expect, it, jest } from '@jest/globals';
import type { InstanceEvent, InstanceEvents } from '../../src/redis/instance-events.js';
import { FannedOutRevocations } from '../../src/sessions/fanned-out-revocations.js';
import type { PolledRevocations } from '../../src/sessions/polled-revocations.js';

type Ended = Extract<InstanceEvent, { type: 'sessions.ended' }>;

describe(FannedOutRevocations.name, () => {
  let revocations: FannedOutRevocations;
  let polled: {
    isRevoked: jest.Mock<(id: string) => boolean>;
    revoked: jest.Mock<(ids: readonly string[]) => void>;
    resync: jest.Mock<(since: Date) => Promise<void>>;
    onModuleInit: jest.Mock<() => Promise<void>>;
    onModuleDestroy: jest.Mock<() => void>;
  };
  let published: InstanceEvent[];
  let onEnded: (event: Ended) => void;
  let onResync: (since: Date) => void;

  beforeEach(() => {
    polled = {
      isRevoked: jest.fn<(id: string) => boolean>().mockReturnValue(false),
      revoked: jest.fn<(ids: readonly string[]) => void>(),
      resync: jest.fn<(since: Date) => Promise<void>>().mockResolvedValue(),
      onModuleInit: jest.fn<() => Promise<void>>().mockResolvedValue(),
      onModuleDestroy: jest.fn<() => void>(),
    };
    published = [];
    const events = {
      publish: (event: InstanceEvent) => published.push(event),
      on: (_type: string, handler: (event: Ended) => void) => (onEnded = handler),
      onResync: (handler: (since: Date) => void) => (onResync = handler),
    };
    revocations = new FannedOutRevocations(
      polled as unknown as PolledRevocations,
      events as unknown as InstanceEvents,
    );
  });

  it('should refuse a session it ends at once, and publish it', () => {
    revocations.revoked(['s1', 's2']);
    expect(polled.revoked).toHaveBeenCalledWith(['s1', 's2']);
    expect(published).toEqual([{ type: 'sessions.ended', sessionIds: ['s1', 's2'] }]);
  });

  it('should publish nothing when no session ended', () => {
    revocations.revoked([]);
    expect(published).toEqual([]);
  });

  it("should add another process's ended sessions to the local list, without publishing them again", () => {
    onEnded({ type: 'sessions.ended', sessionIds: ['s3'] });
    expect(polled.revoked).toHaveBeenCalledWith(['s3']);
    expect(published).toEqual([]);
  });

  it('should answer isRevoked from the local list only', () => {
    polled.isRevoked.mockReturnValue(true);
    expect(revocations.isRevoked('s1')).toBe(true);
    expect(polled.isRevoked).toHaveBeenCalledWith('s1');
  });

  it('should read the database again from the time the subscriber was lost', () => {
    const since = new Date(1_800_000_000_000);
    onResync(since);
    expect(polled.resync).toHaveBeenCalledWith(since);
  });

  it("should run the poll's start-up load and stop its timer with its own hooks", async () => {
    await revocations.onModuleInit();
    revocations.onModuleDestroy();
    expect(polled.onModuleInit).toHaveBeenCalledTimes(1);
    expect(polled.onModuleDestroy).toHaveBeenCalledTimes(1);
  });
});

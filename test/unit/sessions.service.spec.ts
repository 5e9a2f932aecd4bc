import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { Test } from '@nestjs/testing';
import type { RefreshTokenEntity } from '../../src/sessions/refresh-token.entity.js';
import { validateEnv } from '../../src/config/env.schema.js';
import { PolledRevocations } from '../../src/sessions/polled-revocations.js';
import { MemoryRevocationList, REVOCATION_LIST } from '../../src/sessions/revocation-list.js';
import { REFRESH_SUCCESSOR_KEY } from '../../src/sessions/refresh-successor-key.js';
import { REVOCATIONS } from '../../src/sessions/revocations.js';
import type { SessionEndReason, SessionEntity } from '../../src/sessions/session.entity.js';
import { SessionsRepository, type SessionsToEnd } from '../../src/sessions/sessions.repository.js';
import {
  RefreshRefusedError,
  SessionsService,
  type RefreshRefusal,
  type SessionGrant,
} from '../../src/sessions/sessions.service.js';
import { Metrics } from '../../src/metrics/metrics.js';
import { AuditLog } from '../../src/logging/audit.js';
import { auditLogStub } from '../support/mocks.js';

const T0 = Date.parse('2025-11-27T10:00:00.000Z');
const HOUR = 3600;
const DAY = 24 * HOUR;
const CONFIG = {
  ACCESS_TOKEN_TTL: 900,
  JWT_CLOCK_TOLERANCE: 30,
  SESSION_IDLE_TTL: DAY,
  SESSION_MAX_TTL: 3 * DAY,
  REFRESH_REUSE_GRACE: 10,
  REVOCATION_POLL_INTERVAL: 2,
};
/** What ConfigService holds: the variables above and the durations the schema derives from them. */
const CONFIG_VALUES = {
  ...CONFIG,
  durations: validateEnv(
    Object.fromEntries(Object.entries(CONFIG).map(([key, value]) => [key, String(value)])),
  ).durations,
};
/** How long an ended session stays revoked: until its last access token has expired. */
const REVOKE_FOR = CONFIG.ACCESS_TOKEN_TTL + CONFIG.JWT_CLOCK_TOLERANCE;
const ALICE = 7;
const BOB = 8;
const CLIENT = { userAgent: 'unit-agent/1.0', ip: '203.0.113.9' };
const BASE64URL_256_BITS = /^[A-Za-z0-9_-]{43}$/;
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');
/** The instant `seconds` after T0. */
const time = (seconds: number) => new Date(T0 + seconds * 1000);
/** Moves the clock to `seconds` after T0. */
const at = (seconds: number) => jest.setSystemTime(time(seconds));

type RepositoryContract = Pick<
  SessionsRepository,
  'create' | 'findById' | 'findToken' | 'spend' | 'addToken' | 'listActive' | 'end' | 'endedSince'
>;

/**
 * SessionsRepository in memory, with its semantics: spend() succeeds once per token, end()
 * ends only live sessions, returns their ids and drops their token hashes. It hands out copies,
 * as a database would, and logs every argument it receives.
 */
class FakeSessionsRepository implements RepositoryContract {
  readonly sessions = new Map<string, SessionEntity>();
  readonly tokens = new Map<string, RefreshTokenEntity>();
  /** Every argument the service passed in, to check what it never hands over. */
  readonly received: unknown[] = [];

  create(session: SessionEntity, tokenHash: string): Promise<void> {
    this.received.push(session, tokenHash);
    if (this.sessions.has(session.id) || this.tokens.has(tokenHash)) {
      return Promise.reject(new Error('UNIQUE constraint failed'));
    }
    this.sessions.set(session.id, { ...session });
    this.tokens.set(tokenHash, {
      tokenHash,
      sessionId: session.id,
      createdAt: session.createdAt,
      spentAt: null,
    });
    return Promise.resolve();
  }

  findById(id: string): Promise<SessionEntity | null> {
    this.received.push(id);
    const session = this.sessions.get(id);
    return Promise.resolve(session ? { ...session } : null);
  }

  findToken(tokenHash: string): Promise<RefreshTokenEntity | null> {
    this.received.push(tokenHash);
    const token = this.tokens.get(tokenHash);
    return Promise.resolve(token ? { ...token } : null);
  }

  spend(tokenHash: string, when: Date): Promise<boolean> {
    this.received.push(tokenHash, when);
    const token = this.tokens.get(tokenHash);
    if (token === undefined || token.spentAt !== null) {
      return Promise.resolve(false);
    }
    token.spentAt = when;
    return Promise.resolve(true);
  }

  addToken(sessionId: string, tokenHash: string, when: Date): Promise<boolean> {
    this.received.push(sessionId, tokenHash, when);
    const session = this.sessions.get(sessionId);
    if (session === undefined || session.endedAt !== null) {
      return Promise.resolve(false);
    }
    // Stored once: racers within the reuse grace store the same successor (INSERT OR IGNORE).
    if (!this.tokens.has(tokenHash)) {
      this.tokens.set(tokenHash, { tokenHash, sessionId, createdAt: when, spentAt: null });
    }
    session.lastUsedAt = when;
    return Promise.resolve(true);
  }

  listActive(userId: number, now: Date): Promise<SessionEntity[]> {
    this.received.push(userId, now);
    return Promise.resolve(
      [...this.sessions.values()]
        .filter((s) => s.userId === userId && s.endedAt === null && s.expiresAt > now)
        .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime())
        .map((s) => ({ ...s })),
    );
  }

  end(which: SessionsToEnd, reason: SessionEndReason, when: Date): Promise<string[]> {
    this.received.push(which, reason, when);
    const ended = [...this.sessions.values()].filter(
      (s) =>
        s.endedAt === null &&
        ('id' in which
          ? s.id === which.id && (which.userId === undefined || s.userId === which.userId)
          : s.userId === which.userId && s.id !== which.keep),
    );
    for (const session of ended) {
      session.endedAt = when;
      session.endReason = reason;
      for (const [hash, token] of this.tokens) {
        if (token.sessionId === session.id) {
          this.tokens.delete(hash);
        }
      }
    }
    return Promise.resolve(ended.map(({ id }) => id));
  }

  endedSince(since: Date): Promise<{ id: string; endedAt: Date }[]> {
    this.received.push(since);
    return Promise.resolve(
      [...this.sessions.values()]
        .filter((s): s is SessionEntity & { endedAt: Date } => s.endedAt !== null && s.endedAt >= since)
        .map(({ id, endedAt }) => ({ id, endedAt })),
    );
  }

  /** A session another process (the CLI, another instance) wrote to the shared database. */
  insertDirectly(session: Partial<SessionEntity> & Pick<SessionEntity, 'id'>): void {
    this.sessions.set(session.id, {
      userId: ALICE,
      createdAt: time(-DAY),
      lastUsedAt: time(-DAY),
      expiresAt: time(DAY),
      userAgent: null,
      ip: null,
      endedAt: null,
      endReason: null,
      ...session,
    });
  }

  /** Ends a session the way another process would: in the database only. */
  endDirectly(id: string, reason: SessionEndReason = 'logout'): void {
    const session = this.sessions.get(id)!;
    session.endedAt = new Date();
    session.endReason = reason;
  }

  session(id: string): SessionEntity {
    const session = this.sessions.get(id);
    if (session === undefined) {
      throw new Error(`no session ${id}`);
    }
    return session;
  }

  token(refreshToken: string): RefreshTokenEntity | undefined {
    return this.tokens.get(sha256(refreshToken));
  }
}

/** The RefreshRefusedError that `attempt` rejects with, or a failure when it does not. */
async function refusalOf(attempt: Promise<unknown>): Promise<RefreshRefusal> {
  try {
    await attempt;
  } catch (error) {
    expect(error).toBeInstanceOf(RefreshRefusedError);
    return (error as RefreshRefusedError).reason;
  }
  throw new Error('rotate() did not refuse');
}

describe(SessionsService.name, () => {
  let service: SessionsService;
  let repository: FakeSessionsRepository;
  let list: MemoryRevocationList;
  let revocations: PolledRevocations;
  let audit: ReturnType<typeof auditLogStub>;

  beforeEach(async () => {
    jest.useFakeTimers({ now: T0 });
    audit = auditLogStub();
    repository = new FakeSessionsRepository();
    list = new MemoryRevocationList();
    const moduleRef = await Test.createTestingModule({
      providers: [
        { provide: Metrics, useValue: new Metrics() },
        { provide: AuditLog, useValue: audit.log },
        SessionsService,
        { provide: SessionsRepository, useValue: repository },
        { provide: REVOCATION_LIST, useValue: list },
        { provide: REVOCATIONS, useClass: PolledRevocations },
        { provide: REFRESH_SUCCESSOR_KEY, useValue: Buffer.alloc(32, 7) },
        {
          provide: ConfigService,
          useValue: {
            get: (key: string) => {
              if (!(key in CONFIG_VALUES)) {
                throw new Error(`unexpected config key ${key}`);
              }
              return CONFIG_VALUES[key as keyof typeof CONFIG_VALUES];
            },
          },
        },
      ],
    }).compile();
    service = moduleRef.get(SessionsService);
    revocations = moduleRef.get(REVOCATIONS);
  });

  afterEach(() => {
    revocations.onModuleDestroy();
    jest.useRealTimers();
    jest.restoreAllMocks();
  });

  describe('open', () => {
    it('should return a 256-bit base64url refresh token for a new session', async () => {
      const grant = await service.open(ALICE, CLIENT);
      expect(grant).toStrictEqual({
        userId: ALICE,
        sessionId: expect.stringMatching(UUID_V4),
        refreshToken: expect.stringMatching(BASE64URL_256_BITS),
        expiresAt: time(CONFIG.SESSION_MAX_TTL),
      });
      expect(Buffer.from(grant.refreshToken, 'base64url')).toHaveLength(32);
    });

    it('should store the session with its user, times and client', async () => {
      const { sessionId } = await service.open(ALICE, CLIENT);
      expect(repository.session(sessionId)).toStrictEqual({
        id: sessionId,
        userId: ALICE,
        createdAt: time(0),
        lastUsedAt: time(0),
        expiresAt: time(CONFIG.SESSION_MAX_TTL),
        userAgent: CLIENT.userAgent,
        ip: CLIENT.ip,
        endedAt: null,
        endReason: null,
      });
    });

    it('should store only the SHA-256 of the refresh token, never the token', async () => {
      const { sessionId, refreshToken } = await service.open(ALICE, CLIENT);
      expect([...repository.tokens.keys()]).toStrictEqual([sha256(refreshToken)]);
      expect(repository.token(refreshToken)).toStrictEqual({
        tokenHash: sha256(refreshToken),
        sessionId,
        createdAt: time(0),
        spentAt: null,
      });
      expect(JSON.stringify(repository.received)).not.toContain(refreshToken);
    });

    it('should cut a long user agent and IP, and store null for missing ones', async () => {
      const long = await service.open(ALICE, { userAgent: 'a'.repeat(600), ip: '1'.repeat(100) });
      expect(repository.session(long.sessionId)).toMatchObject({
        userAgent: 'a'.repeat(512),
        ip: '1'.repeat(64),
      });
      const bare = await service.open(ALICE, {});
      expect(repository.session(bare.sessionId)).toMatchObject({ userAgent: null, ip: null });
    });

    it('should give every session its own id and refresh token', async () => {
      const first = await service.open(ALICE, CLIENT);
      const second = await service.open(ALICE, CLIENT);
      expect(second.sessionId).not.toBe(first.sessionId);
      expect(second.refreshToken).not.toBe(first.refreshToken);
      expect(repository.sessions.size).toBe(2);
    });
  });

  describe('rotate', () => {
    it('should refuse a token whose session a concurrent logout ends mid-rotation', async () => {
      const spend = repository.spend.bind(repository);
      jest.spyOn(repository, 'spend').mockImplementationOnce(async (hash, when) => {
        await service.end(opened.sessionId, 'logout'); // the logout commits between the session check and spend
        return spend(hash, when);
      });
      expect(await refusalOf(service.rotate(opened.refreshToken, CLIENT))).toBe('ended');
    });

    it('should refuse when the session ends between spending and storing the next token', async () => {
      const addToken = repository.addToken.bind(repository);
      jest.spyOn(repository, 'addToken').mockImplementationOnce(async (id, hash, when) => {
        await service.end(opened.sessionId, 'logout');
        return addToken(id, hash, when);
      });
      expect(await refusalOf(service.rotate(opened.refreshToken, CLIENT))).toBe('ended');
    });

    let opened: SessionGrant;

    beforeEach(async () => {
      opened = await service.open(ALICE, CLIENT);
    });

    it('should issue a new refresh token for the same session and spend the presented one', async () => {
      at(60);
      const rotated = await service.rotate(opened.refreshToken, CLIENT);
      expect(rotated).toStrictEqual({
        userId: ALICE,
        sessionId: opened.sessionId,
        refreshToken: expect.stringMatching(BASE64URL_256_BITS),
        expiresAt: opened.expiresAt,
      });
      expect(rotated.refreshToken).not.toBe(opened.refreshToken);
      expect(repository.token(opened.refreshToken)?.spentAt).toStrictEqual(time(60));
      expect(repository.token(rotated.refreshToken)).toStrictEqual({
        tokenHash: sha256(rotated.refreshToken),
        sessionId: opened.sessionId,
        createdAt: time(60),
        spentAt: null,
      });
      expect(repository.session(opened.sessionId).lastUsedAt).toStrictEqual(time(60));
      expect(JSON.stringify(repository.received)).not.toContain(opened.refreshToken);
      expect(JSON.stringify(repository.received)).not.toContain(rotated.refreshToken);
    });

    it('should keep rotating along the chain of new tokens', async () => {
      at(60);
      const second = await service.rotate(opened.refreshToken, CLIENT);
      at(120);
      const third = await service.rotate(second.refreshToken, CLIENT);
      expect(third.sessionId).toBe(opened.sessionId);
      expect(new Set([opened.refreshToken, second.refreshToken, third.refreshToken]).size).toBe(3);
      expect(repository.session(opened.sessionId).endedAt).toBeNull();
    });

    it.each([0, 1, CONFIG.REFRESH_REUSE_GRACE])(
      'should give a spent token presented again %ss later the same successor (two tabs, one chain)',
      async (delay) => {
        at(60);
        const first = await service.rotate(opened.refreshToken, CLIENT);
        at(60 + delay);
        const second = await service.rotate(opened.refreshToken, CLIENT);
        expect(second).toStrictEqual(first);
        expect(second.refreshToken).toMatch(BASE64URL_256_BITS);
        expect(repository.session(opened.sessionId).endedAt).toBeNull();
        expect(revocations.isRevoked(opened.sessionId)).toBe(false);
        const unspent = [...repository.tokens.values()].filter(({ spentAt }) => spentAt === null);
        expect(unspent.map(({ tokenHash }) => tokenHash)).toStrictEqual([sha256(first.refreshToken)]);
        // Both tabs carry on with the one chain: the second to spend the successor gets its successor.
        at(120);
        const third = await service.rotate(first.refreshToken, CLIENT);
        await expect(service.rotate(second.refreshToken, CLIENT)).resolves.toStrictEqual(third);
      },
    );

    it("should hand a late racer the chain's live end, never a token a faster tab has spent since", async () => {
      at(60);
      const first = await service.rotate(opened.refreshToken, CLIENT);
      at(62);
      const second = await service.rotate(first.refreshToken, CLIENT);
      at(65);
      const late = await service.rotate(opened.refreshToken, CLIENT);
      expect(late.refreshToken).toBe(second.refreshToken);
      // Long after every grace, the late tab's token is still the live one, not a replay.
      at(600);
      await expect(service.rotate(late.refreshToken, CLIENT)).resolves.toMatchObject({
        sessionId: opened.sessionId,
      });
      expect(repository.session(opened.sessionId).endedAt).toBeNull();
    });

    it('should store the successor once however the racers interleave', async () => {
      at(60);
      const grants = await Promise.all(
        Array.from({ length: 20 }, () => service.rotate(opened.refreshToken, CLIENT)),
      );
      expect(new Set(grants.map(({ refreshToken }) => refreshToken)).size).toBe(1);
      expect(repository.tokens.size).toBe(2);
    });

    it('should derive successors no one without the key can predict', async () => {
      at(60);
      const { refreshToken } = await service.rotate(opened.refreshToken, CLIENT);
      expect(refreshToken).not.toBe(createHash('sha256').update(opened.refreshToken).digest('base64url'));
      expect(Buffer.from(refreshToken, 'base64url')).toHaveLength(32);
    });

    it('should take a spent token presented after the grace window as a replay and end the session', async () => {
      at(60);
      const legitimate = await service.rotate(opened.refreshToken, CLIENT);
      jest.setSystemTime(time(60 + CONFIG.REFRESH_REUSE_GRACE).getTime() + 1);
      expect(await refusalOf(service.rotate(opened.refreshToken, CLIENT))).toBe('replayed');
      expect(repository.session(opened.sessionId)).toMatchObject({
        endedAt: new Date(time(60 + CONFIG.REFRESH_REUSE_GRACE).getTime() + 1),
        endReason: 'replay',
      });
      expect(revocations.isRevoked(opened.sessionId)).toBe(true);
      // The end and its event are one change: both commit or neither.
      expect(audit.recorded).toEqual([
        {
          event: 'token.replayed',
          fields: { userId: ALICE, sessionId: opened.sessionId, action: 'session revoked' },
        },
      ]);
      // The thief's and the victim's tokens all stop: the ended session's hashes are gone.
      expect(await refusalOf(service.rotate(legitimate.refreshToken, CLIENT))).toBe('unknown');
      expect(await refusalOf(service.rotate(opened.refreshToken, CLIENT))).toBe('unknown');
    });

    it('should measure the grace window from the first spend, not from the last reuse', async () => {
      at(60);
      await service.rotate(opened.refreshToken, CLIENT);
      at(65);
      await service.rotate(opened.refreshToken, CLIENT);
      at(60 + CONFIG.REFRESH_REUSE_GRACE + 1);
      expect(await refusalOf(service.rotate(opened.refreshToken, CLIENT))).toBe('replayed');
      expect(repository.session(opened.sessionId).endReason).toBe('replay');
    });

    it('should leave the other sessions of the user alone after a replay', async () => {
      const other = await service.open(ALICE, CLIENT);
      at(60);
      await service.rotate(opened.refreshToken, CLIENT);
      at(120);
      await refusalOf(service.rotate(opened.refreshToken, CLIENT));
      expect(revocations.isRevoked(other.sessionId)).toBe(false);
      await expect(service.rotate(other.refreshToken, CLIENT)).resolves.toMatchObject({
        sessionId: other.sessionId,
      });
    });

    it('should refuse a token it never issued as unknown', async () => {
      expect(await refusalOf(service.rotate('x'.repeat(43), CLIENT))).toBe('unknown');
      expect(await refusalOf(service.rotate('', CLIENT))).toBe('unknown');
      expect(repository.session(opened.sessionId).endedAt).toBeNull();
    });

    it('should refuse the token of a session ended by another process as ended', async () => {
      at(60);
      repository.endDirectly(opened.sessionId, 'logout');
      expect(await refusalOf(service.rotate(opened.refreshToken, CLIENT))).toBe('ended');
      expect(repository.token(opened.refreshToken)?.spentAt).toBeNull();
      expect(repository.session(opened.sessionId).endReason).toBe('logout');
    });

    it('should refuse a token whose session is gone as ended', async () => {
      repository.sessions.delete(opened.sessionId);
      expect(await refusalOf(service.rotate(opened.refreshToken, CLIENT))).toBe('ended');
    });

    it('should refuse the token of a session that was logged out', async () => {
      await service.end(opened.sessionId, 'logout');
      expect(await refusalOf(service.rotate(opened.refreshToken, CLIENT))).toBe('unknown');
    });

    it('should accept a session used just before SESSION_IDLE_TTL, and restart its idle clock', async () => {
      at(CONFIG.SESSION_IDLE_TTL - 1);
      const second = await service.rotate(opened.refreshToken, CLIENT);
      at(2 * CONFIG.SESSION_IDLE_TTL - 2);
      await expect(service.rotate(second.refreshToken, CLIENT)).resolves.toMatchObject({
        sessionId: opened.sessionId,
      });
    });

    it('should refuse as expired, and end, a session unused for SESSION_IDLE_TTL', async () => {
      at(CONFIG.SESSION_IDLE_TTL);
      expect(await refusalOf(service.rotate(opened.refreshToken, CLIENT))).toBe('expired');
      expect(repository.session(opened.sessionId)).toMatchObject({
        endedAt: time(CONFIG.SESSION_IDLE_TTL),
        endReason: 'idle',
      });
      expect(revocations.isRevoked(opened.sessionId)).toBe(true);
      expect(repository.token(opened.refreshToken)).toBeUndefined();
    });

    it('should refuse as expired, and end, a session SESSION_MAX_TTL after login however much it is used', async () => {
      let token = opened.refreshToken;
      for (const hours of [23, 46, 69]) {
        at(hours * HOUR);
        const rotated = await service.rotate(token, CLIENT);
        // Rotation never moves the absolute end.
        expect(rotated.expiresAt).toStrictEqual(time(CONFIG.SESSION_MAX_TTL));
        token = rotated.refreshToken;
      }
      at(CONFIG.SESSION_MAX_TTL);
      expect(await refusalOf(service.rotate(token, CLIENT))).toBe('expired');
      expect(repository.session(opened.sessionId)).toMatchObject({
        endedAt: time(CONFIG.SESSION_MAX_TTL),
        endReason: 'expired',
      });
      expect(revocations.isRevoked(opened.sessionId)).toBe(true);
    });

    it('should accept a session used until just before its absolute end', async () => {
      let token = opened.refreshToken;
      for (const seconds of [23 * HOUR, 46 * HOUR, 69 * HOUR, CONFIG.SESSION_MAX_TTL - 1]) {
        at(seconds);
        token = (await service.rotate(token, CLIENT)).refreshToken;
      }
      expect(repository.session(opened.sessionId).endedAt).toBeNull();
    });
  });

  describe('end', () => {
    it('should end the session and revoke it until its last access token has expired', async () => {
      const { sessionId } = await service.open(ALICE, CLIENT);
      at(60);
      await service.end(sessionId, 'logout');
      expect(repository.session(sessionId)).toMatchObject({ endedAt: time(60), endReason: 'logout' });
      expect(revocations.isRevoked(sessionId)).toBe(true);
      list.prune(time(60 + REVOKE_FOR).getTime() - 1);
      expect(revocations.isRevoked(sessionId)).toBe(true);
      list.prune(time(60 + REVOKE_FOR).getTime());
      expect(revocations.isRevoked(sessionId)).toBe(false);
    });

    it('should leave an ended session as it ended', async () => {
      const { sessionId } = await service.open(ALICE, CLIENT);
      await service.end(sessionId, 'replay');
      at(60);
      await service.end(sessionId, 'logout');
      expect(repository.session(sessionId)).toMatchObject({ endedAt: time(0), endReason: 'replay' });
    });

    it('should revoke nothing for an unknown session', async () => {
      await service.end('5f0c4a8e-3b2d-4e1f-9a7c-1d2e3f4a5b6c', 'logout');
      expect(list.size).toBe(0);
    });
  });

  describe('endRecorded', () => {
    let alice: SessionGrant[];
    let bob: SessionGrant;
    const ended = ({ sessions }: { sessions: number }) => ({
      event: 'session.ended' as const,
      fields: { sessions },
    });

    beforeEach(async () => {
      alice = [
        await service.open(ALICE, CLIENT),
        await service.open(ALICE, CLIENT),
        await service.open(ALICE, {}),
      ];
      bob = await service.open(BOB, CLIENT);
      await service.end(alice[2].sessionId, 'logout');
      at(60);
    });

    it("should end every live session of the user, record how many in the change, and leave others' alone", async () => {
      await expect(service.endRecorded({ userId: ALICE }, 'password', CLIENT, ended)).resolves.toBe(2);
      expect(audit.log.change).toHaveBeenCalledTimes(1);
      expect(audit.recorded).toEqual([{ event: 'session.ended', fields: { sessions: 2 } }]);
      for (const { sessionId, refreshToken } of alice.slice(0, 2)) {
        expect(repository.session(sessionId)).toMatchObject({ endedAt: time(60), endReason: 'password' });
        expect(revocations.isRevoked(sessionId)).toBe(true);
        expect(await refusalOf(service.rotate(refreshToken, CLIENT))).toBe('unknown');
      }
      expect(repository.session(alice[2].sessionId)).toMatchObject({ endedAt: time(0), endReason: 'logout' });
      expect(repository.session(bob.sessionId).endedAt).toBeNull();
      expect(revocations.isRevoked(bob.sessionId)).toBe(false);
    });

    it('should keep the excepted session', async () => {
      const [kept, other] = alice;
      await expect(
        service.endRecorded({ userId: ALICE, keep: kept.sessionId }, 'logout', CLIENT, ended),
      ).resolves.toBe(1);
      expect(repository.session(other.sessionId)).toMatchObject({ endedAt: time(60), endReason: 'logout' });
      expect(revocations.isRevoked(other.sessionId)).toBe(true);
      expect(repository.session(kept.sessionId).endedAt).toBeNull();
      expect(revocations.isRevoked(kept.sessionId)).toBe(false);
      await expect(service.rotate(kept.refreshToken, CLIENT)).resolves.toMatchObject({
        sessionId: kept.sessionId,
      });
    });

    it('should return 0 for a user without live sessions', async () => {
      await expect(service.endRecorded({ userId: 99 }, 'disabled', CLIENT, ended)).resolves.toBe(0);
    });

    it('should announce nothing when the change does not commit', async () => {
      audit.log.change.mockRejectedValueOnce(new Error('rolled back'));
      await expect(service.endRecorded({ userId: ALICE }, 'password', CLIENT, ended)).rejects.toThrow();
      expect(revocations.isRevoked(alice[0].sessionId)).toBe(false);
    });
  });

  describe('endRecorded, one session of a user', () => {
    const endOwn = (userId: number, id: string) =>
      service.endRecorded({ id, userId }, 'revoked', CLIENT, ({ sessions }) =>
        sessions === 0 ? undefined : { event: 'session.ended', fields: { sessions } },
      );

    it("should end the user's own session", async () => {
      const { sessionId } = await service.open(ALICE, CLIENT);
      await expect(endOwn(ALICE, sessionId)).resolves.toBe(1);
      expect(repository.session(sessionId)).toMatchObject({ endedAt: time(0), endReason: 'revoked' });
      expect(revocations.isRevoked(sessionId)).toBe(true);
    });

    it("should refuse another user's session, leave it alone and record nothing", async () => {
      const { sessionId, refreshToken } = await service.open(BOB, CLIENT);
      await expect(endOwn(ALICE, sessionId)).resolves.toBe(0);
      expect(audit.recorded).toEqual([]);
      expect(repository.session(sessionId).endedAt).toBeNull();
      expect(revocations.isRevoked(sessionId)).toBe(false);
      await expect(service.rotate(refreshToken, CLIENT)).resolves.toMatchObject({ sessionId });
    });

    it('should refuse an unknown session', async () => {
      await expect(endOwn(ALICE, '5f0c4a8e-3b2d-4e1f-9a7c-1d2e3f4a5b6c')).resolves.toBe(0);
    });

    it('should refuse a session that already ended', async () => {
      const { sessionId } = await service.open(ALICE, CLIENT);
      await service.end(sessionId, 'logout');
      await expect(endOwn(ALICE, sessionId)).resolves.toBe(0);
      expect(repository.session(sessionId).endReason).toBe('logout');
    });
  });

  describe('listActive', () => {
    it("should list the user's live sessions newest first, without idle, ended or others' sessions", async () => {
      const idle = await service.open(ALICE, CLIENT);
      at(2 * HOUR);
      const older = await service.open(ALICE, CLIENT);
      at(3 * HOUR);
      const newer = await service.open(ALICE, CLIENT);
      const ended = await service.open(ALICE, CLIENT);
      await service.end(ended.sessionId, 'logout');
      await service.open(BOB, CLIENT);
      at(CONFIG.SESSION_IDLE_TTL + HOUR);
      const sessions = await service.listActive(ALICE);
      expect(sessions.map(({ id }) => id)).toStrictEqual([newer.sessionId, older.sessionId]);
      expect(sessions.map(({ id }) => id)).not.toContain(idle.sessionId);
    });

    it('should drop a session at the very moment rotate() would refuse it as idle', async () => {
      const { sessionId } = await service.open(ALICE, CLIENT);
      at(CONFIG.SESSION_IDLE_TTL - 1);
      expect((await service.listActive(ALICE)).map(({ id }) => id)).toStrictEqual([sessionId]);
      at(CONFIG.SESSION_IDLE_TTL);
      await expect(service.listActive(ALICE)).resolves.toStrictEqual([]);
    });

    it('should count a refresh as use', async () => {
      const { sessionId, refreshToken } = await service.open(ALICE, CLIENT);
      at(CONFIG.SESSION_IDLE_TTL - 1);
      await service.rotate(refreshToken, CLIENT);
      at(CONFIG.SESSION_IDLE_TTL + HOUR);
      const [session] = await service.listActive(ALICE);
      expect(session).toMatchObject({ id: sessionId, lastUsedAt: time(CONFIG.SESSION_IDLE_TTL - 1) });
    });
  });

  describe(`${PolledRevocations.name}: another process's revocations`, () => {
    const RECENT = '11111111-1111-4111-8111-111111111111';
    const OLD = '22222222-2222-4222-8222-222222222222';
    const EDGE = '33333333-3333-4333-8333-333333333333';
    const LIVE = '44444444-4444-4444-8444-444444444444';

    beforeEach(() => {
      repository.insertDirectly({ id: RECENT, endedAt: time(-(REVOKE_FOR - 1)), endReason: 'logout' });
      repository.insertDirectly({ id: OLD, endedAt: time(-(REVOKE_FOR + 1)), endReason: 'logout' });
      repository.insertDirectly({ id: EDGE, endedAt: time(-REVOKE_FOR), endReason: 'logout' });
      repository.insertDirectly({ id: LIVE });
    });

    it('should revoke sessions ended within the last ACCESS_TOKEN_TTL + JWT_CLOCK_TOLERANCE', async () => {
      await revocations.onModuleInit();
      expect(revocations.isRevoked(RECENT)).toBe(true);
      expect(revocations.isRevoked(OLD)).toBe(false);
      // Its last access token expires at this very instant.
      expect(revocations.isRevoked(EDGE)).toBe(false);
      expect(revocations.isRevoked(LIVE)).toBe(false);
      expect(list.size).toBe(1);
    });

    it('should forget a loaded session once its last access token has expired', async () => {
      await revocations.onModuleInit();
      await jest.advanceTimersByTimeAsync(CONFIG.REVOCATION_POLL_INTERVAL * 1000);
      expect(revocations.isRevoked(RECENT)).toBe(false);
      expect(list.size).toBe(0);
    });

    it('should revoke a session ended by another process within one poll interval', async () => {
      await revocations.onModuleInit();
      await jest.advanceTimersByTimeAsync(500);
      repository.endDirectly(LIVE);
      expect(revocations.isRevoked(LIVE)).toBe(false);
      await jest.advanceTimersByTimeAsync(CONFIG.REVOCATION_POLL_INTERVAL * 1000 - 500);
      expect(revocations.isRevoked(LIVE)).toBe(true);
      await jest.advanceTimersByTimeAsync(REVOKE_FOR * 1000);
      expect(revocations.isRevoked(LIVE)).toBe(false);
    });

    it('should log a failed poll and catch up on the next one', async () => {
      const logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
      await revocations.onModuleInit();
      const endedSince = jest.spyOn(repository, 'endedSince');
      endedSince.mockRejectedValueOnce(new Error('database is locked'));
      endedSince.mockRejectedValueOnce(new Error('database is locked'));
      repository.endDirectly(LIVE);
      await jest.advanceTimersByTimeAsync(2 * CONFIG.REVOCATION_POLL_INTERVAL * 1000);
      expect(revocations.isRevoked(LIVE)).toBe(false);
      expect(logged).toHaveBeenCalledTimes(2);
      expect(logged).toHaveBeenCalledWith('revocation sync failed: Error: database is locked');
      await jest.advanceTimersByTimeAsync(CONFIG.REVOCATION_POLL_INTERVAL * 1000);
      expect(revocations.isRevoked(LIVE)).toBe(true);
    });

    it('should stop polling on onModuleDestroy', async () => {
      await revocations.onModuleInit();
      expect(jest.getTimerCount()).toBe(1);
      revocations.onModuleDestroy();
      expect(jest.getTimerCount()).toBe(0);
      repository.endDirectly(LIVE);
      await jest.advanceTimersByTimeAsync(10 * CONFIG.REVOCATION_POLL_INTERVAL * 1000);
      expect(revocations.isRevoked(LIVE)).toBe(false);
    });
  });
});

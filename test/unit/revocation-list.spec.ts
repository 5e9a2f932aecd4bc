import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { MemoryRevocationList } from '../../src/sessions/revocation-list.js';

const NOW = Date.parse('2025-11-27T10:00:00.000Z');
const A = '5f0c4a8e-3b2d-4e1f-9a7c-1d2e3f4a5b6c';
const B = '0e6d1c2b-7a8f-4b3c-8d9e-a1b2c3d4e5f6';

describe(MemoryRevocationList.name, () => {
  let list: MemoryRevocationList;

  beforeEach(() => {
    list = new MemoryRevocationList();
  });

  afterEach(() => {
    jest.useRealTimers();
  });

  describe('isRevoked', () => {
    it('should be false for a session never added', () => {
      expect(list.isRevoked(A)).toBe(false);
      expect(list.size).toBe(0);
    });

    it('should be true for an added session, and only for it', () => {
      list.add(A, new Date(NOW + 1000));
      expect(list.isRevoked(A)).toBe(true);
      expect(list.isRevoked(B)).toBe(false);
      expect(list.size).toBe(1);
    });

    it('should stay true past `until` while nothing prunes (a revocation is never dropped early)', () => {
      list.add(A, new Date(NOW - 1000));
      expect(list.isRevoked(A)).toBe(true);
    });
  });

  describe('add', () => {
    it('should count a session added twice once', () => {
      list.add(A, new Date(NOW + 1000));
      list.add(A, new Date(NOW + 2000));
      expect(list.size).toBe(1);
    });

    it('should keep the later expiry when the second is earlier', () => {
      list.add(A, new Date(NOW + 2000));
      list.add(A, new Date(NOW + 1000));
      list.prune(NOW + 1000);
      expect(list.isRevoked(A)).toBe(true);
      list.prune(NOW + 2000);
      expect(list.isRevoked(A)).toBe(false);
    });

    it('should take the later expiry when the second is later', () => {
      list.add(A, new Date(NOW + 1000));
      list.add(A, new Date(NOW + 2000));
      list.prune(NOW + 1999);
      expect(list.isRevoked(A)).toBe(true);
      list.prune(NOW + 2000);
      expect(list.isRevoked(A)).toBe(false);
    });
  });

  describe('prune', () => {
    it('should forget entries whose expiry has come, and keep the others', () => {
      list.add(A, new Date(NOW));
      list.add(B, new Date(NOW + 1));
      list.prune(NOW);
      expect(list.isRevoked(A)).toBe(false);
      expect(list.isRevoked(B)).toBe(true);
      expect(list.size).toBe(1);
    });

    it('should keep an entry until its expiry', () => {
      list.add(A, new Date(NOW + 1000));
      list.prune(NOW + 999);
      expect(list.isRevoked(A)).toBe(true);
    });

    it('should forget every expired entry at once', () => {
      list.add(A, new Date(NOW - 2000));
      list.add(B, new Date(NOW - 1000));
      list.prune(NOW);
      expect(list.size).toBe(0);
      expect(list.isRevoked(A)).toBe(false);
      expect(list.isRevoked(B)).toBe(false);
    });

    it('should use the current time by default', () => {
      jest.useFakeTimers({ now: NOW });
      list.add(A, new Date(NOW));
      list.add(B, new Date(NOW + 1000));
      list.prune();
      expect(list.isRevoked(A)).toBe(false);
      expect(list.isRevoked(B)).toBe(true);
      jest.setSystemTime(NOW + 1000);
      list.prune();
      expect(list.isRevoked(B)).toBe(false);
    });

    it('should let a session be revoked again after it was forgotten', () => {
      list.add(A, new Date(NOW));
      list.prune(NOW);
      list.add(A, new Date(NOW + 1000));
      expect(list.isRevoked(A)).toBe(true);
    });
  });
});

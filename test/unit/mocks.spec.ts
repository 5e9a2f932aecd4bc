import { describe, expect, it } from '@jest/globals';
import { mockOf } from '../support/mocks.js';

class Base {
  inherited(): number {
    return 1;
  }
}

class Service extends Base {
  readonly field = 3;
  own(name: string): Promise<string> {
    return Promise.resolve(name);
  }
  get computed(): number {
    return 2;
  }
}

describe(mockOf.name, () => {
  it('should fake every method, inherited ones included, and nothing else', () => {
    const mock = mockOf(Service);
    expect(Object.keys(mock).sort()).toEqual(['inherited', 'own']);
  });

  it('should give each method a fresh mock typed from the class', async () => {
    const first = mockOf(Service);
    first.own.mockResolvedValue('faked');
    await expect(first.own('real')).resolves.toBe('faked');
    expect(first.own).toHaveBeenCalledWith('real');
    expect(mockOf(Service).own).not.toHaveBeenCalled();
  });
});

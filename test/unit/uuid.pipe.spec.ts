import { randomUUID } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { BadRequestException, type ArgumentMetadata } from '@nestjs/common';
import { UuidPipe } from '../../src/common/pipes/uuid.pipe.js';

const ID: ArgumentMetadata = { type: 'param', data: 'id' };

describe(UuidPipe.name, () => {
  const pipe = new UuidPipe();

  it.each([
    ['version 1', 'c232ab00-9414-11ec-b3c8-9f6bdeced846'],
    ['version 3', '5df41881-3aed-3515-88a7-2f4a814cf09e'],
    ['version 4 (what randomUUID issues)', randomUUID()],
    ['version 5', '2ed6657d-e927-568b-95e1-2665a8aea6a2'],
    ['version 6', '1ec9414c-232a-6b00-b3c8-9f6bdeced846'],
    ['version 7', '017f22e2-79b0-7cc3-98c4-dc0c0c07398f'],
    ['version 8', '2489e9ad-2ee2-8e00-8ec9-32d5f69181c0'],
    ['the Nil UUID', '00000000-0000-0000-0000-000000000000'],
    ['the Max UUID', 'ffffffff-ffff-ffff-ffff-ffffffffffff'],
  ])('should accept an RFC 9562 UUID: %s', (_what, uuid) => {
    expect(pipe.transform(uuid, ID)).toBe(uuid);
  });

  it('should accept upper case and hand on the canonical lower case', () => {
    expect(pipe.transform('017F22E2-79B0-7CC3-98C4-DC0C0C07398F', ID)).toBe(
      '017f22e2-79b0-7cc3-98c4-dc0c0c07398f',
    );
  });

  it.each([
    ['not a UUID', 'not-a-uuid'],
    ['version 0', '017f22e2-79b0-0cc3-98c4-dc0c0c07398f'],
    ['version 9', '017f22e2-79b0-9cc3-98c4-dc0c0c07398f'],
    ['the NCS variant (0xxx)', '017f22e2-79b0-7cc3-78c4-dc0c0c07398f'],
    ['the Microsoft variant (110x)', '017f22e2-79b0-7cc3-c8c4-dc0c0c07398f'],
    ['no hyphens', '017f22e279b07cc398c4dc0c0c07398f'],
    ['braces', '{017f22e2-79b0-7cc3-98c4-dc0c0c07398f}'],
    ['a trailing newline', '017f22e2-79b0-7cc3-98c4-dc0c0c07398f\n'],
    ['empty', ''],
    ['not a string', 42],
  ])('should refuse %s with 400, naming the parameter in our words', (_what, value) => {
    expect(() => pipe.transform(value, ID)).toThrow(new BadRequestException('id must be a UUID'));
  });
});

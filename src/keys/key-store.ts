import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { SigningKeyEntity } from './signing-key.entity.js';

/** Persistence of signing keys: a handful of rows, read whole. */
@Injectable()
export class KeyStore {
  constructor(@InjectRepository(SigningKeyEntity) private readonly keys: Repository<SigningKeyEntity>) {}

  all(): Promise<SigningKeyEntity[]> {
    return this.keys.find();
  }

  async insert(key: SigningKeyEntity): Promise<void> {
    await this.keys.insert(key);
  }

  async setActivatesAt(kid: string, at: Date): Promise<void> {
    await this.keys.update({ kid }, { activatesAt: at });
  }

  async revoke(kid: string, at: Date): Promise<void> {
    await this.keys.update({ kid }, { revokedAt: at });
  }
}

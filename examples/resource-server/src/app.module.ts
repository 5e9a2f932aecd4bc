import { Module, type DynamicModule } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { CONFIG, type ResourceServerConfig } from './config.js';
import { JwtAuthGuard } from './jwt-auth.guard.js';
import { JwtStrategy } from './jwt.strategy.js';
import { MeController } from './me.controller.js';

@Module({})
export class AppModule {
  static forRoot(config: ResourceServerConfig): DynamicModule {
    return {
      module: AppModule,
      controllers: [MeController],
      providers: [
        { provide: CONFIG, useValue: config },
        JwtStrategy,
        { provide: APP_GUARD, useClass: JwtAuthGuard },
      ],
    };
  }
}

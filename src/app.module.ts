import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { TypeOrmModule } from '@nestjs/typeorm';
import { JwtRevocationModule } from 'nestjs-jwt-revocation';
import { AdminModule } from './admin/admin.module';
import { AuthModule } from './auth/auth.module';
import { jwtRevocationModuleOptions } from './auth/jwt-revocation.config';
import { appConfig } from './config';
import { typeOrmModuleOptions } from './database/typeorm.config';
import { HealthModule } from './health/health.module';
import { LiveModule } from './live/live.module';
import { MetricsModule } from './metrics/metrics.module';
import { UsersModule } from './users/users.module';
import { WebModule } from './web/web.module';

@Module({
  imports: [
    ConfigModule.forRoot({ isGlobal: true, load: [appConfig] }),
    TypeOrmModule.forRootAsync(typeOrmModuleOptions),
    JwtRevocationModule.forRootAsync(jwtRevocationModuleOptions),
    UsersModule,
    AuthModule,
    HealthModule,
    MetricsModule,
    WebModule,
    AdminModule,
    LiveModule,
  ],
})
export class AppModule {}

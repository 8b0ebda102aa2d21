import { Controller, HttpCode, Post, type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { JwtRevocationTestingModule } from '../testing/jwt-revocation-testing.module';
import { AuthTokenService } from '../auth-token.service';
import { InMemoryTokenVersionStore } from '../revocation/in-memory-token-version.store';
import { Public } from '../decorators/public.decorator';

/** A version store whose database is down. */
class DownVersionStore extends InMemoryTokenVersionStore {
  down = false;
  override async incrementVersion(userId: string): Promise<boolean> {
    if (this.down) throw new Error('connect ECONNREFUSED');
    return super.incrementVersion(userId);
  }
}

@Public()
@Controller('own')
class OwnController {
  constructor(private readonly tokens: AuthTokenService) {}

  @Post('logout-all')
  @HttpCode(204)
  async logoutAll(): Promise<void> {
    await this.tokens.logoutAll('user-1');
  }

  @Post('refresh')
  refresh(): Promise<unknown> {
    return this.tokens.refresh('not-a-refresh-token');
  }
}

// No exception filter installed: Nest's default handler answers, and writes no headers of its own.
describe('errors the service throws in an app controller keep their headers', () => {
  const versions = new DownVersionStore();
  let app: INestApplication;

  beforeAll(async () => {
    versions.addUser('user-1');
    const moduleRef = await Test.createTestingModule({
      imports: [JwtRevocationTestingModule.forRoot({ options: { tokenVersionStore: versions, retryAfterSeconds: 9 } })],
      controllers: [OwnController],
    }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.init();
  });
  afterAll(() => app.close());

  it('a 503 while the store is down carries Retry-After', async () => {
    versions.down = true;
    const response = await request(app.getHttpServer()).post('/own/logout-all').expect(503);
    expect(response.headers['retry-after']).toBe('9');
    versions.down = false;
    await request(app.getHttpServer()).post('/own/logout-all').expect(204);
  });

  it('a refused refresh carries WWW-Authenticate', async () => {
    const response = await request(app.getHttpServer()).post('/own/refresh').expect(401);
    expect(response.headers['www-authenticate']).toMatch(/^Bearer/);
  });
});

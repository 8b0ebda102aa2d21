// Issue 12 §5: an app written like the NestJS docs' JWT recipe, migrated by following the README
// ("Migrating from the NestJS docs recipe"): a logged-out token is refused, and the recipe's guard,
// kept for old tokens during the switch, never accepts a library token.
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { RecipeAppModule, RECIPE_SECRET } from './docs-recipe/before/recipe-app.module';
import { MigratedAppModule } from './docs-recipe/after/migrated-app.module';

async function start(module: unknown): Promise<INestApplication> {
  const moduleRef = await Test.createTestingModule({ imports: [module as never] }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  await app.init();
  return app;
}

const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
const credentials = { username: 'john', password: 'changeme' };

describe('migrating from the NestJS docs recipe', () => {
  let recipe: INestApplication;
  let migrated: INestApplication;
  let oldToken: string;

  beforeAll(async () => {
    recipe = await start(RecipeAppModule);
    migrated = await start(MigratedAppModule.create());
    oldToken = (await request(recipe.getHttpServer()).post('/auth/login').send(credentials).expect(200)).body.access_token;
  });

  afterAll(async () => {
    await recipe?.close();
    await migrated?.close();
  });

  it('before: the recipe app accepts its token, and nothing can take it back', async () => {
    const res = await request(recipe.getHttpServer()).get('/auth/profile').set(bearer(oldToken)).expect(200);
    expect(res.body).toMatchObject({ sub: 1, username: 'john' });
    await request(recipe.getHttpServer()).post('/auth/logout-all').set(bearer(oldToken)).expect(404);
    await request(recipe.getHttpServer()).get('/auth/profile').set(bearer(oldToken)).expect(200);
  });

  it('after: a token issued before the switch works only on the route that kept the old guard', async () => {
    await request(migrated.getHttpServer()).get('/auth/profile').set(bearer(oldToken)).expect(401);
    const res = await request(migrated.getHttpServer()).get('/auth/legacy-profile').set(bearer(oldToken)).expect(200);
    expect(res.body).toMatchObject({ sub: 1, username: 'john' });
  });

  it('after: the migrated app refuses a logged-out token, and the old guard never accepts a library token', async () => {
    const server = migrated.getHttpServer();
    const pair = (await request(server).post('/auth/login').send(credentials).expect(200)).body;
    expect(pair).toMatchObject({ accessToken: expect.any(String), refreshToken: expect.any(String), tokenType: 'Bearer' });
    expect((await request(server).get('/auth/profile').set(bearer(pair.accessToken)).expect(200)).body).toEqual({ sub: '1', username: 'john' });
    await request(server).get('/auth/legacy-profile').set(bearer(pair.accessToken)).expect(401);

    await request(server).post('/auth/logout-all').set(bearer(pair.accessToken)).expect(204);
    const refused = await request(server).get('/auth/profile').set(bearer(pair.accessToken)).expect(401);
    expect(refused.headers['www-authenticate']).toBe('Bearer error="invalid_token"');
    await request(server).get('/auth/legacy-profile').set(bearer(pair.accessToken)).expect(401);
    await request(server).post('/auth/refresh').send({ refreshToken: pair.refreshToken }).expect(401);
  });

  it('why the guide insists on a new secret: with the recipe\'s secret, the old guard lets a revoked token through', async () => {
    const holed = await start(MigratedAppModule.create(RECIPE_SECRET));
    try {
      const server = holed.getHttpServer();
      const pair = (await request(server).post('/auth/login').send(credentials).expect(200)).body;
      await request(server).post('/auth/logout-all').set(bearer(pair.accessToken)).expect(204);
      await request(server).get('/auth/profile').set(bearer(pair.accessToken)).expect(401);
      await request(server).get('/auth/legacy-profile').set(bearer(pair.accessToken)).expect(200); // the hole
    } finally {
      await holed.close();
    }
  });
});

import { ConflictException, Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { InjectRepository } from '@nestjs/typeorm';
import { QueryFailedError, Repository } from 'typeorm';
import type { AppEnv } from '../config';
import { normalizeEmail } from './email-address';
import { PasswordHasher } from './password-hasher';
import { User } from './user.entity';

export interface PublicUser {
  id: number;
  email: string;
}

export interface UserWithRoles extends PublicUser {
  roles: string[];
}

@Injectable()
export class UsersService {
  private readonly logger = new Logger('UsersService');

  private readonly adminEmails: ReadonlySet<string>;

  constructor(
    @InjectRepository(User) private readonly users: Repository<User>,
    private readonly passwords: PasswordHasher,
    config: ConfigService<AppEnv, true>,
  ) {
    this.adminEmails = new Set(config.get('app.adminEmails', { infer: true }));
  }

  async register(email: string, password: string): Promise<PublicUser> {
    const normalized = normalizeEmail(email);
    if (await this.users.existsBy({ email: normalized })) throw new ConflictException('Email already registered');
    try {
      const roles = this.adminEmails.has(normalized) ? ['admin'] : ['user'];
      const user = await this.users.save(this.users.create({ email: normalized, passwordHash: await this.passwords.hash(password), roles }));
      return { id: user.id, email: user.email };
    } catch (error) {
      // Two registrations racing for one email: the unique index decides.
      if (error instanceof QueryFailedError) throw new ConflictException('Email already registered');
      throw error;
    }
  }

  /** The account with exactly this (normalized) email, if any. */
  async findByEmail(email: string): Promise<User | undefined> {
    return (await this.users.findOneBy({ email: normalizeEmail(email) })) ?? undefined;
  }

  async findById(id: number): Promise<User | undefined> {
    return (await this.users.findOneBy({ id })) ?? undefined;
  }

  /** Whether `password` is the user's; for no user it takes as long and answers false. */
  passwordMatches(user: User | undefined, password: string): Promise<boolean> {
    return this.passwords.verify(password, user?.passwordHash);
  }

  /** After a successful check: stores a hash with today's parameters when the stored one is older. */
  async upgradeHashIfOutdated(user: User, password: string): Promise<void> {
    if (!this.passwords.needsRehash(user.passwordHash)) return;
    try {
      await this.users.update({ id: user.id }, { passwordHash: await this.passwords.hash(password) });
    } catch (error) {
      // The login itself succeeded; the upgrade is tried again at the next one.
      this.logger.warn(`Could not upgrade the password hash of user ${user.id} (${(error as Error).name})`);
    }
  }

  async setPassword(id: number, password: string): Promise<void> {
    await this.users.update({ id }, { passwordHash: await this.passwords.hash(password) });
  }

  /** The roles the access tokens carry; asked at every login and refresh (the `claims` option). */
  async rolesOf(id: string): Promise<string[]> {
    const user = await this.users.findOne({ select: { id: true, roles: true }, where: { id: Number(id) } });
    return user?.roles ?? [];
  }

  async listWithRoles(): Promise<UserWithRoles[]> {
    const users = await this.users.find({ select: { id: true, email: true, roles: true }, order: { id: 'ASC' } });
    return users.map(({ id, email, roles }) => ({ id, email, roles }));
  }

  async findPublic(id: number): Promise<PublicUser | undefined> {
    const user = await this.users.findOne({ select: { id: true, email: true }, where: { id } });
    return user ? { id: user.id, email: user.email } : undefined;
  }
}

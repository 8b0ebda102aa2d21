import { ConflictException, Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { InjectRepository } from '@nestjs/typeorm';
import { QueryFailedError, Repository } from 'typeorm';
import type { AppEnv } from '../config';
import { databaseCall } from '../database/database-call';
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
    if (await databaseCall(() => this.users.existsBy({ email: normalized }))) throw new ConflictException('Email already registered');
    const roles = this.adminEmails.has(normalized) ? ['admin'] : ['user'];
    const passwordHash = await this.passwords.hash(password);
    try {
      const user = await databaseCall(() => this.users.save(this.users.create({ email: normalized, passwordHash, roles })), isUniqueViolation);
      return { id: user.id, email: user.email };
    } catch (error) {
      // Two registrations racing for one email: the unique index decides.
      if (isUniqueViolation(error)) throw new ConflictException('Email already registered');
      throw error;
    }
  }

  /** The account with exactly this (normalized) email, if any. */
  async findByEmail(email: string): Promise<User | undefined> {
    return (await databaseCall(() => this.users.findOneBy({ email: normalizeEmail(email) }))) ?? undefined;
  }

  async findById(id: number): Promise<User | undefined> {
    return (await databaseCall(() => this.users.findOneBy({ id }))) ?? undefined;
  }

  /** Whether `password` is the user's; for no user it takes as long and answers false. */
  passwordMatches(user: User | undefined, password: string): Promise<boolean> {
    return this.passwords.verify(password, user?.passwordHash);
  }

  /** After a successful check: stores a hash with today's parameters when the stored one is older. */
  async upgradeHashIfOutdated(user: User, password: string): Promise<void> {
    if (!this.passwords.needsRehash(user.passwordHash)) return;
    try {
      const passwordHash = await this.passwords.hash(password);
      await databaseCall(() => this.users.update({ id: user.id }, { passwordHash }));
    } catch (error) {
      // The login itself succeeded; the upgrade is tried again at the next one.
      this.logger.warn(`Could not upgrade the password hash of user ${user.id} (${(error as Error).name})`);
    }
  }

  async setPassword(id: number, password: string): Promise<void> {
    const passwordHash = await this.passwords.hash(password);
    await databaseCall(() => this.users.update({ id }, { passwordHash }));
  }

  /** The roles the access tokens carry; asked at every login and refresh (the `claims` option). */
  async rolesOf(id: string): Promise<string[]> {
    const user = await databaseCall(() => this.users.findOne({ select: { id: true, roles: true }, where: { id: Number(id) } }));
    return user?.roles ?? [];
  }

  async listWithRoles(): Promise<UserWithRoles[]> {
    const users = await databaseCall(() => this.users.find({ select: { id: true, email: true, roles: true }, order: { id: 'ASC' } }));
    return users.map(({ id, email, roles }) => ({ id, email, roles }));
  }

  async findPublic(id: number): Promise<PublicUser | undefined> {
    const user = await databaseCall(() => this.users.findOne({ select: { id: true, email: true }, where: { id } }));
    return user ? { id: user.id, email: user.email } : undefined;
  }
}

/** A unique index refused the row (PostgreSQL, MySQL/MariaDB, SQLite); any other failure is an outage. */
function isUniqueViolation(error: unknown): boolean {
  if (!(error instanceof QueryFailedError)) return false;
  const code = (error.driverError as { code?: unknown } | undefined)?.code;
  return code === '23505' || code === 'ER_DUP_ENTRY' || (typeof code === 'string' && code.startsWith('SQLITE_CONSTRAINT'));
}

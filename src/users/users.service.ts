import { ConflictException, Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { QueryFailedError, Repository } from 'typeorm';
import { normalizeEmail } from './email-address';
import { PasswordHasher } from './password-hasher';
import { User } from './user.entity';

export interface PublicUser {
  id: number;
  email: string;
}

@Injectable()
export class UsersService {
  private readonly logger = new Logger('UsersService');

  constructor(
    @InjectRepository(User) private readonly users: Repository<User>,
    private readonly passwords: PasswordHasher,
  ) {}

  async register(email: string, password: string): Promise<PublicUser> {
    const normalized = normalizeEmail(email);
    if (await this.users.existsBy({ email: normalized })) throw new ConflictException('Email already registered');
    try {
      const user = await this.users.save(this.users.create({ email: normalized, passwordHash: await this.passwords.hash(password) }));
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

  async findPublic(id: number): Promise<PublicUser | undefined> {
    const user = await this.users.findOne({ select: { id: true, email: true }, where: { id } });
    return user ? { id: user.id, email: user.email } : undefined;
  }
}

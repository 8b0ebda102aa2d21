import { ConflictException, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { QueryFailedError, Repository } from 'typeorm';
import { User } from './user.entity';
import { PasswordHasher } from './password-hasher';

export interface PublicUser {
  id: number;
  email: string;
}

@Injectable()
export class UsersService {
  constructor(
    @InjectRepository(User) private readonly users: Repository<User>,
    private readonly passwords: PasswordHasher,
  ) {}

  async register(email: string, password: string): Promise<PublicUser> {
    const normalized = email.trim().toLowerCase();
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

  /** The user when the password matches; undefined otherwise, in the same time whether or not the email exists. */
  async checkCredentials(email: string, password: string): Promise<User | undefined> {
    const user = await this.users.findOneBy({ email: email.trim().toLowerCase() });
    return (await this.passwords.verify(password, user?.passwordHash)) ? (user ?? undefined) : undefined;
  }

  async findPublic(id: number): Promise<PublicUser | undefined> {
    const user = await this.users.findOne({ select: { id: true, email: true }, where: { id } });
    return user ? { id: user.id, email: user.email } : undefined;
  }

  async changePassword(id: number, currentPassword: string, newPassword: string): Promise<boolean> {
    const user = await this.users.findOneBy({ id });
    if (!user || !(await this.passwords.verify(currentPassword, user.passwordHash))) return false;
    await this.users.update({ id }, { passwordHash: await this.passwords.hash(newPassword) });
    return true;
  }
}

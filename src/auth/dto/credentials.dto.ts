import { IsEmail, IsString, MaxLength, MinLength } from 'class-validator';
import { IsHardToGuess } from '../../users/password-strength';

export class RegisterDto {
  @IsEmail({}, { message: 'email must be a valid email address' })
  @MaxLength(254)
  email!: string;

  @IsString()
  @MinLength(8, { message: 'password must be at least 8 characters' })
  @MaxLength(256)
  @IsHardToGuess({ relatedTo: 'email' })
  password!: string;
}

export class LoginDto {
  @IsString()
  @MaxLength(254)
  email!: string;

  @IsString()
  @MaxLength(256)
  password!: string;
}

export class ChangePasswordDto {
  @IsString()
  @MaxLength(256)
  currentPassword!: string;

  @IsString()
  @MinLength(8, { message: 'newPassword must be at least 8 characters' })
  @MaxLength(256)
  @IsHardToGuess()
  newPassword!: string;
}

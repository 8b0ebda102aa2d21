import { IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';

export class RefreshDto {
  // Required unless cookie mode carries it; the controller says so with a 400.
  @IsOptional()
  @IsString()
  @IsNotEmpty({ message: 'refreshToken must not be empty' })
  @MaxLength(512)
  refreshToken?: string;
}

export class LogoutDto {
  @IsOptional()
  @IsString()
  @MaxLength(512)
  refreshToken?: string;
}

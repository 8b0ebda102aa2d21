import { JwtRevocationConfigError } from '../errors/jwt-revocation-config.error';

/**
 * The one way the core loads an optional peer dependency (@nestjs/swagger, @nestjs/event-emitter,
 * @nestjs/websockets): undefined when that package is not installed; any other failure (a broken
 * install, an error inside it) is not hidden.
 */
export function loadOptionalPeer<T>(packageName: string): T | undefined {
  try {
    return require(packageName) as T;
  } catch (error) {
    if (isNotInstalled(error, packageName)) return undefined;
    throw error;
  }
}

/** Like `loadOptionalPeer`, for a feature that cannot work without the peer: says what to install. */
export function requireOptionalPeer<T>(packageName: string, neededFor: string): T {
  const loaded = loadOptionalPeer<T>(packageName);
  if (loaded === undefined) {
    throw new JwtRevocationConfigError(`${neededFor} needs the optional peer dependency ${packageName}`, `Install it: npm install ${packageName}`);
  }
  return loaded;
}

function isNotInstalled(error: unknown, packageName: string): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  return code === 'MODULE_NOT_FOUND' && typeof message === 'string' && message.includes(`'${packageName}'`);
}

/** The parts of a request the guard reads and writes, whatever the transport. */
export interface AuthRequest {
  headers?: Record<string, string | string[] | undefined>;
  query?: Record<string, unknown>;
  user?: unknown;
  [key: string]: unknown;
}

/** An Express response (`append`, `setHeader`) or a Fastify reply (`header`, which appends Set-Cookie). */
type HeaderTarget = {
  append?: (name: string, value: string | string[]) => unknown;
  header?: (name: string, value: string | string[]) => unknown;
  setHeader?: (name: string, value: string | string[]) => unknown;
};

/** Adds Set-Cookie values without dropping those the app or another interceptor wrote. */
export function appendSetCookie(response: unknown, values: string[]): void {
  const target = response as HeaderTarget;
  if (typeof target.append === 'function') target.append('Set-Cookie', values);
  else if (typeof target.header === 'function') target.header('Set-Cookie', values);
  else throw new TypeError('Cookie mode needs an Express or Fastify response');
}

export function setHeader(response: unknown, name: string, value: string): void {
  const target = response as HeaderTarget;
  if (typeof target.header === 'function') target.header(name, value);
  else if (typeof target.setHeader === 'function') target.setHeader(name, value);
}

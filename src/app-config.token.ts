/** Injection token of the demo's AppConfig. */
export const APP_CONFIG = Symbol('APP_CONFIG');

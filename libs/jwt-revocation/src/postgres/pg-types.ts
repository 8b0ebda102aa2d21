// The little of node-postgres (`pg`) the broadcaster uses, typed here so the published types need no @types/pg.

/** node-postgres `ClientConfig` (connectionString, host, port, user, password, ssl, ...). */
export type PostgresConnectionConfig = Record<string, unknown>;

/** What publishing needs: a `pg.Pool` or `pg.Client`. */
export interface PostgresQueryable {
  query(text: string, values?: unknown[]): Promise<unknown>;
}

export interface PgClient extends PostgresQueryable {
  connect(): Promise<void>;
  end(): Promise<void>;
  on(event: 'error' | 'end', listener: () => void): this;
  on(event: 'notification', listener: (notification: { channel: string; payload?: string }) => void): this;
}

export interface PgPool extends PostgresQueryable {
  end(): Promise<void>;
  on(event: 'error', listener: () => void): this;
}

export interface PgModule {
  Client: new (config: PostgresConnectionConfig) => PgClient;
  Pool: new (config: PostgresConnectionConfig) => PgPool;
}

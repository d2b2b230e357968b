/**
 * The attestation database schema, modelled on strongSwan's attest database (libimcv's
 * `imv/tables.sql`): products, directories + files, file_hashes (reference file hashes per
 * algorithm), components + component_hashes (BIOS evidence per device), devices with their AIK keys, sessions and
 * results. Plus ima_measurements: IMA template hashes learned on first contact (strongSwan learns file hashes, which
 * an ima-ng Simple Component Evidence does not carry).
 *
 * Migrations run in order inside one transaction each; `PRAGMA user_version` is the number applied. A database whose
 * user_version is higher than {@link SCHEMA_VERSION} is refused (ERR_STORE_SCHEMA), never downgraded.
 */

/** Migration i takes the schema from version i to i + 1. Never edit an applied migration: append a new one. */
export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE products (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
  );
  CREATE TABLE directories (
    id INTEGER PRIMARY KEY,
    path TEXT NOT NULL UNIQUE
  );
  CREATE TABLE files (
    id INTEGER PRIMARY KEY,
    dir INTEGER NOT NULL REFERENCES directories(id),
    name TEXT NOT NULL,
    UNIQUE (dir, name)
  );
  CREATE TABLE file_hashes (
    id INTEGER PRIMARY KEY,
    file INTEGER NOT NULL REFERENCES files(id) ON DELETE CASCADE,
    product INTEGER REFERENCES products(id),
    algo TEXT NOT NULL,
    hash BLOB NOT NULL,
    created INTEGER NOT NULL,
    UNIQUE (file, algo, hash)
  );
  CREATE TABLE components (
    id INTEGER PRIMARY KEY,
    vendor_id INTEGER NOT NULL,
    name INTEGER NOT NULL,
    qualifier INTEGER NOT NULL,
    UNIQUE (vendor_id, name, qualifier)
  );
  CREATE TABLE devices (
    id INTEGER PRIMARY KEY,
    value TEXT NOT NULL UNIQUE,
    product INTEGER REFERENCES products(id),
    description TEXT,
    created INTEGER NOT NULL
  );
  CREATE TABLE aik_keys (
    id INTEGER PRIMARY KEY,
    device INTEGER NOT NULL UNIQUE REFERENCES devices(id) ON DELETE CASCADE,
    keyid BLOB NOT NULL,
    public_key BLOB NOT NULL,
    trusted INTEGER NOT NULL DEFAULT 0,
    created INTEGER NOT NULL
  );
  CREATE TABLE component_hashes (
    component INTEGER NOT NULL REFERENCES components(id),
    device INTEGER NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
    seq_no INTEGER NOT NULL,
    pcr INTEGER NOT NULL,
    algo INTEGER NOT NULL,
    hash BLOB NOT NULL,
    PRIMARY KEY (component, device, algo, seq_no)
  );
  CREATE TABLE ima_measurements (
    id INTEGER PRIMARY KEY,
    file INTEGER NOT NULL REFERENCES files(id) ON DELETE CASCADE,
    algo INTEGER NOT NULL,
    hash BLOB NOT NULL,
    device INTEGER REFERENCES devices(id) ON DELETE SET NULL,
    created INTEGER NOT NULL,
    UNIQUE (file, algo, hash)
  );
  CREATE TABLE sessions (
    id INTEGER PRIMARY KEY,
    time INTEGER NOT NULL,
    connection INTEGER NOT NULL,
    identity TEXT,
    device INTEGER REFERENCES devices(id) ON DELETE SET NULL,
    rec INTEGER,
    evaluation INTEGER,
    ended INTEGER
  );
  CREATE TABLE results (
    id INTEGER PRIMARY KEY,
    session INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    result TEXT NOT NULL
  );
  CREATE INDEX results_session ON results (session);
  CREATE INDEX sessions_time ON sessions (time);
  `,
];

/** The schema version this code writes. */
export const SCHEMA_VERSION = MIGRATIONS.length;

/** Tables a migrated database must have (checked on open, so a foreign database is refused early). */
export const REQUIRED_TABLES = ['products', 'directories', 'files', 'file_hashes', 'components', 'devices', 'aik_keys', 'component_hashes', 'ima_measurements', 'sessions', 'results'];

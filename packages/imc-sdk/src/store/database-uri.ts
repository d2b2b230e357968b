/**
 * Where the attestation database lives, as strongSwan's `libimcv.database` names it (`sqlite:///etc/pts/config.db`)
 * or as a plain path; `:memory:` is a private in-memory database.
 */

export interface DatabaseLocation {
  driver: 'sqlite';
  /** File path, or `:memory:`. */
  path: string;
}

/**
 * Parse `sqlite:///abs/path`, `sqlite://rel/path`, `:memory:`, `sqlite://:memory:` or a plain file path.
 * @throws TypeError for another driver (`mysql://…`: a server database needs its own store) or an empty path
 */
export function parseDatabaseUri(uri: string): DatabaseLocation {
  if (typeof uri !== 'string' || uri.length === 0) throw new TypeError('database: empty location');
  const m = /^([a-z][a-z0-9+.-]*):\/\/(.*)$/is.exec(uri);
  if (!m) return { driver: 'sqlite', path: uri };
  if (m[1].toLowerCase() !== 'sqlite') throw new TypeError(`database: unsupported driver '${m[1]}' (only sqlite:// is built in)`);
  if (m[2].length === 0) throw new TypeError('database: empty path after sqlite://');
  return { driver: 'sqlite', path: m[2] };
}

/** The inverse of {@link parseDatabaseUri} for a path. */
export function formatDatabaseUri(path: string): string {
  return `sqlite://${path}`;
}

/**
 * Split a file path for strongSwan's `directories`/`files` tables: `/usr/bin/ls` → [`/usr/bin/`, `ls`]. The directory
 * keeps its trailing slash so that every string splits and joins back unchanged (`//x`, `a/`, `x`).
 */
export function splitFilePath(path: string): [dir: string, name: string] {
  const i = path.lastIndexOf('/');
  return [path.slice(0, i + 1), path.slice(i + 1)];
}

/** The inverse of {@link splitFilePath}. */
export function joinFilePath(dir: string, name: string): string {
  return dir + name;
}

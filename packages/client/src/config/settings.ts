/**
 * strongSwan's settings syntax, as swanctl.conf and strongswan.conf use it (libstrongswan `settings_parser`):
 *
 * ```
 * # comment
 * connections {
 *    home {
 *       remote_addrs = 192.168.0.1      # the value runs to the end of the line, a '#' or a '}'
 *       local {
 *          id = "carol@strongswan.org"  # or a quoted string ("\"", "\\", "\n", "\t" escapes; may span lines)
 *       }
 *    }
 * }
 * include conf.d/*.conf                 # relative to the including file; `*` and `?` in the last component
 * ```
 *
 * Sections with the same name merge; a repeated key keeps the last value (as strongSwan). Section references
 * (`name : other { }`) are refused with a clear error. The parser never throws anything but `ConfigError`, and it is
 * bounded: input size, nesting depth, include depth and number of entries.
 */
import { ConfigError } from './errors.js';

/** A `key = value` with where it was written. */
export interface SettingsValue {
  value: string;
  file: string;
  line: number;
}

/** A `name { … }` section (the root has name ''). */
export interface SettingsSection {
  name: string;
  file: string;
  line: number;
  values: Map<string, SettingsValue>;
  sections: Map<string, SettingsSection>;
}

/** Reads included files: every file matching `pattern` (already resolved against the including file's directory). */
export type IncludeReader = (pattern: string, where: { file: string; line: number }) => { file: string; text: string }[];

export interface ParseSettingsOptions {
  /** Name of the text's file, for messages (default `<config>`). */
  file?: string;
  /** Handles `include`; without it an include is an error. */
  include?: IncludeReader;
  /** Refuse texts larger than this many characters (default 1 MiB). */
  maxChars?: number;
}

/** Limits of the parser (a configuration is written by hand: these are far above any real one). */
export const SETTINGS_LIMITS = { maxChars: 1 << 20, maxDepth: 32, maxIncludeDepth: 8, maxEntries: 100_000, maxNameLength: 256 } as const;

interface State {
  entries: number;
  includeDepth: number;
  include?: IncludeReader;
  maxChars: number;
}

const NAME_STOP = new Set([' ', '\t', '\r', '\n', '{', '}', '=', '#', ':', ',', '"']);

export function emptySection(name: string, file: string, line: number): SettingsSection {
  return { name, file, line, values: new Map(), sections: new Map() };
}

/**
 * Parse settings text into a tree.
 * @throws ConfigError `ERR_CONFIG_SYNTAX` (with file and line) for malformed text, `ERR_CONFIG_FILE` for an include
 *   that cannot be read
 * @example parseSettings('connections { home { remote_addrs = 192.168.0.1 } }').sections.get('connections')
 */
export function parseSettings(text: string, options: ParseSettingsOptions = {}): SettingsSection {
  const file = options.file ?? '<config>';
  const root = emptySection('', file, 1);
  const st: State = { entries: 0, includeDepth: 0, include: options.include, maxChars: options.maxChars ?? SETTINGS_LIMITS.maxChars };
  parseInto(root, text, file, st);
  return root;
}

function parseInto(root: SettingsSection, text: string, file: string, st: State): void {
  if (typeof text !== 'string') throw new ConfigError('ERR_CONFIG_SYNTAX', 'configuration is not text', { file });
  if (text.length > st.maxChars) throw new ConfigError('ERR_CONFIG_SYNTAX', `file too large (${text.length} characters, at most ${st.maxChars})`, { file });
  let pos = 0;
  let line = 1;
  const stack: SettingsSection[] = [root];
  const err = (reason: string, at = line): ConfigError => new ConfigError('ERR_CONFIG_SYNTAX', reason, { file, line: at });
  const n = text.length;

  /** Skip blanks, line breaks and comments. */
  const skipSpace = (): void => {
    while (pos < n) {
      const c = text[pos];
      if (c === '\n') {
        line++;
        pos++;
      } else if (c === ' ' || c === '\t' || c === '\r' || c === '\ufeff') pos++;
      else if (c === '#') while (pos < n && text[pos] !== '\n') pos++;
      else break;
    }
  };
  /** Skip blanks on this line only. */
  const skipBlanks = (): void => {
    while (pos < n && (text[pos] === ' ' || text[pos] === '\t' || text[pos] === '\r')) pos++;
  };
  /** After a value: only blanks, a comment or the end of the line may follow. */
  const endOfLine = (): void => {
    skipBlanks();
    if (pos < n && text[pos] === '#') while (pos < n && text[pos] !== '\n') pos++;
    if (pos < n && text[pos] !== '\n' && text[pos] !== '}') throw err(`unexpected '${printable(text[pos])}' after the value (one setting per line)`);
  };
  const readName = (): string => {
    const start = pos;
    while (pos < n && !NAME_STOP.has(text[pos])) pos++;
    const name = text.slice(start, pos);
    if (name.length > SETTINGS_LIMITS.maxNameLength) throw err(`name longer than ${SETTINGS_LIMITS.maxNameLength} characters`);
    return name;
  };
  const readQuoted = (): string => {
    const startLine = line;
    pos++; // opening quote
    let out = '';
    for (;;) {
      if (pos >= n) throw err('unterminated quoted string', startLine);
      const c = text[pos++];
      if (c === '"') return out;
      if (c === '\n') line++;
      if (c === '\\') {
        if (pos >= n) throw err('unterminated quoted string', startLine);
        const e = text[pos++];
        if (e === '\n') line++;
        out += e === 'n' ? '\n' : e === 't' ? '\t' : e === 'r' ? '\r' : e;
      } else out += c;
    }
  };
  const readLineValue = (): string => {
    const start = pos;
    while (pos < n && text[pos] !== '\n' && text[pos] !== '#' && text[pos] !== '}') pos++;
    return text.slice(start, pos).trim();
  };
  const count = (): void => {
    if (++st.entries > SETTINGS_LIMITS.maxEntries) throw err(`more than ${SETTINGS_LIMITS.maxEntries} settings`);
  };

  for (;;) {
    skipSpace();
    if (pos >= n) break;
    const c = text[pos];
    const top = stack[stack.length - 1];
    if (c === '}') {
      if (stack.length === 1) throw err("unexpected '}' (no section is open)");
      stack.pop();
      pos++;
      continue;
    }
    if (c === '{' || c === '=' || c === ':' || c === ',' || c === '"') throw err(`unexpected '${c}' where a setting or section name belongs`);
    const nameLine = line;
    const name = readName();
    skipBlanks();
    // `include <pattern>`: a keyword unless it is used as a key or section name
    if (name === 'include' && pos < n && text[pos] !== '=' && text[pos] !== '{' && text[pos] !== '\n' && text[pos] !== '#') {
      const pattern = text[pos] === '"' ? readQuoted() : readLineValue();
      endOfLine();
      if (!pattern) throw err('include without a file name', nameLine);
      include(top, pattern, { file, line: nameLine }, st);
      continue;
    }
    skipSpace();
    if (pos >= n) throw err(`'${name}' is followed by nothing (expected '= value' or '{')`, nameLine);
    const next = text[pos];
    if (next === '=') {
      pos++;
      skipBlanks();
      const value = pos < n && text[pos] === '"' ? readQuoted() : readLineValue();
      endOfLine();
      count();
      top.values.set(name, { value, file, line: nameLine });
    } else if (next === '{') {
      pos++;
      if (stack.length > SETTINGS_LIMITS.maxDepth) throw err(`sections nested deeper than ${SETTINGS_LIMITS.maxDepth}`, nameLine);
      count();
      let section = top.sections.get(name);
      if (!section) {
        section = emptySection(name, file, nameLine);
        top.sections.set(name, section);
      }
      stack.push(section);
    } else if (next === ':') {
      throw err(`section references ('${name} : …') are not supported by tnc-client`, nameLine);
    } else {
      throw err(`expected '=' or '{' after '${name}', found '${printable(next)}'`, line);
    }
  }
  if (stack.length > 1) {
    const open = stack[stack.length - 1];
    throw err(`missing '}' for section '${open.name}' opened at line ${open.line}`, line);
  }
}

function include(into: SettingsSection, pattern: string, where: { file: string; line: number }, st: State): void {
  if (!st.include) throw new ConfigError('ERR_CONFIG_SYNTAX', 'include is not allowed here', where);
  if (st.includeDepth >= SETTINGS_LIMITS.maxIncludeDepth) {
    throw new ConfigError('ERR_CONFIG_SYNTAX', `includes nested deeper than ${SETTINGS_LIMITS.maxIncludeDepth} (an include loop?)`, where);
  }
  const files = st.include(pattern, where);
  st.includeDepth++;
  try {
    for (const f of files) {
      // an included file's text is parsed as if written at this point, inside `into`
      const sub = emptySection(into.name, f.file, 1);
      parseInto(sub, f.text, f.file, st);
      mergeSection(into, sub);
    }
  } finally {
    st.includeDepth--;
  }
}

/** Merge `from` into `into` (sections merge recursively, values overwrite). */
export function mergeSection(into: SettingsSection, from: SettingsSection): void {
  for (const [k, v] of from.values) into.values.set(k, v);
  for (const [k, s] of from.sections) {
    const have = into.sections.get(k);
    if (have) mergeSection(have, s);
    else into.sections.set(k, s);
  }
}

function printable(c: string): string {
  const code = c.codePointAt(0) ?? 0;
  return code < 0x20 || code === 0x7f ? `\\x${code.toString(16).padStart(2, '0')}` : c;
}

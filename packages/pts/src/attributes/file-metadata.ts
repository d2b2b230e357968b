/**
 * Request File Metadata (0x00700000): flags (0x80 directory contents), delimiter u8 ('/' or '\'), reserved u16, path.
 * Unix-Style File Metadata (0x00900000): number of files u64, then per file: metadata length u16 (52 + name),
 * file type u8, reserved u8, size u64, create (ctime) u64, modify u64, access u64, owner u64, group u64, file name.
 */
import { PEN, struct, flagsOf, u8, reserved, utf8, custom, utf8ByteLength, decodeUtf8, DecodeError, type Json, type Reader, type Writer } from '@tncjs/common';
import { defineAttribute } from '@tncjs/pa-tnc';
import { obj, int, str } from './json-fields.js';
import { TcgPtsAttr } from './names.js';

export const RequestFileMetadata = defineAttribute({
  vendorId: PEN.TCG,
  type: TcgPtsAttr.REQ_FILE_META,
  name: 'TCG/Request File Metadata',
  body: struct({ flags: flagsOf(8, { directory: 0x80 }), delimiter: u8, _r: reserved(2), pathname: utf8('rest') }),
});

export const FILE_TYPE_NAMES: Readonly<Record<number, string>> = {
  0: 'Other',
  1: 'FIFO',
  2: 'Character-Special',
  3: 'Reserved-3',
  4: 'Directory',
  5: 'Reserved-5',
  6: 'Block-Special',
  7: 'Reserved-7',
  8: 'Regular',
  9: 'Reserved-9',
  10: 'Symbolic-Link',
  11: 'Reserved-11',
  12: 'Socket',
};

export interface UnixFileMetadata {
  type: number;
  size: bigint;
  created: bigint;
  modified: bigint;
  accessed: bigint;
  owner: bigint;
  group: bigint;
  filename: string;
}

const FILE_HEADER = 52;

const unixFileMetadata = custom<{ files: UnixFileMetadata[] }>('UnixFileMetadata', {
  encode(w: Writer, v) {
    w.u64(BigInt(v.files.length));
    for (const f of v.files) {
      const n = utf8ByteLength(f.filename);
      w.u16(FILE_HEADER + n).u8(f.type).u8(0).u64(f.size).u64(f.created).u64(f.modified).u64(f.accessed).u64(f.owner).u64(f.group).utf8(f.filename, n);
    }
  },
  decode(r: Reader) {
    const count = r.u64('number of files');
    const files: UnixFileMetadata[] = [];
    for (let i = 0n; i < count; i++) {
      const at = r.offset;
      const len = r.u16('file metadata length');
      if (len < FILE_HEADER) throw new DecodeError(`file metadata length ${len} below ${FILE_HEADER}`, at, { code: 'ERR_VALUE' });
      const e = r.sub(len - 2, 'file metadata');
      const type = e.u8();
      e.skip(1);
      const f = { type, size: e.u64(), created: e.u64(), modified: e.u64(), accessed: e.u64(), owner: e.u64(), group: e.u64(), filename: '' };
      const nameAt = e.offset;
      f.filename = decodeUtf8(e.borrow(e.remaining), nameAt);
      files.push(f);
    }
    return { files };
  },
  toJSON: (v): Json => ({
    files: v.files.map((f) => ({
      type: FILE_TYPE_NAMES[f.type] ?? f.type,
      size: f.size.toString(),
      created: f.created.toString(),
      modified: f.modified.toString(),
      accessed: f.accessed.toString(),
      owner: f.owner.toString(),
      group: f.group.toString(),
      filename: f.filename,
    })),
  }),
  fromJSON(j, path) {
    const o = obj(j, path);
    if (!Array.isArray(o.files)) throw new TypeError(`${path}.files: expected array`);
    return {
      files: o.files.map((x, i) => {
        const p = `${path}.files[${i}]`;
        const f = obj(x, p);
        const big = (k: string) => {
          const s = f[k];
          if ((typeof s !== 'string' && typeof s !== 'number') || !/^\d+$/.test(String(s))) throw new TypeError(`${p}.${k}: expected decimal integer`);
          return BigInt(s);
        };
        const t = typeof f.type === 'string' ? Number(Object.entries(FILE_TYPE_NAMES).find(([, n]) => n === f.type)?.[0]) : int(f, 'type', p, 0xff);
        if (!Number.isInteger(t)) throw new TypeError(`${p}.type: unknown file type`);
        return { type: t, size: big('size'), created: big('created'), modified: big('modified'), accessed: big('accessed'), owner: big('owner'), group: big('group'), filename: str(f, 'filename', p) };
      }),
    };
  },
});

export const UnixStyleFileMetadata = defineAttribute({
  vendorId: PEN.TCG,
  type: TcgPtsAttr.UNIX_FILE_META,
  name: 'TCG/Unix-Style File Metadata',
  body: unixFileMetadata,
});

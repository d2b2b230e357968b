/**
 * Request File Measurement (0x00c00000): flags (0x80 directory contents), reserved u8, request ID u16, delimiter u32,
 * path. File Measurement (0x00d00000): number of files u64, request ID u16, measurement length M u16, then per file
 * M bytes of measurement and a u16-length file name.
 */
import { PEN, struct, flagsOf, u16, u32, reserved, utf8, custom, toHex, utf8ByteLength, decodeUtf8, type Json, type Reader, type Writer } from '@tncjs/common';
import { defineAttribute } from '@tncjs/pa-tnc';
import { obj, int, hex, str } from './json-fields.js';
import { TcgPtsAttr } from './names.js';

export const RequestFileMeasurement = defineAttribute({
  vendorId: PEN.TCG,
  type: TcgPtsAttr.REQ_FILE_MEAS,
  name: 'TCG/Request File Measurement',
  body: struct({ flags: flagsOf(8, { directory: 0x80 }), _r: reserved(1), requestId: u16, delimiter: u32, pathname: utf8('rest') }),
});

export interface FileMeasurementValue {
  requestId: number;
  files: { measurement: Uint8Array; filename: string }[];
}

const fileMeasurement = custom<FileMeasurementValue>('FileMeasurement', {
  encode(w: Writer, v) {
    const m = v.files[0]?.measurement.byteLength ?? 0;
    w.u64(BigInt(v.files.length)).u16(v.requestId).u16(m);
    for (const f of v.files) {
      if (f.measurement.byteLength !== m) throw new RangeError('all measurements of a File Measurement must have the same length');
      const n = utf8ByteLength(f.filename);
      w.bytes(f.measurement).u16(n).utf8(f.filename, n);
    }
  },
  decode(r: Reader) {
    const count = r.u64('number of files');
    const requestId = r.u16('request ID');
    const m = r.u16('measurement length');
    const files: FileMeasurementValue['files'] = [];
    for (let i = 0n; i < count; i++) {
      const measurement = r.bytes(m, 'measurement');
      const n = r.u16('file name length');
      const at = r.offset;
      files.push({ measurement, filename: decodeUtf8(r.borrow(n, 'file name'), at) });
    }
    return { requestId, files };
  },
  toJSON: (v): Json => ({ requestId: v.requestId, files: v.files.map((f) => ({ measurement: toHex(f.measurement), filename: f.filename })) }),
  fromJSON(j, path) {
    const o = obj(j, path);
    if (!Array.isArray(o.files)) throw new TypeError(`${path}.files: expected array`);
    return {
      requestId: int(o, 'requestId', path, 0xffff),
      files: o.files.map((x, i) => {
        const f = obj(x, `${path}.files[${i}]`);
        return { measurement: hex(f, 'measurement', `${path}.files[${i}]`), filename: str(f, 'filename', `${path}.files[${i}]`) };
      }),
    };
  },
});

export const FileMeasurement = defineAttribute({
  vendorId: PEN.TCG,
  type: TcgPtsAttr.FILE_MEAS,
  name: 'TCG/File Measurement',
  body: fileMeasurement,
});

/** strongSwan-format logging: line format, per-subsystem levels, JSON mode, dumps, level parsing. */
import { Logger, parseLevels, formatTime, hexdump, getLogger, setLogger, SUBSYSTEMS } from '../src/index.js';

function capture(options: ConstructorParameters<typeof Logger>[0] = {}) {
  const lines: string[] = [];
  return { lines, log: new Logger({ ...options, sink: (l) => lines.push(l) }) };
}

test('charon line format with thread number and subsystem', () => {
  const { lines, log } = capture({ thread: 6 });
  log.log('TNC', 1, 'processing PB-TNC SDATA batch');
  log.withThread(15).log('IMC', 0, 'IMC 1 "OS" initialized');
  expect(lines).toEqual(['06[TNC] processing PB-TNC SDATA batch', '15[IMC] IMC 1 "OS" initialized']);
});

test('per-subsystem levels; the default level is 1 as charon', () => {
  const { lines, log } = capture({ levels: { TNC: 2, PTS: -1 } });
  log.log('TNC', 2, 'tnc 2');
  log.log('IKE', 2, 'ike 2 (hidden)');
  log.log('IKE', 1, 'ike 1');
  log.log('PTS', 0, 'pts 0 (hidden: silent)');
  expect(lines).toEqual(['00[TNC] tnc 2', '00[IKE] ike 1']);
  log.setLevel('any', 3);
  log.log('IKE', 3, 'ike 3');
  expect(lines.at(-1)).toBe('00[IKE] ike 3');
});

test('messages are only built when enabled (thunks), and level 4 is needed for secrets', () => {
  const { lines, log } = capture();
  let built = 0;
  log.log('IKE', 4, () => (built++, 'EAP password: secret'));
  expect(built).toBe(0);
  expect(lines).toEqual([]);
});

test('JSON mode: one object per line', () => {
  const { lines, log } = capture({ json: true, thread: 8 });
  log.log('PTS', 1, "loaded bios measurements '/sys/kernel/security/tpm0/binary_bios_measurements' (23 entries)");
  const o = JSON.parse(lines[0]);
  expect(o).toMatchObject({ thread: 8, subsystem: 'PTS', level: 1, message: expect.stringContaining('23 entries') });
  expect(Date.parse(o.time)).not.toBeNaN();
});

test('time stamps in charon format, multi-line messages keep the prefix on every line', () => {
  expect(formatTime(new Date(2014, 11, 15, 12, 23, 6))).toBe('Dec 15 12:23:06');
  expect(formatTime(new Date(2014, 11, 5, 1, 2, 3))).toBe('Dec  5 01:02:03');
  const { lines, log } = capture({ timestamps: true });
  log.log('TNC', 1, 'a\nb');
  expect(lines).toHaveLength(2);
  expect(lines[1]).toMatch(/^[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d 00\[TNC\] b$/);
});

test("charon's hex dump", () => {
  const nonce = Uint8Array.from([0x60, 0x8e, 0x64, 0xfd, 0xed, 0xc3, 0xdb, 0x9e, 0x90, 0x77, 0xb6, 0xc6, 0xb8, 0x33, 0xc6, 0xdc, 0x77, 0x84, 0x65, 0x95]);
  expect(hexdump(nonce).split('\n')).toEqual([
    '   0: 60 8E 64 FD ED C3 DB 9E 90 77 B6 C6 B8 33 C6 DC  `.d......w...3..',
    '  16: 77 84 65 95                                      w.e.',
  ]);
  const { lines, log } = capture({ levels: { PTS: 3 } });
  log.dump('PTS', 3, 'initiator nonce:', nonce);
  expect(lines[0]).toBe('00[PTS] initiator nonce: => 20 bytes');
  expect(lines).toHaveLength(3);
});

test('level specifications as charon-cmd takes them', () => {
  expect(parseLevels('2')).toEqual({ defaultLevel: 2, levels: {} });
  expect(parseLevels('tnc 3, pts 2, any 1')).toEqual({ defaultLevel: 1, levels: { TNC: 3, PTS: 2 } });
  expect(parseLevels('ike=-1')).toEqual({ levels: { IKE: -1 } });
  expect(() => parseLevels('foo 2')).toThrow(TypeError);
  expect(() => parseLevels('tnc 5')).toThrow(/out of range/);
  expect(() => parseLevels('tnc two')).toThrow(TypeError);
  expect(SUBSYSTEMS).toEqual(expect.arrayContaining(['DMN', 'IKE', 'ENC', 'NET', 'CFG', 'TLS', 'TNC', 'IMC', 'IMV', 'PTS', 'LIB']));
});

test('library code is silent until an application sets a logger', () => {
  const before = getLogger();
  expect(before.enabled('TNC', 0)).toBe(false);
  const { lines, log } = capture();
  setLogger(log);
  try {
    getLogger().log('TNC', 1, 'now visible');
    expect(lines).toEqual(['00[TNC] now visible']);
  } finally {
    setLogger(before);
  }
});

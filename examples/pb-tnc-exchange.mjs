#!/usr/bin/env node
// A full PB-TNC exchange between our client role (carol) and our server role (moon), in one process, printing
// strongSwan-style log lines. carol's "OS IMC" sends the seed's 7 operating-system attributes in the first CDATA batch
// (269 bytes, as in the seed); moon's "OS IMV" asks for the installed packages, checks the answer and decides.
// Run after `npm run build`: node examples/pb-tnc-exchange.mjs [--json] [--forwarding-enabled]
// With --forwarding-enabled the IMV finds IPv4 forwarding on and isolates carol (exit code 3).
import { Logger, PEN, formatTime } from '@tncjs/common';
import { PbTncConnection, AccessRecommendation, peekBatchHeader } from '@tncjs/pb-tnc';
import {
  PaTncMessageBuilder,
  decodePaTncMessage,
  defaultAttributeRegistry,
  ProductInformation,
  StringVersion,
  NumericVersion,
  OperationalStatus,
  ForwardingEnabled,
  FactoryDefaultPasswordEnabled,
  ItaDeviceId,
  AttributeRequest,
  InstalledPackages,
  AssessmentResult,
  IetfAttr,
  EVALUATION_RESULT_NAMES,
} from '@tncjs/pa-tnc';

const json = process.argv.includes('--json');
process.stdout.on('error', () => process.exit(0)); // e.g. piped into head
const forwarding = process.argv.includes('--forwarding-enabled');
const registry = defaultAttributeRegistry();
const OS = { paVendorId: PEN.IETF, paSubtype: 1 };

/** One logger per host; text lines get the host name in front, as syslog shows them. */
function hostLogger(host, thread) {
  return new Logger({
    defaultLevel: 2,
    json,
    thread,
    sink: (line) => process.stdout.write(json ? `${line.slice(0, -1)},"host":"${host}"}\n` : `${formatTime(new Date())} ${host} tncjs: ${line}\n`),
  });
}
const carolLog = hostLogger('carol', 15);
const moonLog = hostLogger('moon ', 5);

let nextId = 0x54936c39;
const ids = () => nextId++;

/** The OS IMC: the seed's values. */
function osImcMessage() {
  carolLog.log('IMC', 1, "operating system name is 'Ubuntu'");
  carolLog.log('IMC', 1, "operating system version is '14.04 x86_64'");
  carolLog.log('IMC', 1, 'operating system numeric version is 14.4');
  carolLog.log('IMC', 1, `IPv4 forwarding is ${forwarding ? 'enabled' : 'disabled'}`);
  carolLog.log('IMC', 1, 'factory default password is disabled');
  carolLog.log('IMC', 1, 'device ID is e61276cae552799c71cc84abae619ab14c8b0b8b');
  return paMessage(
    carolLog,
    32722,
    ProductInformation.create({ productVendorId: 0x007132, productId: 0, productName: 'Ubuntu' }),
    StringVersion.create({ productVersion: '14.04 x86_64', internalBuild: '', configurationVersion: '' }),
    NumericVersion.create({ major: 14, minor: 4, build: 0, servicePackMajor: 0, servicePackMinor: 0 }),
    OperationalStatus.create({ status: 3, result: 1, lastUse: '2014-12-15T10:45:10Z' }),
    ForwardingEnabled.create({ status: forwarding ? 1 : 0 }),
    FactoryDefaultPasswordEnabled.create({ status: 0 }),
    ItaDeviceId.create({ deviceId: 'e61276cae552799c71cc84abae619ab14c8b0b8b' }),
  );
}

/** One PA-TNC message holding `attributes` (the IMC/IMV side of IF-M), logged as strongSwan does. */
function paMessage(log, maxMessageSize, ...attributes) {
  const b = new PaTncMessageBuilder({ maxMessageSize, nextIdentifier: ids, logger: log });
  for (const a of attributes) b.add(a);
  return b.finish()[0];
}

function logAttributes(log, body) {
  const m = decodePaTncMessage(body, { registry });
  log.log('TNC', 2, `processing PA-TNC message with ID 0x${m.identifier.toString(16).padStart(8, '0')}`);
  for (const a of m.attributes) {
    log.log('TNC', 2, `processing PA-TNC attribute type '${registry.nameOf(a.vendorId, a.typeId)}' 0x${a.vendorId.toString(16).padStart(6, '0')}/0x${a.typeId.toString(16).padStart(8, '0')}`);
  }
  return m;
}

// moon: the OS IMV
let askedPackages = false;
let verdict;
const moon = new PbTncConnection({
  role: 'server',
  connectionId: 1,
  maxBatchSize: 32754,
  logger: moonLog,
  handler: {
    paMessage: (pa) => {
      moonLog.log('IMV', 1, `IMV 1 "OS" received message for Connection ID 1 from IMC ${pa.collectorId}`);
      const m = logAttributes(moonLog, pa.body);
      for (const a of m.attributes) {
        if (ForwardingEnabled.is(a) && a.value.status === 1) verdict = { result: 2, reason: 'IPv4 forwarding is enabled' };
        if (InstalledPackages.is(a)) moonLog.log('IMV', 1, `received ${a.value.packages.length} installed packages`);
      }
    },
    batchEnding: (c) => {
      if (!askedPackages) {
        askedPackages = true;
        const request = AttributeRequest.create({ requests: [{ vendorId: PEN.IETF, type: IetfAttr.INSTALLED_PACKAGES }] });
        c.sendPa({ ...OS, collectorId: 1, validatorId: 1, body: paMessage(moonLog, c.maxMessageSize, request) });
        return;
      }
      const result = verdict?.result ?? 0;
      moonLog.log('IMV', 1, `IMV 1 "OS" provides recommendation '${result === 0 ? 'allow' : 'isolate'}' and evaluation '${EVALUATION_RESULT_NAMES[result]}'`);
      c.sendPa({ ...OS, collectorId: 1, validatorId: 1, body: paMessage(moonLog, c.maxMessageSize, AssessmentResult.create({ result })) });
      c.setRecommendation({
        assessment: result,
        recommendation: result === 0 ? AccessRecommendation.ALLOWED : AccessRecommendation.ISOLATED,
        reasons: verdict ? [{ reason: verdict.reason, languageCode: 'en' }] : [],
      });
    },
    closed: () => moonLog.log('TNC', 1, 'PB-TNC connection closed'),
  },
});

// carol: the OS IMC
let final;
const carol = new PbTncConnection({
  role: 'client',
  connectionId: 1,
  maxBatchSize: 32754,
  logger: carolLog,
  handler: {
    paMessage: (pa) => {
      carolLog.log('IMC', 1, `IMC 1 "OS" received message for Connection ID 1 from IMV ${pa.validatorId}`);
      const m = logAttributes(carolLog, pa.body);
      for (const a of m.attributes) {
        if (AttributeRequest.is(a)) {
          const packages = InstalledPackages.create({ packages: [{ name: 'strongswan', version: '5.2.1-1' }, { name: 'openssl', version: '1.0.1f-1ubuntu2.7' }] });
          carol.sendPa({ ...OS, collectorId: 1, validatorId: pa.validatorId, body: paMessage(carolLog, carol.maxMessageSize, packages) });
        }
        if (AssessmentResult.is(a)) {
          carolLog.log('IMC', 1, `***** assessment of IMC 1 "OS" from IMV ${pa.validatorId} *****`);
          carolLog.log('IMC', 1, `assessment result is '${EVALUATION_RESULT_NAMES[a.value.result]}'`);
          carolLog.log('IMC', 1, '***** end of assessment *****');
        }
      }
    },
    result: (r) => (final = r),
  },
});

carolLog.log('TNC', 1, 'assigned TNCCS Connection ID 1');
carol.sendPa({ ...OS, collectorId: 1, validatorId: 0xffff, body: osImcMessage() });

let batch = carol.build();
let toMoon = true;
let batches = 0;
const sizes = [];
while (batch) {
  batches++;
  sizes.push(`${toMoon ? 'carol→moon' : 'moon→carol'} ${['', 'CDATA', 'SDATA', 'RESULT', 'CRETRY', 'SRETRY', 'CLOSE'][peekBatchHeader(batch).type]} ${batch.byteLength}`);
  (toMoon ? moon : carol).receive(batch);
  batch = (toMoon ? moon : carol).build();
  toMoon = !toMoon;
}

if (!json) {
  process.stdout.write(`\n${batches} PB-TNC batches: ${sizes.join(', ')}\n`);
  process.stdout.write(`verdict: ${EVALUATION_RESULT_NAMES[final?.assessment ?? 4]}, ${final?.recommendation === 1 ? 'Access Allowed' : final?.recommendation === 3 ? 'Quarantined' : 'Access Denied'}\n`);
}
process.exitCode = final?.recommendation === AccessRecommendation.ALLOWED ? 0 : 3;

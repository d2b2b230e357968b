/**
 * `tnc-gateway`: the TNC gateway in the foreground with strongSwan-style log lines; SIGINT/SIGTERM stop it cleanly
 * (sockets closed, IMV states deleted, IMVs terminated). Exit code 0 after a signal, 1 on a configuration or start-up
 * error.
 */
import { Logger, isTncjsError } from '@tncjs/common';
import { TncGateway } from './gateway.js';
import { GATEWAY_HELP, parseGatewayArgs } from './config.js';

async function main(): Promise<number> {
  let cli;
  try {
    cli = parseGatewayArgs(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`tnc-gateway: ${(e as Error).message}\n`);
    return 1;
  }
  if (cli.help) {
    process.stdout.write(GATEWAY_HELP + '\n');
    return 0;
  }
  const logger = new Logger({ defaultLevel: cli.log.defaultLevel ?? 1, levels: cli.log.levels, json: cli.log.json, timestamps: !cli.log.json });
  logger.log('DMN', 1, `Starting TNC gateway tnc-gateway (tncjs, Node ${process.version}, ${process.platform})`);
  const gw = new TncGateway({ ...cli.options, logger });
  try {
    await gw.start();
  } catch (e) {
    logger.log('DMN', 0, `start-up failed: ${isTncjsError(e) ? `${e.code}: ` : ''}${(e as Error).message}`);
    await gw.close().catch(() => {});
    return 1;
  }
  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (sig: NodeJS.Signals) => {
      if (stopping) return;
      stopping = true;
      logger.log('DMN', 1, `signal of type ${sig} received. Shutting down`);
      gw.close().then(
        () => resolve(0),
        (e) => {
          logger.log('DMN', 0, `shutdown failed: ${(e as Error).message}`);
          resolve(1);
        },
      );
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}

process.exitCode = await main();

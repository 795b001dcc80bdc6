import { parseArgs } from 'node:util';
import { createIssuer } from '@gatehouse/authorization-server';
import { configOptions, loadCliConfig } from '../cli-config.js';
import { CONFIG_OPTION_HELP, type Command, UsageError } from '../command.js';

export const startCommand: Command = {
  name: 'start',
  summary: 'start the authorization server',
  help: `Usage: gatehouse start [options]

Starts the Gatehouse issuer: migrates the database, loads signing keys (creating the first
one if there is none), syncs the clients from the config file, and serves HTTP until it
receives SIGINT or SIGTERM. Logs are JSON lines on stdout. With tls.cert_file and
tls.key_file in the config, a second, HTTPS listener on tls.port asks clients for
certificates (mutual TLS, RFC 8705).

Options:
${CONFIG_OPTION_HELP}
  -p, --port N          port to listen on (default 8080, $GATEHOUSE_PORT)
      --host ADDR       address to listen on (default 127.0.0.1, $GATEHOUSE_HOST)
      --issuer URL      issuer identifier (default http://localhost:<port>, $GATEHOUSE_ISSUER)
  -h, --help            show this help

Environment:
  GATEHOUSE_MASTER_KEY  32 random bytes, base64url; encrypts signing keys and keys secret
                        digests. Without it, one is generated into <data-dir>/master.key.

Example:
  gatehouse start --config gatehouse.yaml --port 9000`,
  async run(args, io) {
    const { values } = parseArgs({
      args,
      options: {
        ...configOptions,
        port: { type: 'string', short: 'p' },
        host: { type: 'string' },
        issuer: { type: 'string' },
      },
      strict: true,
    });
    if (values.help) {
      io.out(this.help);
      return 0;
    }
    let port: number | undefined;
    if (values.port !== undefined) {
      port = Number(values.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) {
        throw new UsageError(`--port must be a number from 0 to 65535, not '${values.port}'`, 'start');
      }
    }
    const config = loadCliConfig({ ...values, port }, io);
    const issuer = await createIssuer(config, { env: io.env, processMetrics: true });
    const { app } = issuer;
    const address = await app.listen({ host: config.listen.host, port: config.listen.port });
    app.log.info({ issuer: config.issuer, address, store: issuer.context.store.kind }, 'gatehouse started');
    io.err(`Gatehouse issuer ${config.issuer} listening on ${address} (store: ${issuer.context.store.kind})`);
    io.err(`Discovery: ${config.issuer}/.well-known/openid-configuration`);
    if (issuer.mtlsApp && config.tls) {
      // RFC 8705: the second listener asks for client certificates; its URLs are the
      // mtls_endpoint_aliases in discovery.
      let mtlsAddress: string;
      try {
        mtlsAddress = await issuer.mtlsApp.listen({
          host: config.tls.host ?? config.listen.host,
          port: config.tls.port,
        });
      } catch (error) {
        // The plain listener is up already; without this it would keep the process alive.
        await issuer.close();
        throw error;
      }
      app.log.info({ address: mtlsAddress, aliases: issuer.context.mtls?.baseUrl }, 'mutual TLS listening');
      io.err(
        `Mutual TLS (client certificates) on ${mtlsAddress}, advertised as ${issuer.context.mtls?.baseUrl}`,
      );
    }

    if (issuer.managementApp && config.management) {
      let managementAddress: string;
      try {
        managementAddress = await issuer.managementApp.listen({
          host: config.management.host,
          port: config.management.port,
        });
      } catch (error) {
        await issuer.close();
        throw error;
      }
      app.log.info({ address: managementAddress }, 'management listening');
      io.err(`Probes and metrics (/healthz, /readyz, /metrics) on ${managementAddress}`);
    }

    return new Promise<number>((resolve) => {
      let stopping = false;
      const stop = (signal: string) => {
        if (stopping) return;
        stopping = true;
        app.log.info({ signal }, 'shutting down');
        issuer.close().then(
          () => resolve(0),
          (error: unknown) => {
            app.log.error({ err: error }, 'shutdown failed');
            resolve(1);
          },
        );
      };
      process.once('SIGINT', () => stop('SIGINT'));
      process.once('SIGTERM', () => stop('SIGTERM'));
    });
  },
};

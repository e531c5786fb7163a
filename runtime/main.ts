// `npm start`: the whole service in one process, configured from the environment.
import { ConfigError, loadConfig } from '../common/config.ts';
import { createLogger } from '../common/logger.ts';
import { startService } from './service.ts';
import { runUntilSignal, stopWithOneLine } from './process-lifecycle.ts';

let config;
try {
  config = loadConfig(process.env);
} catch (err) {
  stopWithOneLine(err);
}
const logger = createLogger(config.logLevel);
try {
  const service = await startService(config, logger);
  if (service.admin.created && service.admin.password) {
    process.stderr.write(
      `\nhomecare: first admin created. Log in as ${service.admin.username} with password ${service.admin.password}\n` +
        'homecare: this password is shown only this once; keep it safe (or set ADMIN_PASSWORD and create users in the console)\n\n',
    );
  }
  process.stderr.write(`console ${service.httpUrl}  mqtt ${service.mqttUrl}  mqtt-ws ${service.mqttWsUrl}\n`);
  runUntilSignal(service.close, logger);
} catch (err) {
  if (!(err instanceof ConfigError)) logger.fatal({ err }, 'start-up failed');
  stopWithOneLine(err);
}

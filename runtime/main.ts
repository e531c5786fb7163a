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
    process.stderr.write(`first admin created: ${service.admin.username} / ${service.admin.password} (shown once)\n`);
  }
  process.stderr.write(`console ${service.httpUrl}  mqtt ${service.mqttUrl}  mqtt-ws ${service.mqttWsUrl}\n`);
  runUntilSignal(service.close, logger);
} catch (err) {
  if (!(err instanceof ConfigError)) logger.fatal({ err }, 'start-up failed');
  stopWithOneLine(err);
}

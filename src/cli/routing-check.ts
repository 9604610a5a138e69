import { loadContactCenter } from '../config/contact-center';
import { loadConfig } from '../config/env';

/** `npm run routing:check [file]`: validates a routing file; errors name the file, the path and the problem. */
try {
  const file = process.argv[2] ?? loadConfig().routingConfigPath;
  const center = loadContactCenter(file);
  process.stdout.write(
    `${file}: OK — ${center.offices.length} offices, ${center.departments.length} departments, ${center.agents.length} agents, ${center.customers.length} CRM customers\n`,
  );
} catch (error) {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}

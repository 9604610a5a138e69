import { ConfigError, loadConfig } from '../../src/config/env';

/** The message with which loadConfig refuses `env`; fails the test when it is accepted. */
export function configError(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected the configuration to be refused');
}

import type { GatehouseConfig } from './schema.js';

type Problem = { key: string; message: string };

/** The rules of `sessions` a JSON schema cannot say. */
export function checkSessionSemantics(config: Pick<GatehouseConfig, 'sessions'>): Problem[] {
  const { idle_timeout, absolute_timeout } = config.sessions;
  if (absolute_timeout < idle_timeout) {
    return [
      {
        key: 'sessions.absolute_timeout',
        message: `must be at least idle_timeout (${idle_timeout}), or no session could ever reach its idle timeout`,
      },
    ];
  }
  return [];
}

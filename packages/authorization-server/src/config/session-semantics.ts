import type { GatehouseConfig } from './schema.js';

type Problem = { key: string; message: string };

/** The rules of `sessions` and of refresh-token lifetimes a JSON schema cannot say. */
export function checkSessionSemantics(config: Pick<GatehouseConfig, 'sessions' | 'tokens'>): Problem[] {
  const problems: Problem[] = [];
  const { idle_timeout, absolute_timeout } = config.sessions;
  if (absolute_timeout < idle_timeout) {
    problems.push({
      key: 'sessions.absolute_timeout',
      message: `must be at least idle_timeout (${idle_timeout}), or no session could ever reach its idle timeout`,
    });
  }
  const { refresh_token_idle_lifetime: idle, refresh_token_absolute_lifetime: absolute } = config.tokens;
  if (absolute < idle) {
    problems.push({
      key: 'tokens.refresh_token_absolute_lifetime',
      message: `must be at least refresh_token_idle_lifetime (${idle}), or no refresh token could reach its idle lifetime`,
    });
  }
  return problems;
}

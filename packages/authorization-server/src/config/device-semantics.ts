import type { GatehouseConfig } from './schema.js';

type Problem = { key: string; message: string };

/** The rules of `device` a JSON schema cannot say. */
export function checkDeviceSemantics(config: Pick<GatehouseConfig, 'device'>): Problem[] {
  const problems: Problem[] = [];
  const { code_lifetime, interval, verification_throttle: throttle } = config.device;
  if (interval >= code_lifetime) {
    problems.push({
      key: 'device.interval',
      message: `must be shorter than code_lifetime (${code_lifetime}), or a device could never poll in time`,
    });
  }
  if (throttle.max_delay < throttle.base_delay) {
    problems.push({ key: 'device.verification_throttle.max_delay', message: 'must be at least base_delay' });
  }
  if (throttle.forget_after < throttle.max_delay) {
    problems.push({
      key: 'device.verification_throttle.forget_after',
      message: 'must be at least max_delay, or a count would be forgotten while its wait still runs',
    });
  }
  return problems;
}

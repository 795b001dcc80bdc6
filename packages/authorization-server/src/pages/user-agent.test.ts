import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeUserAgent } from './user-agent.js';

describe('describeUserAgent', () => {
  it('names the browser and system of common user agents', () => {
    const cases: [string, string][] = [
      ['Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0', 'Firefox on Linux'],
      [
        'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0',
        'Edge on Windows',
      ],
      [
        'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15',
        'Safari on macOS',
      ],
      [
        'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1',
        'Safari on iOS',
      ],
      [
        'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36',
        'Chrome on Android',
      ],
      ['curl/8.5.0', 'Unknown device'],
    ];
    for (const [ua, expected] of cases) assert.equal(describeUserAgent(ua), expected, ua);
  });

  it('says so when there is no user agent', () => {
    assert.equal(describeUserAgent(undefined), 'Unknown device');
    assert.equal(describeUserAgent(''), 'Unknown device');
  });
});

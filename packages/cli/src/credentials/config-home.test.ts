import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { cliHomeDir } from './config-home.js';

describe('the CLI config directory', () => {
  it('is $GATEHOUSE_CLI_HOME when set, on every platform', () => {
    assert.equal(cliHomeDir({ GATEHOUSE_CLI_HOME: '/tmp/gh' }, 'linux', '/home/a'), '/tmp/gh');
    assert.equal(cliHomeDir({ GATEHOUSE_CLI_HOME: 'C:\\gh' }, 'win32', 'C:\\Users\\a'), 'C:\\gh');
  });

  it('follows XDG_CONFIG_HOME on Linux, else ~/.config', () => {
    assert.equal(cliHomeDir({ XDG_CONFIG_HOME: '/cfg' }, 'linux', '/home/a'), '/cfg/gatehouse');
    assert.equal(cliHomeDir({}, 'linux', '/home/a'), '/home/a/.config/gatehouse');
    assert.equal(cliHomeDir({ XDG_CONFIG_HOME: '' }, 'freebsd', '/home/a'), '/home/a/.config/gatehouse');
  });

  it('ignores a relative XDG_CONFIG_HOME, as the XDG spec requires', () => {
    assert.equal(cliHomeDir({ XDG_CONFIG_HOME: 'cfg' }, 'linux', '/home/a'), '/home/a/.config/gatehouse');
  });

  it('uses Application Support on macOS and %APPDATA% on Windows', () => {
    assert.equal(cliHomeDir({}, 'darwin', '/Users/a'), '/Users/a/Library/Application Support/gatehouse');
    assert.equal(
      cliHomeDir({ APPDATA: 'C:\\Users\\a\\AppData\\Roaming' }, 'win32', 'C:\\Users\\a'),
      join('C:\\Users\\a\\AppData\\Roaming', 'gatehouse'),
    );
  });
});

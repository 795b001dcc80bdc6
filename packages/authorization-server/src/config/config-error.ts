/** A configuration problem, naming the key in YAML form (`clients[0].scope`) and how to fix it. */
export class ConfigError extends Error {
  constructor(
    readonly problems: { key: string; message: string }[],
    readonly source: string,
  ) {
    super(
      `invalid configuration in ${source}:\n` +
        problems.map((p) => `  - ${p.key || '(top level)'}: ${p.message}`).join('\n'),
    );
    this.name = 'ConfigError';
  }
}

/** `/clients/0/client_id` -> `clients[0].client_id` */
export function yamlKey(pointer: string): string {
  return pointer
    .split('/')
    .slice(1)
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((path, part) => (/^\d+$/.test(part) ? `${path}[${part}]` : path ? `${path}.${part}` : part), '');
}

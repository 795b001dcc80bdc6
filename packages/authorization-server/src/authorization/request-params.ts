/**
 * The parameters of an authorization request, read the same way whether they came in the query
 * string (parsed by FormParams, which already refuses repeated parameters, RFC 6749 §3.1) or
 * from a pushed request kept in the store (RFC 9126).
 */
export interface ParamsLike {
  get(name: string): string | undefined;
  getAll(name: string): string[];
}

/** The parameters as stored for a pushed request: repeated ones (`resource`) as arrays. */
export type ParamsRecord = Record<string, string | string[]>;

/**
 * The authorization request parameters Gatehouse reads. Only these are kept from a pushed
 * request: RFC 6749 §3.1 says to ignore unrecognized parameters, and client authentication
 * parameters (`client_secret`, `client_assertion`) must never be stored.
 */
export const AUTHORIZATION_REQUEST_PARAMETERS = [
  'response_type',
  'response_mode',
  'client_id',
  'redirect_uri',
  'scope',
  'state',
  'nonce',
  'prompt',
  'max_age',
  'login_hint',
  'ui_locales',
  'resource',
  'code_challenge',
  'code_challenge_method',
  'dpop_jkt',
  'request',
  'request_uri',
] as const;

/** The known authorization request parameters of `params`, ready to store. */
export function recordFromParams(params: ParamsLike): ParamsRecord {
  const record: ParamsRecord = {};
  for (const name of AUTHORIZATION_REQUEST_PARAMETERS) {
    const values = params.getAll(name);
    if (values.length === 1) record[name] = values[0]!;
    else if (values.length > 1) record[name] = values;
  }
  return record;
}

/** Reads a stored record like a parsed query. */
export function paramsFromRecord(record: ParamsRecord): ParamsLike {
  const all = (name: string): string[] => {
    const value = Object.hasOwn(record, name) ? record[name] : undefined;
    if (value === undefined) return [];
    return Array.isArray(value) ? [...value] : [value];
  };
  return { get: (name) => all(name)[0], getAll: all };
}

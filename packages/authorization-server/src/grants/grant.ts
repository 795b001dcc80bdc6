import type { ClientRecord } from '@gatehouse/store';
import type { IssuerContext } from '../context.js';
import type { FormParams } from '../http/form-params.js';

/** RFC 6749 §5.1 successful token response (wire spelling). */
export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer' | 'DPoP';
  expires_in: number;
  scope?: string;
  refresh_token?: string;
  id_token?: string;
  issued_token_type?: string;
}

export interface GrantRequest {
  client: ClientRecord;
  /** Whether the client authenticated with a credential (not `none`). */
  confidential: boolean;
  params: FormParams;
}

/** A grant type the token endpoint dispatches to. Grants never see HTTP. */
export interface Grant {
  grantType: string;
  /** Parameters this grant reads, besides grant_type and client authentication. */
  parameters: readonly string[];
  handle(ctx: IssuerContext, request: GrantRequest): Promise<TokenResponse>;
}

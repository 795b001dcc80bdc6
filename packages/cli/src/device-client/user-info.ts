import {
  processUserInfoResponse,
  skipSubjectCheck,
  type UserInfoResponse,
  userInfoRequest,
} from 'oauth4webapi';
import { describeFailure, type IssuerConnection } from './issuer-connection.js';

/**
 * The UserInfo claims (OIDC Core §5.3) for `accessToken`. `expectedSubject` is the ID token's
 * `sub` when there is one: §5.3.2 says the sub "MUST be verified to exactly match".
 */
export async function fetchUserInfo(
  connection: IssuerConnection,
  accessToken: string,
  expectedSubject: string | undefined,
): Promise<UserInfoResponse | string> {
  const { as, client, http } = connection;
  if (as.userinfo_endpoint === undefined) return 'the issuer has no userinfo_endpoint';
  try {
    return await processUserInfoResponse(
      as,
      client,
      expectedSubject ?? skipSubjectCheck,
      await userInfoRequest(as, client, accessToken, http),
    );
  } catch (error) {
    return describeFailure(error);
  }
}

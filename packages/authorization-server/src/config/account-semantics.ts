import { normalizeEmail, normalizeUsername } from '@gatehouse/store';
import { isArgon2idHash } from '../accounts/password.js';
import { passwordPolicyProblem } from '../accounts/password-policy.js';
import { emailProblem, labelProblem, nameProblem, usernameProblem } from '../accounts/user-fields.js';
import type { GatehouseConfig } from './schema.js';

type Problem = { key: string; message: string };

/**
 * The rules of `accounts` and `users[]` a JSON schema cannot say. A message never repeats a
 * password or hash: config errors are printed and logged.
 */
export function checkAccountSemantics(config: GatehouseConfig): Problem[] {
  const problems: Problem[] = [];
  const throttle = config.accounts.login_throttle;
  if (throttle.max_delay < throttle.base_delay) {
    problems.push({ key: 'accounts.login_throttle.max_delay', message: 'must be at least base_delay' });
  }
  if (throttle.forget_after < throttle.max_delay) {
    problems.push({
      key: 'accounts.login_throttle.forget_after',
      message: 'must be at least max_delay, or a count would be forgotten while its wait still runs',
    });
  }

  const usernames = new Set<string>();
  const emails = new Set<string>();
  const policy = { minLength: config.accounts.password_min_length };
  config.users.forEach((user, i) => {
    const add = (field: string, message: string | undefined) => {
      if (message !== undefined) problems.push({ key: `users[${i}].${field}`, message });
    };
    add('username', usernameProblem(user.username));
    const usernameKey = normalizeUsername(user.username);
    if (usernames.has(usernameKey)) {
      add('username', `duplicate username '${user.username}' (usernames are compared regardless of case)`);
    }
    usernames.add(usernameKey);

    if (user.email !== undefined) {
      add('email', emailProblem(user.email));
      const emailKey = normalizeEmail(user.email);
      if (emails.has(emailKey)) {
        add('email', `duplicate email '${user.email}' (emails are compared regardless of case)`);
      }
      emails.add(emailKey);
    }
    if (user.email_verified && user.email === undefined) add('email_verified', 'needs an email');
    if (user.name !== undefined) add('name', nameProblem(user.name));
    for (const [j, role] of user.roles.entries()) add(`roles[${j}]`, labelProblem(role));
    for (const [j, group] of user.groups.entries()) add(`groups[${j}]`, labelProblem(group));

    if (user.password !== undefined && user.password_hash !== undefined) {
      add('password_hash', 'give password or password_hash, not both');
    } else if (user.password !== undefined) {
      add('password', passwordPolicyProblem(user.password, policy));
    } else if (user.password_hash !== undefined && !isArgon2idHash(user.password_hash)) {
      add(
        'password_hash',
        'must be an argon2id hash in PHC string form ($argon2id$v=19$m=…,t=…,p=…$salt$hash)',
      );
    }
  });
  return problems;
}

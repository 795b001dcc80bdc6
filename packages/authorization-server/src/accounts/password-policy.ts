/** Longest password accepted anywhere: bounds the work one request can cause. */
export const MAX_PASSWORD_LENGTH = 1024;

export interface PasswordPolicy {
  /** `accounts.password_min_length`; 12 by default. */
  minLength: number;
}

/**
 * Why a new password is not acceptable, or undefined when it is. Lengths count Unicode code
 * points, not UTF-16 units (NIST SP 800-63B §5.1.1.2: "each Unicode code point SHALL be
 * counted as a single character"). No composition rules: length is what makes a password
 * strong, and rules push people to predictable patterns.
 */
export function passwordPolicyProblem(password: string, policy: PasswordPolicy): string | undefined {
  if (password.trim() === '') return 'must not be empty or only whitespace';
  const length = [...password].length;
  if (length < policy.minLength) return `must be at least ${policy.minLength} characters`;
  if (length > MAX_PASSWORD_LENGTH) return `must be at most ${MAX_PASSWORD_LENGTH} characters`;
  return undefined;
}

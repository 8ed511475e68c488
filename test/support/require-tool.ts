/**
 * Tests that need a real program (curl, radosgw, chromium) must fail in CI when it is missing
 * and may skip locally, loudly. `describeWith` does exactly that.
 */
import { execFileSync } from 'node:child_process';

export function hasCommand(command: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export function describeWith(command: string, installHint: string): jest.Describe {
  return describeIf(hasCommand(command), command, installHint);
}

/** The same for any prerequisite (`what` names it), e.g. a Python module: fails in CI, skips loudly elsewhere. */
export function describeIf(available: boolean, what: string, installHint: string): jest.Describe {
  if (available) return describe;
  if (process.env.CI === 'true') throw new Error(`${what} is required in CI but not installed (${installHint})`);
  console.warn(`\n*** SKIPPED: ${what} is not installed (${installHint}); these tests did NOT run ***\n`);
  return describe.skip;
}

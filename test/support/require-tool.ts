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
  if (hasCommand(command)) return describe;
  if (process.env.CI === 'true') throw new Error(`${command} is required in CI but not installed (${installHint})`);
  console.warn(`\n*** SKIPPED: ${command} is not installed (${installHint}); these tests did NOT run ***\n`);
  return describe.skip;
}

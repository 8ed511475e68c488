/**
 * Runs the real git (and git-lfs) isolated from the machine's configuration: a minimal
 * environment (no inherited GIT_* or XDG variables), HOME in a temp dir holding the only global
 * config, GIT_CONFIG_NOSYSTEM, no terminal prompts. Credentials come from a per-repository
 * credential helper, so each clone acts as one user and git-lfs goes through the real
 * 401 -> credential helper -> retry dance.
 */
import { execFile } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

export interface GitResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface GitHome {
  readonly home: string;
  git(args: readonly string[], cwd: string, env?: Readonly<Record<string, string>>): Promise<GitResult>;
  /** Like git(), but throws with git's own output when it fails. */
  ok(args: readonly string[], cwd: string, env?: Readonly<Record<string, string>>): Promise<string>;
}

/** A HOME for git under `dir`, with a user, `main` as the default branch and the LFS filters installed. */
export async function gitHome(dir: string): Promise<GitHome> {
  const home = join(dir, 'home');
  mkdirSync(home, { recursive: true });
  const base = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, GIT_CONFIG_NOSYSTEM: '1', GIT_TERMINAL_PROMPT: '0', LANG: 'C', LC_ALL: 'C' };
  const git = (args: readonly string[], cwd: string, env: Readonly<Record<string, string>> = {}): Promise<GitResult> =>
    new Promise((resolve) => {
      execFile('git', [...args], { cwd, env: { ...base, ...env }, maxBuffer: 16 * 1024 * 1024, timeout: 300_000, encoding: 'utf8' }, (err, stdout, stderr) => {
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
      });
    });
  const ok = async (args: readonly string[], cwd: string, env?: Readonly<Record<string, string>>): Promise<string> => {
    const r = await git(args, cwd, env);
    if (r.code !== 0) throw new Error(`git ${args.join(' ')} failed (${r.code}):\n${r.stdout}\n${r.stderr}`);
    return r.stdout;
  };
  await ok(['config', '--global', 'user.name', 'Signpost Test'], home);
  await ok(['config', '--global', 'user.email', 'test@signpost.invalid'], home);
  await ok(['config', '--global', 'init.defaultBranch', 'main'], home);
  await ok(['lfs', 'install', '--skip-repo'], home);
  return { home, git, ok };
}

/** Makes `repo` talk to `lfsUrl` as `user` with `password` (a credential helper, as a team would set one up). */
export async function useLfsAs(g: GitHome, repo: string, lfsUrl: string, user: string, password: string): Promise<void> {
  await g.ok(['config', 'lfs.url', lfsUrl], repo);
  // Single quotes: git runs the helper through sh; keys are base64url, safe inside them.
  await g.ok(['config', 'credential.helper', `!f() { echo username=${user}; echo 'password=${password}'; }; f`], repo);
}

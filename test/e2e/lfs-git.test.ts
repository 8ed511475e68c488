/**
 * The real git-lfs client against Signpost on the embedded store, which verifies every upload's
 * x-amz-checksum-sha256: push, clone + pull, a read-only user, locks, a corrupted upload refused.
 * Needs git and git-lfs (Debian: git-lfs); in CI a missing one fails the run.
 */
import { describeWith } from '../support/require-tool';
import { startTeamGateway, type TeamGateway } from '../lfs/support';
import { lfsGitSuite } from './lfs-git-suite';

jest.setTimeout(300_000);

describeWith('git-lfs', 'apt-get install git git-lfs')('git-lfs against Signpost: embedded store', () => {
  let t: TeamGateway | undefined;
  lfsGitSuite({
    name: 'embedded',
    bindsContent: true,
    start: async () => (t = await startTeamGateway()),
    stop: async () => {
      await t?.stop();
    },
  });
});

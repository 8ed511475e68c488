/** The end-to-end suite against the embedded store: what `npm start` serves with zero setup. */
import { describeWith } from '../support/require-tool';
import { conformanceSuite } from './conformance';

describeWith('curl', 'apt-get install curl')('end to end with curl: embedded store', () => {
  conformanceSuite({ name: 'embedded', contentBound: true, setup: () => Promise.resolve(undefined), teardown: () => Promise.resolve() });
});

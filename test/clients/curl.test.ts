/** The client matrix for curl (harness.ts, drivers.ts): the README's commands, every size, a unicode key. */
import { clientMatrix, curlDriver } from './drivers';

clientMatrix(curlDriver);

/** The client matrix for httpie (harness.ts, drivers.ts): the README's commands, every size, a unicode key. */
import { clientMatrix, httpieDriver } from './drivers';

clientMatrix(httpieDriver);

/** The client matrix for wget (harness.ts, drivers.ts): the README's commands, every size, a unicode key. */
import { clientMatrix, wgetDriver } from './drivers';

clientMatrix(wgetDriver);

/**
 * The client matrix for python (Debian's /usr/bin/python3 with python3-requests), through
 * clients.py: `requests` as a user writes it (requests.put(URL, data=open(f, 'rb')) ...), and
 * the standard library's `urllib` with the README's recipe (KeepMethodOn307) for what urllib
 * cannot do by itself: follow a 307 for HEAD (CPython <= 3.12 re-sends it as GET) and DELETE.
 */
import { clientMatrix, pythonDriver } from './drivers';

clientMatrix(pythonDriver('requests'));
clientMatrix(pythonDriver('urllib'));

/**
 * The client matrix for python (Debian's /usr/bin/python3 with python3-requests), through
 * clients.py: `requests` as a user writes it (requests.put(URL, data=open(f, 'rb')) ...), and
 * the standard library's `urllib` with the recipe (KeepMethodOn307, docs/clients.md) for what urllib
 * cannot do by itself: follow a 307 for HEAD (CPython <= 3.12 re-sends it as GET) and DELETE,
 * and the upload ticket where a PUT is redirected (urllib stops at the 307). Each recipe comes
 * with a case showing the plain call fails, so a recipe that is no longer needed shows up.
 */
import { clientMatrix, python, pythonDriver } from './drivers';

clientMatrix(pythonDriver('requests'), (matrix) => {
  it('why requests needs data=b"" for an empty file where a PUT is redirected: the empty file object goes chunked, without a length to sign: 411', async () => {
    const m = matrix();
    const key = m.key('python-requests-empty-file-redirected', 0);
    expect(await python('requests', 'put', m.url(key, 'redirect'), m.source(0).path)).toMatchObject({ status: 411 });
    expect(await m.stored(key, 'redirect')).toBeNull();
  });
});
clientMatrix(pythonDriver('urllib'), (matrix) => {
  it('why urllib needs the ticket recipe where a PUT is redirected: its plain PUT stops at the 307 and stores nothing', async () => {
    const m = matrix();
    const key = m.key('python-urllib-plain-redirected', 1000);
    expect(await python('urllib', 'put', m.url(key, 'redirect'), m.source(1000).path)).toEqual({ status: 307 });
    expect(await m.stored(key, 'redirect')).toBeNull();
  });
});

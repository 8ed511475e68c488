"""Python clients of the client matrix (test/clients/python.test.ts): each operation written the
way the README tells a user to, with `requests` or with the standard library's `urllib`.

usage: clients.py LIBRARY OP URL [FILE]
  LIBRARY  requests | urllib
  OP       put FILE | put-bytes FILE (requests) | put-ticket FILE (urllib) | get OUT | head | delete
Prints one JSON line: {"status": final HTTP status, "length": Content-Length of a HEAD, "redirects": n}.
Run with Debian's /usr/bin/python3 (python3-requests).
"""
import json
import os
import sys
import urllib.error
import urllib.request


# --- urllib: the README's recipe -------------------------------------------------------------
# urllib never follows a 307 for PUT or DELETE (it raises HTTPError 307), and CPython <= 3.12 turns
# a redirected HEAD into a GET, which a HEAD-signed URL refuses (403). This handler follows a 307
# with the same method and no body; nothing else changes. (PUT needs no redirect: the gateway
# streams a PUT body sent without Expect straight to storage and answers with storage's status.)
class KeepMethodOn307(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        if code == 307 and req.data is None:
            return urllib.request.Request(newurl, method=req.get_method())
        return super().redirect_request(req, fp, code, msg, headers, newurl)


urlopen = urllib.request.build_opener(KeepMethodOn307).open


def with_urllib(op, url, path):
    if op == "put":
        # A file object streams; urllib needs its length given, or it sends the body chunked.
        with open(path, "rb") as f:
            req = urllib.request.Request(url, data=f, method="PUT", headers={"Content-Length": str(os.path.getsize(path))})
            with urlopen(req) as r:
                return {"status": r.status}
    if op == "put-ticket":
        # Where the gateway answers a PUT with 307 (Lambda), urllib cannot follow it: ask for an
        # upload ticket (no body through the gateway), then PUT the file to storage directly.
        size = os.path.getsize(path)
        ticket = urllib.request.Request(url + "?upload", method="POST", headers={"X-Upload-Length": str(size), "Accept": "text/plain"})
        with urlopen(ticket) as r:
            storage_url = r.read().decode().strip()
        with open(path, "rb") as f:
            req = urllib.request.Request(storage_url, data=f, method="PUT", headers={"Content-Length": str(size)})
            with urlopen(req) as r:
                return {"status": r.status}
    if op == "get":
        with urlopen(url) as r, open(path, "wb") as out:
            while chunk := r.read(1 << 20):
                out.write(chunk)
            return {"status": r.status}
    if op == "head":
        with urlopen(urllib.request.Request(url, method="HEAD")) as r:
            return {"status": r.status, "length": int(r.headers["Content-Length"])}
    if op == "delete":
        with urlopen(urllib.request.Request(url, method="DELETE")) as r:
            return {"status": r.status}
    raise SystemExit(f"unknown op {op}")


def with_requests(op, url, path):
    import requests

    if op == "put":
        with open(path, "rb") as f:
            r = requests.put(url, data=f)
    elif op == "put-bytes":
        # An empty file object goes out chunked, which storage refuses (411) where the PUT is
        # redirected to it; bytes go out with Content-Length: 0.
        with open(path, "rb") as f:
            r = requests.put(url, data=f.read())
    elif op == "get":
        with requests.get(url, stream=True) as r, open(path, "wb") as out:
            for chunk in r.iter_content(1 << 20):
                out.write(chunk)
    elif op == "head":
        r = requests.head(url, allow_redirects=True)  # requests.head() does not follow redirects by default
        return {"status": r.status_code, "length": int(r.headers["Content-Length"]), "redirects": len(r.history)}
    elif op == "delete":
        r = requests.delete(url)
    else:
        raise SystemExit(f"unknown op {op}")
    return {"status": r.status_code, "redirects": len(r.history)}


if __name__ == "__main__":
    library, op, url = sys.argv[1], sys.argv[2], sys.argv[3]
    path = sys.argv[4] if len(sys.argv) > 4 else None
    try:
        result = (with_requests if library == "requests" else with_urllib)(op, url, path)
    except urllib.error.HTTPError as e:
        result = {"status": e.code}
    print(json.dumps(result))

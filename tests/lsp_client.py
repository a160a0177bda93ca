#!/usr/bin/python3
"""lsp_client.py LRC DIR [ERRORS_DIR] — drives `LRC lsp` as an editor would
(tests/golden/lsp.sh): Content-Length framed JSON-RPC on its stdin and
stdout. DIR is a scratch directory. The expected positions and messages
come from `lrc check` on the same files (byte columns converted to UTF-16
here), the option and word lists from lr(5)'s tables as written below.
Prints "ok NAME" / "not ok NAME: why" per check."""
import json
import os
import re
import select
import subprocess
import sys
import time

LRC, DIR = sys.argv[1], sys.argv[2]
ERRORS = sys.argv[3] if len(sys.argv) > 3 else None
TIMEOUT = 20.0


def ok(name, cond, why=""):
    print(("ok %s" % name) if cond else ("not ok %s: %s" % (name, str(why)[:300])))
    sys.stdout.flush()


class Server:
    def __init__(self):
        self.p = subprocess.Popen([LRC, "lsp"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, cwd=DIR)
        self.buf = b""
        self.next_id = 1
        self.notes = []  # notifications received, in order

    def raw(self, data):
        self.p.stdin.write(data)
        self.p.stdin.flush()

    def send(self, msg):
        body = json.dumps(msg).encode()
        self.raw(b"Content-Length: %d\r\n\r\n" % len(body) + body)

    def _read(self, deadline):
        while True:
            end = self.buf.find(b"\r\n\r\n")
            if end >= 0:
                head = self.buf[:end].decode("ascii")
                m = re.search(r"Content-Length: (\d+)", head)
                if not m:
                    raise RuntimeError("no Content-Length in %r" % head)
                n = int(m.group(1))
                if len(self.buf) >= end + 4 + n:
                    body = self.buf[end + 4:end + 4 + n]
                    self.buf = self.buf[end + 4 + n:]
                    return json.loads(body)
            left = deadline - time.time()
            if left <= 0:
                raise TimeoutError("no message within %gs" % TIMEOUT)
            r, _, _ = select.select([self.p.stdout], [], [], left)
            if r:
                chunk = os.read(self.p.stdout.fileno(), 65536)
                if not chunk:
                    raise EOFError("the server closed its output")
                self.buf += chunk

    def request(self, method, params=None):
        rid = self.next_id
        self.next_id += 1
        msg = {"jsonrpc": "2.0", "id": rid, "method": method}
        if params is not None:
            msg["params"] = params
        self.send(msg)
        return self.response(rid)

    def response(self, rid):
        deadline = time.time() + TIMEOUT
        while True:
            m = self._read(deadline)
            if "method" in m and "id" not in m:
                self.notes.append(m)
            elif m.get("id") == rid:
                return m

    def notify(self, method, params):
        self.send({"jsonrpc": "2.0", "method": method, "params": params})

    def diagnostics(self, uri):
        """The next publishDiagnostics for uri."""
        deadline = time.time() + TIMEOUT
        while True:
            for i, m in enumerate(self.notes):
                if m["method"] == "textDocument/publishDiagnostics" and m["params"]["uri"] == uri:
                    del self.notes[i]
                    return m["params"]["diagnostics"]
            m = self._read(deadline)
            if "method" in m and "id" not in m:
                self.notes.append(m)

    def finish(self):
        try:
            self.p.stdin.close()
        except BrokenPipeError:
            pass
        try:
            return self.p.wait(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            self.p.kill()
            self.p.wait()
            return "hung"


def uri_of(path):
    return "file://" + os.path.abspath(path)


def utf16_column(line, byte_col):
    """The UTF-16 character of a 1-based byte column of line (bytes)."""
    return len(line[:byte_col - 1].decode("utf-8").encode("utf-16-le")) // 2


def check_headlines(path):
    """What `lrc check` reports for the file itself: (line0, char16, kind,
    message) per headline, from its stderr."""
    p = subprocess.run([LRC, "check", path], capture_output=True, cwd=os.path.dirname(path))
    # lrc's columns start after a byte order mark, which editors do not
    # send either.
    text = open(path, "rb").read().removeprefix(b"\xef\xbb\xbf")
    lines = text.split(b"\n")
    out = []
    name = os.path.basename(path)
    for h in p.stderr.decode("utf-8", "replace").splitlines():
        m = re.match(r"^(.*):(\d+):(\d+): (error|warning|note): (.*)$", h)
        if m and os.path.basename(m.group(1)) == name:
            line, col = int(m.group(2)), int(m.group(3))
            out.append((line - 1, utf16_column(lines[line - 1], col), m.group(4), m.group(5)))
    return out, p.returncode


SEVERITY = {1: "error", 2: "warning", 3: "note"}


def as_headlines(diags):
    return [(d["range"]["start"]["line"], d["range"]["start"]["character"],
             SEVERITY.get(d["severity"]), d["message"]) for d in diags]


def labels(result):
    items = result.get("items", result) if isinstance(result, dict) else result
    return {i["label"] for i in items or []}


def main():
    os.makedirs(DIR, exist_ok=True)
    with open(os.path.join(DIR, "data.csv"), "w") as f:
        f.write("x1,x2,label\n")
        for i in range(20):
            f.write("%d,%d,%d\n" % (i, 20 - i, i % 2))
    with open(os.path.join(DIR, "mods.lr"), "w") as f:
        f.write("# a module\nlet width = 16\n")
    text = ("let hidden = 4 * 2\n"
            "use \"mods.lr\"\n"
            "dataset d = csv(\"data.csv\", label=\"label\") validation=0.25\n"
            "model m = dense(hidden, activation=relu) -> dense(width) -> dense(1, activation=sigmoid)\n"
            "loss binary_crossentropy\n"
            "optimizer sdg lr=0.01\n"
            "train on=d epochs=2 batch=4\n")
    path = os.path.join(DIR, "exp.lr")
    with open(path, "w") as f:
        f.write(text)
    uri = uri_of(path)
    lines = text.split("\n")

    s = Server()
    init = s.request("initialize", {"processId": None, "rootUri": None, "capabilities": {}})
    caps = init.get("result", {}).get("capabilities", {})
    ok("lsp initialize", caps.get("hoverProvider") is True and caps.get("definitionProvider") is True
       and caps.get("textDocumentSync", {}).get("change") == 1
       and caps.get("documentFormattingProvider") is True, init)
    s.notify("initialized", {})

    # A misspelled optimizer: the diagnostic lrc check gives, as a range.
    s.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "lr", "version": 1,
                                                       "text": text}})
    diags = s.diagnostics(uri)
    want, _ = check_headlines(path)
    ok("lsp diagnostic of sdg", as_headlines(diags) == want and len(want) == 1
       and want[0][3] == "unknown optimizer 'sdg'; did you mean 'sgd'?", (as_headlines(diags), want))
    d = diags[0] if diags else {}
    ok("lsp diagnostic range", d.get("range") == {"start": {"line": 5, "character": 10},
                                                  "end": {"line": 5, "character": 13}}
       and d.get("source") == "lrc" and d.get("severity") == 1, d)

    fix = s.request("textDocument/codeAction", {"textDocument": {"uri": uri}, "range": d.get("range"),
                                                "context": {"diagnostics": diags}})
    acts = fix.get("result") or []
    edits = acts[0]["edit"]["changes"][uri] if acts else []
    ok("lsp quick fix", len(acts) == 1 and acts[0]["kind"] == "quickfix"
       and edits == [{"range": d.get("range"), "newText": "sgd"}], fix)

    # The fix applied: the diagnostics clear.
    fixed = text.replace("optimizer sdg", "optimizer sgd")
    s.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": 2},
                                        "contentChanges": [{"text": fixed}]})
    ok("lsp change clears", s.diagnostics(uri) == [], "diagnostics remain")

    # A change that breaks it after characters of two UTF-16 units each.
    broken = fixed.replace("loss binary_crossentropy",
                           "loss binary_crossentropy # \U0001F600\u00e9\nlet s = \"\U0001F600\u00e9\" + nope")
    with open(os.path.join(DIR, "utf16.lr"), "w") as f:
        f.write(broken)
    s.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": 3},
                                        "contentChanges": [{"text": broken}]})
    got = as_headlines(s.diagnostics(uri))
    want, _ = check_headlines(os.path.join(DIR, "utf16.lr"))
    line = broken.split("\n")[5]
    # 'nope' starts at UTF-16 unit 16 of its line (the emoji takes two), at byte 19.
    ok("lsp utf-16 columns", got == want and len(got) == 1 and got[0][:2] == (5, 16)
       and line.encode().index(b"nope") == 19, (got, want))

    # Hover: a word of the language, a let, an option.
    adam = fixed.replace("optimizer sgd", "optimizer adam")
    s.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": 4},
                                        "contentChanges": [{"text": adam}]})
    s.diagnostics(uri)
    alines = adam.split("\n")
    h = s.request("textDocument/hover", {"textDocument": {"uri": uri},
                                         "position": {"line": 5, "character": alines[5].index("adam") + 1}})
    value = (h.get("result") or {}).get("contents", {}).get("value", "")
    ok("lsp hover adam", value.startswith("adam: Adam") and "lr default 0.001" in value, h)
    col = alines[3].index("hidden")
    h = s.request("textDocument/hover", {"textDocument": {"uri": uri},
                                         "position": {"line": 3, "character": col}})
    res = h.get("result") or {}
    ok("lsp hover let", res.get("contents", {}).get("value") == "let hidden = 4 * 2\n= 8"
       and res.get("range") == {"start": {"line": 3, "character": col},
                                "end": {"line": 3, "character": col + 6}}, h)
    h = s.request("textDocument/hover", {"textDocument": {"uri": uri},
                                         "position": {"line": 0, "character": 4}})
    value = (h.get("result") or {}).get("contents", {}).get("value", "")
    ok("lsp hover let at its definition", value == "let hidden = 4 * 2\n= 8", h)
    col = alines[2].index("validation")
    h = s.request("textDocument/hover", {"textDocument": {"uri": uri},
                                         "position": {"line": 2, "character": col + 3}})
    value = (h.get("result") or {}).get("contents", {}).get("value", "")
    ok("lsp hover option", value.startswith("option validation of dataset; default: 0")
       and "fraction" in value, h)
    col = alines[3].index("width")
    h = s.request("textDocument/hover", {"textDocument": {"uri": uri},
                                         "position": {"line": 3, "character": col}})
    value = (h.get("result") or {}).get("contents", {}).get("value", "")
    ok("lsp hover module let", value == "let width = 16\n= 16", h)

    # Completion by place.
    def complete(line, character):
        r = s.request("textDocument/completion", {"textDocument": {"uri": uri},
                                                  "position": {"line": line, "character": character}})
        return labels(r.get("result"))
    got = complete(3, alines[3].index("hidden") + len("hidden, "))
    ok("lsp complete dense options", {"activation", "init", "bias_init"} <= got
       and "epochs" not in got and "dense" not in got, sorted(got))
    got = complete(3, alines[3].index("-> ") + 3)
    ok("lsp complete layers", {"dense", "dropout", "relu", "sigmoid", "softmax", "gelu", "leaky_relu", "elu", "hidden", "width"} <= got
       and "selu" not in got and "adam" not in got, sorted(got))
    got = complete(6, len(alines[6]) + 1)
    ok("lsp complete train options", {"on", "epochs", "batch", "shuffle", "validation", "metrics",
                                      "early_stop", "log_every", "shard"} == got, sorted(got))
    got = complete(5, len("optimizer adam "))
    ok("lsp complete adam options", got == {"lr", "beta1", "beta2", "epsilon", "clip_norm"}, sorted(got))
    got = complete(2, alines[2].index('label=') + len('label='))
    ok("lsp complete columns", got == {"x1", "x2", "label"}, sorted(got))
    got = complete(5, len("optimizer "))
    ok("lsp complete optimizers", got == {"sgd", "adam", "adamw", "rmsprop", "adagrad"}, sorted(got))
    got = complete(7, 0)
    ok("lsp complete statements", {"dataset", "model", "loss", "optimizer", "train", "let", "use"} <= got
       and "relu" not in got, sorted(got))

    # Definitions: a let of the file, a let of a module, the module.
    r = s.request("textDocument/definition", {"textDocument": {"uri": uri},
                                              "position": {"line": 3, "character": alines[3].index("hidden") + 2}})
    ok("lsp definition let", r.get("result") == {"uri": uri, "range": {
        "start": {"line": 0, "character": 4}, "end": {"line": 0, "character": 10}}}, r)
    mods = uri_of(os.path.join(DIR, "mods.lr"))
    r = s.request("textDocument/definition", {"textDocument": {"uri": uri},
                                              "position": {"line": 3, "character": alines[3].index("width")}})
    ok("lsp definition module let", r.get("result") == {"uri": mods, "range": {
        "start": {"line": 1, "character": 4}, "end": {"line": 1, "character": 9}}}, r)
    r = s.request("textDocument/definition", {"textDocument": {"uri": uri},
                                              "position": {"line": 1, "character": 5}})
    ok("lsp definition use", (r.get("result") or {}).get("uri") == mods, r)

    # Malformed messages: an error response each, and the server goes on.
    s.raw(b"Content-Length: 9\r\n\r\n{not json")
    m = s.response(None)
    ok("lsp malformed json", m.get("error", {}).get("code") == -32700, m)
    s.raw(b"Content-Length: 2\r\n\r\n[]")
    m = s.response(None)
    ok("lsp not a request", m.get("error", {}).get("code") == -32600, m)
    s.raw(b"Content-Type: x\r\n\r\n")
    m = s.response(None)
    ok("lsp no content length", m.get("error", {}).get("code") == -32700, m)
    r = s.request("textDocument/semanticTokens/full", {"textDocument": {"uri": uri}})
    ok("lsp unknown method", r.get("error", {}).get("code") == -32601, r)

    r = s.request("textDocument/hover", {"textDocument": {"uri": uri}})
    ok("lsp bad params", r.get("error", {}).get("code") == -32602, r)
    h = s.request("textDocument/hover", {"textDocument": {"uri": uri},
                                         "position": {"line": 5, "character": 11}})
    ok("lsp alive after malformed", "adam" in json.dumps(h.get("result")), h)

    # Formatting: one edit of the whole text, lrc fmt's own output.
    messy = "seed   1\nlet  rate=0.1   # the rate\n"
    s.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": 9},
                                        "contentChanges": [{"text": messy}]})
    s.diagnostics(uri)
    r = s.request("textDocument/formatting", {"textDocument": {"uri": uri},
                                              "options": {"tabSize": 4, "insertSpaces": True}})
    want = subprocess.run([LRC, "fmt", "-"], input=messy.encode(), capture_output=True).stdout.decode()
    edits = r.get("result") or []
    ok("lsp formatting is lrc fmt's", len(edits) == 1 and edits[0]["newText"] == want
       and want != messy and edits[0]["range"]["start"] == {"line": 0, "character": 0}
       and edits[0]["range"]["end"] == {"line": 2, "character": 0}, (r, want))
    s.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": 10},
                                        "contentChanges": [{"text": want}]})
    s.diagnostics(uri)
    r = s.request("textDocument/formatting", {"textDocument": {"uri": uri}, "options": {}})
    ok("lsp formatting of a formatted text: no edit", r.get("result") == [], r)

    # Every file of the error corpus: its diagnostics are lrc check's.
    if ERRORS:
        bad = []
        count = 0
        for name in sorted(os.listdir(ERRORS)):
            if not name.endswith(".lr"):
                continue
            p = os.path.join(ERRORS, name)
            raw = open(p, "rb").read().removeprefix(b"\xef\xbb\xbf")
            body = raw.decode("utf-8", "replace")
            if body.encode() != raw:
                continue  # not UTF-8: an editor would not send it as it is
            u = uri_of(p)
            s.notify("textDocument/didOpen", {"textDocument": {"uri": u, "languageId": "lr",
                                                               "version": 1, "text": body}})
            got = as_headlines(s.diagnostics(u))
            want, _ = check_headlines(p)
            count += 1
            if got != want:
                bad.append((name, got[:2], want[:2]))
            s.notify("textDocument/didClose", {"textDocument": {"uri": u}})
            s.diagnostics(u)
        ok("lsp error corpus (%d files)" % count, not bad and count > 20, bad[:3])

    r = s.request("shutdown")
    ok("lsp shutdown", "result" in r and r["result"] is None, r)
    s.notify("exit", None)
    status = s.finish()
    err = s.p.stderr.read()
    ok("lsp exit status 0", status == 0 and err == b"", (status, err[:200]))

    # exit without shutdown: status 1; the end of input: status 1, no hang.
    s = Server()
    s.request("initialize", {"capabilities": {}})
    s.notify("exit", None)
    ok("lsp exit without shutdown", s.finish() == 1, "")
    s = Server()
    s.raw(b"Content-Length: 40\r\n\r\n{\"jsonrpc\"")
    ok("lsp end of input mid-message", s.finish() == 1, "")


if __name__ == "__main__":
    try:
        main()
    except Exception as e:  # a broken exchange is a failure, never a hang
        print("not ok lsp client: %s: %s" % (type(e).__name__, e))

"""The grader's side of the test phases of one run: which cases the child gets when, and which of
its lines are taken as results (see tester.py for the child's side).

The notebook's code shares its process with the test machinery, so nothing it writes to the
result channel may count unless it can be told apart: every result line carries an HMAC under a key
made for this run and phase, which the child receives once its cells have run, on an input only its
keeper thread can read (runner.py)."""
import hmac
import json
import marshal
import secrets


class Phases:
    """The test phases of one run (public cases, then hidden ones), each under its own fresh key.

    The child receives both phases' cases and keys in one frame (tester.py) once it reported the
    end of the cells, where only its keeper thread can read them: a notebook that imitates that
    report gets the frame sent, not read. The keeper runs the hidden phase once the public results
    are signed. Case results count only when authenticated with their phase's key."""

    def __init__(self, tests, cells=()):
        cases = json.loads(tests)["cases"]
        self.cells = {c[0] for c in cells}  # cell numbers the child must report before "ready" counts
        self.keys = [secrets.token_bytes(32), secrets.token_bytes(32)]
        self.cases = [[c for c in cases if not c.get("hidden")], [c for c in cases if c.get("hidden")]]
        self.sent = 0        # phases sent so far
        self.ready = False

    def frame(self):
        data = marshal.dumps([(self.keys[phase], [[c["key"], c["code"]] for c in self.cases[phase]])
                              for phase in (0, 1)])
        return len(data).to_bytes(8, "big") + data

    def accept(self, event):
        """The event as the grader takes it, or None (malformed, forged, or a second "ready")."""
        if event is None:
            return None
        if event["ev"] == "cell" and self.sent == 0:
            self.cells.discard(event.get("cell"))
        if event["ev"] == "ready":
            if self.ready or self.cells:  # a second one, or one sent while cells had not been reported
                return None
            self.ready = True
            return event
        if event["ev"] in ("case", "done"):
            return None  # results come only authenticated
        if event["ev"] != "signed":
            return event
        try:
            mac, data = bytes.fromhex(event["mac"]), bytes.fromhex(event["data"])
        except (KeyError, TypeError, ValueError):
            return None
        for phase in range(self.sent):
            if hmac.compare_digest(hmac.digest(self.keys[phase], data, "sha256"), mac):
                try:
                    inner = marshal.loads(data)
                except (EOFError, ValueError, TypeError):
                    return None
                if not isinstance(inner, dict):
                    return None
                if inner.get("ev") == "case" and inner.get("key") in {c["key"] for c in self.cases[phase]}:
                    return inner
                if inner.get("ev") == "done" and inner.get("phase") == phase:
                    return {"ev": "phase-done", "phase": phase} if phase == 0 else {"ev": "done"}
                return None
        return None

    def next_frame(self, event):
        """Bytes to send the child after `event`, or None."""
        if event["ev"] == "ready" and self.sent == 0:
            self.sent = len(self.keys)
            return self.frame()
        return None

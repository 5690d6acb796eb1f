"""What the host tests share: a tally of named checks, printed one per line, and the summary."""


class Results:
    def __init__(self):
        self.passed = 0
        self.failed = 0
        self.timings = []

    def check(self, what, ok, detail=""):
        if ok:
            self.passed += 1
            print(f"ok   - {what}", flush=True)
        else:
            self.failed += 1
            print(f"FAIL - {what}" + (f": {str(detail)[-3000:]}" if detail else ""), flush=True)
        return ok

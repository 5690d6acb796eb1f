"""Loaded by schemathesis before it runs (SCHEMATHESIS_HOOKS, set by tests/fuzz/run.sh).

Debian 12's Python 3.11.2 can fail ast.parse when two threads parse at once ("SystemError: AST
constructor recursion depth mismatch", fixed in later CPython releases). Hypothesis parses
source to describe its strategies, and schemathesis's workers are threads: parse one at a time.
"""

import ast
import threading

_parse = ast.parse
_lock = threading.Lock()


def _serialised_parse(*args, **kwargs):
    with _lock:
        return _parse(*args, **kwargs)


ast.parse = _serialised_parse

#!/usr/bin/env python3
"""Every command the project's scripts run comes from a package that hack/install-deps.sh installs.

A fresh machine has a minimal Debian, the toolchains its kind comes with, and whatever
hack/install-deps.sh installs; anything else a script calls works only on a machine where someone
installed it by hand (this is how a missing `nft` once passed CI). This test reads every script
under hack/, tests/, bench/ and .ci/, finds the commands they run, and fails for each one that
  - is not on this machine at all (nothing installed it, so no listed package provides it), or
  - comes from a Debian package that is neither listed in hack/install-deps.sh nor part of a
    minimal Debian (Priority: required), or
  - comes from no package and is not one of the machine's own toolchains.

How commands are found: shell scripts are parsed by shfmt (--to-json) and every simple command's
first word is taken, and the command after a wrapper such as `nice`, `timeout` or `sudo`.
Commands run inside a test host (after `chroot`, or through `hack/testhost.sh exec`) come from
the host's own image and are not checked here. Python scripts are parsed with `ast`: the argv
lists given to `subprocess`, and any list literal shaped like an argv (a command name, then an
option). JavaScript and CMake files: the executables they name literally.
"""
import ast
import functools
import json
import os
import re
import shutil
import subprocess
import tempfile
import unittest

REPO = os.path.realpath(os.path.join(os.path.dirname(__file__), "..", ".."))
SCANNED = ["hack", "tests", "bench", ".ci"]
# The machine kind's own toolchains (see the README): present before any script runs.
MACHINE_TOOLCHAINS = {"go", "node", "npm", "npx", "python3", "python", "pip", "pip3", "cmake",
                      "ctest", "make", "gcc", "g++", "cc", "c++", "ninja", "git"}
# Wrappers that run the command that follows them here; their options to skip (with a count of
# option arguments) before the wrapped command.
WRAPPERS = {
    "nice": {"-n": 1}, "timeout": {"-s": 1, "-k": 1, "--signal": 1}, "sudo": {"-u": 1},
    "env": {"-u": 1}, "exec": {"-a": 1}, "command": {}, "xargs": {"-n": 1, "-I": 1, "-P": 1},
    "setsid": {}, "nohup": {}, "stdbuf": {"-o": 1, "-e": 1, "-i": 1}, "ionice": {"-c": 1, "-n": 1},
    "time": {}, "flock": {"-w": 1, "-E": 1}, "nsenter": {"--target": 1, "-t": 1},
}
# Wrappers whose positional arguments come before the command (timeout DURATION, flock FD|FILE).
WRAPPER_POSITIONALS = {"timeout": 1, "flock": 1}
# After these the command runs in another root (a test host's image), not on this machine.
OTHER_ROOT = {"chroot"}


def listed_packages():
    out = subprocess.run([os.path.join(REPO, "hack", "install-deps.sh"), "--list"],
                         capture_output=True, text=True, check=True)
    return set(out.stdout.split())


def script_files():
    tracked = subprocess.run(["git", "-C", REPO, "ls-files", "--", *SCANNED],
                             capture_output=True, text=True, check=True).stdout.split()
    shells, pythons, others = [], [], []
    for rel in tracked:
        path = os.path.join(REPO, rel)
        if not os.path.isfile(path):
            continue
        with open(path, "rb") as f:
            head = f.readline().decode(errors="replace")
        if rel.endswith(".py") or "python" in head:
            pythons.append(rel)
        elif rel.endswith(".sh") or re.match(r"#!.*\b(ba)?sh\b", head) or rel.endswith(".env"):
            shells.append(rel)
        elif rel.endswith((".mjs", ".js")) or os.path.basename(rel) == "CMakeLists.txt":
            others.append(rel)
    return shells, pythons, others


def literal(word):
    """The text of a shfmt Word made only of literal parts, else None."""
    text = []
    for part in word.get("Parts", []):
        kind = part.get("Type")
        if kind == "Lit":
            text.append(part.get("Value", ""))
        elif kind == "SglQuoted":
            text.append(part.get("Value", ""))
        elif kind == "DblQuoted":
            inner = part.get("Parts", [])
            if not all(p.get("Type") == "Lit" for p in inner):
                return None
            text.append("".join(p.get("Value", "") for p in inner))
        else:
            return None
    return "".join(text)


def walk(node, visit):
    if isinstance(node, dict):
        visit(node)
        for value in node.values():
            walk(value, visit)
    elif isinstance(node, list):
        for value in node:
            walk(value, visit)


def commands_of_argv(words):
    """The commands an argv (as literal strings, None where not literal) runs on this machine."""
    found = []
    i = 0
    while i < len(words):
        name = words[i]
        if name is None:
            return found
        found.append(name)
        base = os.path.basename(name)
        if base in OTHER_ROOT or base not in WRAPPERS:
            return found
        options = WRAPPERS[base]
        positionals = WRAPPER_POSITIONALS.get(base, 0)
        i += 1
        while i < len(words):
            w = words[i]
            if w is None:
                return found
            if w.startswith("-"):
                i += 1 + options.get(w, 0)
            elif base == "env" and "=" in w:
                i += 1
            elif positionals > 0:
                positionals -= 1
                i += 1
            else:
                break
    return found


def shell_commands(rel):
    """(functions defined, commands declared by require_commands, [(line, command)]) of one
    shell script."""
    with open(os.path.join(REPO, rel)) as f:  # an absolute rel stays as it is
        ast_json = subprocess.run(["shfmt", "--to-json", "--language-dialect", "bash"], stdin=f,
                                  capture_output=True, text=True)
    if ast_json.returncode != 0:
        raise AssertionError(f"{rel}: shfmt cannot parse it: {ast_json.stderr.strip()}")
    tree = json.loads(ast_json.stdout)
    functions, declared, calls = set(), set(), []

    def visit(node):
        kind = node.get("Type")
        if kind == "FuncDecl":
            functions.add(node["Name"].get("Value", ""))
        elif kind == "CallExpr" and node.get("Args"):
            words = [literal(w) for w in node["Args"]]
            line = node["Args"][0]["Pos"]["Line"]
            if words[0] == "require_commands":
                declared.update(w for w in words[1:] if w)
                return
            for name in commands_of_argv(words):
                calls.append((line, name))
    walk(tree, visit)
    return functions, declared, calls


ARGV_NAME = re.compile(r"^[a-z][a-z0-9.+_-]*$")


def python_commands(rel):
    with open(os.path.join(REPO, rel)) as f:
        tree = ast.parse(f.read(), rel)
    calls = []

    def argv_of(node):
        if not isinstance(node, (ast.List, ast.Tuple)):
            return None
        return [e.value if isinstance(e, ast.Constant) and isinstance(e.value, str) else None
                for e in node.elts]

    # Lists of argument lists (`for args in (["apply", ...], ...)`) hold a command's arguments,
    # not its argv.
    nested = {id(e) for n in ast.walk(tree) if isinstance(n, (ast.List, ast.Tuple)) for e in n.elts}
    for node in ast.walk(tree):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and isinstance(node.func.value, ast.Name) and node.func.value.id == "subprocess"
                and node.args):
            argv = argv_of(node.args[0])
            if argv:
                calls += [(node.lineno, c) for c in commands_of_argv(argv)]
        elif isinstance(node, ast.List) and id(node) not in nested:
            argv = argv_of(node)
            # A list literal shaped like an argv: a command name, then an option.
            if (argv and len(argv) >= 2 and argv[0] and ARGV_NAME.match(argv[0])
                    and argv[1] and argv[1].startswith("-")):
                calls.append((node.lineno, argv[0]))
    return calls


LITERAL_EXEC = [
    re.compile(r"""(?:execFileSync|execFile|spawnSync|spawn)\(\s*["'`]([^"'`$]+)["'`]"""),
    re.compile(r"""executablePath:\s*["'`]([^"'`$]+)["'`]"""),
    re.compile(r"COMMAND\s+(/[^\s)$]+|[a-z][a-z0-9.+-]*)\b"),
]


def other_commands(rel):
    calls = []
    with open(os.path.join(REPO, rel)) as f:
        for n, line in enumerate(f, 1):
            for pattern in LITERAL_EXEC:
                calls += [(n, m.group(1)) for m in pattern.finditer(line)]
    return calls


@functools.lru_cache(maxsize=None)
def package_of(path):
    """The Debian package that ships `path` (trying its /usr-merged twin too), else None."""
    candidates = {path, os.path.realpath(path)}
    for p in list(candidates):
        if p.startswith("/usr/"):
            candidates.add(p[4:])
        else:
            candidates.add("/usr" + p)
    for p in candidates:
        out = subprocess.run(["dpkg-query", "-S", p], capture_output=True, text=True)
        if out.returncode == 0:
            for line in out.stdout.splitlines():
                owner, _, owned = line.partition(": ")
                if owned.strip() == p and "diversion" not in owner:
                    return owner.split(",")[0].split(":")[0].strip()
    return None


@functools.lru_cache(maxsize=None)
def priority(package):
    out = subprocess.run(["dpkg-query", "-W", "-f=${Priority}", package], capture_output=True,
                         text=True)
    return out.stdout.strip()


def bash_builtins():
    out = subprocess.run(["bash", "-c", "compgen -b; compgen -k"], capture_output=True, text=True,
                         check=True)
    return set(out.stdout.split())


class CommandsComeFromListedPackages(unittest.TestCase):
    def test_every_command_is_installed_by_the_project(self):
        listed = listed_packages()
        shells, pythons, others = script_files()
        self.assertGreater(len(shells), 10, "found too few shell scripts: the scan is broken")
        self.assertGreater(len(pythons), 3, "found too few Python scripts: the scan is broken")
        functions, calls, declared = set(), [], {}
        for rel in shells:
            defined, declared[rel], found = shell_commands(rel)
            functions |= defined
            calls += [(rel, line, c) for line, c in found]
        for rel in pythons:
            calls += [(rel, line, c) for line, c in python_commands(rel)]
        for rel in others:
            calls += [(rel, line, c) for line, c in other_commands(rel)]
        names = {c for _, _, c in calls}
        # The scan must see the commands that started this test: a parser that finds nothing
        # would pass vacuously.
        for expected in ("nft", "ip", "debootstrap", "ansible-playbook", "ssh-keygen", "curl"):
            self.assertIn(expected, names, f"the scan no longer finds `{expected}`")

        skip = bash_builtins() | functions | {"[", "[["}
        problems, verdict = [], {}
        for rel, line, name in sorted(calls):
            if name in skip or ("/" in name and not name.startswith("/")):
                continue  # a shell builtin, a function, or one of the project's own files
            if name not in verdict:
                verdict[name] = self.judge(name, listed)
            if verdict[name]:
                problems.append(f"{rel}:{line}: `{name}` {verdict[name]}")
            elif rel in declared and self.installed_by_us(name, listed) and \
                    name not in declared[rel]:
                problems.append(f"{rel}:{line}: `{name}` comes from a package of "
                                "hack/install-deps.sh: name it in the script's require_commands")
        self.assertEqual(problems, [], "\n" + "\n".join(problems))
        for rel, names in declared.items():
            for name in names:
                self.assertIsNone(self.judge(name, listed), f"{rel}: require_commands {name}")

    @staticmethod
    def installed_by_us(name, listed):
        """A command that a fresh machine has only because hack/install-deps.sh installed it."""
        if os.path.basename(name) in MACHINE_TOOLCHAINS:
            return False
        path = name if name.startswith("/") else shutil.which(name)
        package = package_of(path) if path else None
        return package in listed and priority(package) != "required"

    @staticmethod
    def judge(name, listed):
        path = name if name.startswith("/") else shutil.which(name)
        if path is None or not os.path.exists(path):
            return "is not on this machine: no package that hack/install-deps.sh lists provides it"
        package = package_of(path)
        if package is None:
            if os.path.basename(name) in MACHINE_TOOLCHAINS:
                return None
            return f"({path}) comes from no Debian package and is not one of the machine's toolchains"
        if package in listed or priority(package) == "required":
            return None
        if os.path.basename(name) in MACHINE_TOOLCHAINS:
            return None
        return f"({path}) comes from the package {package}, which hack/install-deps.sh does not list"


class TheScanItself(unittest.TestCase):
    def test_a_command_nothing_installed_is_found_and_refused(self):
        with tempfile.NamedTemporaryFile("w", suffix=".sh") as script:
            script.write("#!/usr/bin/env bash\nf() { nice -n 5 mcm-no-such-tool list; }\n"
                         "timeout 5 mcm-other-tool | grep x\n"
                         "chroot /root mcm-inside-host\n")
            script.flush()
            _, _, calls = shell_commands(script.name)
        names = [c for _, c in calls]
        self.assertEqual(names, ["nice", "mcm-no-such-tool", "timeout", "mcm-other-tool", "grep",
                                 "chroot"])
        verdict = CommandsComeFromListedPackages.judge("mcm-no-such-tool", listed_packages())
        self.assertIn("is not on this machine", verdict)

    def test_a_command_of_an_unlisted_package_is_refused(self):
        # bash is Priority: required; nft comes from nftables, as it did before it was listed.
        listed = listed_packages() - {"nftables"}
        self.assertIsNone(CommandsComeFromListedPackages.judge("bash", listed))
        verdict = CommandsComeFromListedPackages.judge("nft", listed)
        self.assertIn("nftables, which hack/install-deps.sh does not list", verdict)

    def test_require_commands_names_every_missing_command(self):
        out = subprocess.run(["bash", "-c", f". {REPO}/hack/lib/require.sh; "
                              "require_commands sh mcm-missing-one mcm-missing-two; echo ran on"],
                             capture_output=True, text=True)
        self.assertEqual(out.returncode, 1)
        self.assertNotIn("ran on", out.stdout)
        self.assertIn("mcm-missing-one mcm-missing-two", out.stderr)
        self.assertIn("hack/install-deps.sh", out.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)

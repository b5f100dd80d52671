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
    write("kernel_crash.ipynb", notebook(everything, ["import ctypes\nctypes.string_at(0)"], before_answers=True))
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
        f"targets = ['/tmp/labgrade-escape.txt', {str(ROOT / 'labgrade-escape.txt')!r}, '/root/labgrade-escape.txt']\n"
        "for target in targets:\n"
        "    try:\n"
        "        open(target, 'w').write('escaped')\n"
        "    except OSError as error:\n"
        "        print('blocked:', target, error)"]))
    write("steal_credentials.ipynb", notebook((), [
        "import os\n"
        "if os.environ.get('AWS_SECRET_ACCESS_KEY'):\n"
        "    exec(os.environ['LABGRADE_TEST_SOLUTION'])"]))
    for i in range(30):
        rng = random.Random(100 + i)
        solved = tuple(q for q in everything if rng.random() < 0.6)
        write(f"ordinary_{i:02d}_{''.join(q[1] for q in solved) or 'none'}.ipynb", notebook(solved))


if __name__ == "__main__":
    main()

"""tools/gradescope_bundle.py turns otter's autograder zip into one that installs labsupport on Gradescope.

Fast checks on a stand-in zip; tests/labs/test_gradescope.py rehearses the real bundles end to end.
"""

import sys
import zipfile
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import gradescope_bundle  # noqa: E402

OTTER_ENVIRONMENT = """name: otter-env
channels:
  - conda-forge
dependencies:
  - python=3.13
  - pip
  - jupyter_server
  - pip:
      - otter-grader[grading,plugins]==7.0.0
"""


@pytest.fixture
def otter_zip(tmp_path):
    path = tmp_path / "lab-autograder.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("run_otter.py", 'run_autograder("/autograder")\n')
        archive.writestr("setup.sh", "#!/usr/bin/env bash\n")
        archive.writestr("tests/q1.py", "OK_FORMAT = True\n")
        archive.writestr("environment.yml", OTTER_ENVIRONMENT)
    return path


def test_bundle_adds_the_wheel_and_constraints_and_installs_them_at_the_pinned_versions(otter_zip, tmp_path):
    wheel = tmp_path / "labsupport-0.1.0-py3-none-any.whl"
    wheel.write_bytes(b"a wheel")
    gradescope_bundle.bundle(otter_zip, wheel)
    with zipfile.ZipFile(otter_zip) as archive:
        names = set(archive.namelist())
        assert {"run_otter.py", "setup.sh", "tests/q1.py", "constraints.txt", wheel.name} <= names
        assert archive.read(wheel.name) == b"a wheel"
        assert archive.read("constraints.txt") == (ROOT / "constraints.txt").read_bytes()
        environment = yaml.safe_load(archive.read("environment.yml"))
    otter = gradescope_bundle.pinned("otter-grader", ROOT / "constraints.txt")
    assert environment["dependencies"][:3] == ["python=3.11", "pip", "jupyter_server"]
    assert environment["dependencies"][3] == {"pip": [
        "-c /autograder/source/constraints.txt",
        f"otter-grader[grading]=={otter}",
        f"labsupport @ file:///autograder/source/{wheel.name}",
    ]}


def test_bundle_refuses_a_zip_that_is_not_otters(tmp_path):
    path = tmp_path / "other.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "not an autograder")
    with pytest.raises(ValueError, match="not an otter-grader autograder zip"):
        gradescope_bundle.bundle(path, tmp_path / "labsupport-0.1.0-py3-none-any.whl")


def test_pinned_reads_constraints_as_pip_compares_names(tmp_path):
    constraints = tmp_path / "constraints.txt"
    constraints.write_text("# pins\nPyYAML==6.0.4\notter-grader==7.0.0\n")
    assert gradescope_bundle.pinned("pyyaml", constraints) == "6.0.4"
    assert gradescope_bundle.pinned("otter_grader", constraints) == "7.0.0"
    with pytest.raises(ValueError, match="pins no version of numpy"):
        gradescope_bundle.pinned("numpy", constraints)

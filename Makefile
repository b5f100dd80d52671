# Two commands do everything on a fresh machine with Python 3.11 and make:
#   make book   build the HTML book into _build/html
#   make test   run every test: labsupport, doctests, notebooks (nbval), labs, the book build
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export PYDEVD_DISABLE_FILE_VALIDATION := 1

.PHONY: help book pdf test check browser notebooks labs lab bench constraints clean bytecode

help:
	@echo "make book   build the book into _build/html"
	@echo "make pdf    print the whole book to _build/pdf/book.pdf (Chromium; solutions at the end of each chapter)"
	@echo "make test   run the whole test suite (what CI runs)"
	@echo "make check  the fast inner loop: unit, property and doctests of labsupport (no notebooks, no browser)"
	@echo "make lab    open the labs in JupyterLab"
	@echo "make notebooks  re-execute the chapter notebooks in place (after editing them)"
	@echo "make labs   regenerate the student labs from the instructor masters"
	@echo "make bench  measure notebooks, widgets, the kernel, hashing, the checker and grading; rewrites book/performance.md"

$(STAMP): requirements.txt requirements-dev.txt constraints.txt pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "$(PYTHON) not found; run 'make PYTHON=python3 ...' with a Python 3.11"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	$(BIN)/python -m pip check
	touch $(STAMP)

# This machine's Python runs with PYTHONDONTWRITEBYTECODE=1, so nothing would cache the library's bytecode and every
# process (test workers, grading sandboxes, kernels) would compile it again: it is compiled once here. (labgrade's
# guard refuses the bytecode of what a lab asks for, as it refuses the source.)
bytecode: $(STAMP)
	$(BIN)/python -m compileall -q -j 2 labsupport tests tools > /dev/null

# MathJax is served from the book itself (no CDN): installed from npm at build time into _vendor/,
# which the build copies to _build/html/mathjax/ (html_extra_path).
MATHJAX_VERSION := 3.2.2
MATHJAX := _vendor/mathjax/tex-mml-chtml.js
$(MATHJAX):
	@command -v npm >/dev/null 2>&1 || { echo "npm not found: it installs MathJax for the book (apt-get install npm)"; exit 1; }
	npm install --silent --no-save --no-audit --no-fund --prefix $(VENV)/npm mathjax@$(MATHJAX_VERSION)
	rm -rf _vendor/mathjax && mkdir -p _vendor/mathjax/output/chtml/fonts _vendor/mathjax/input/tex
	cp $(VENV)/npm/node_modules/mathjax/es5/tex-mml-chtml.js _vendor/mathjax/
	cp -r $(VENV)/npm/node_modules/mathjax/es5/output/chtml/fonts/woff-v2 _vendor/mathjax/output/chtml/fonts/
	cp -r $(VENV)/npm/node_modules/mathjax/es5/input/tex/extensions _vendor/mathjax/input/tex/

# Binder rehearsal: a second environment built from requirements.txt and postBuild alone, exactly what Binder
# installs. nbval runs every chapter and lab in a kernel from it, so a missing dependency fails the tests.
BINDER := .venv-binder
BINDER_STAMP := $(BINDER)/.installed
$(BINDER_STAMP): requirements.txt postBuild constraints.txt pyproject.toml
	rm -rf $(BINDER) && $(PYTHON) -m venv $(BINDER)  # from scratch: nothing left over from older requirements
	$(BINDER)/bin/python -m pip install --quiet --upgrade pip
	$(BINDER)/bin/python -m pip install --quiet -r requirements.txt
	KERNEL_PYTHON_PREFIX=$(CURDIR)/$(BINDER) ./postBuild
	$(BINDER)/bin/python -m ipykernel install --prefix $(BINDER) --name binder --display-name "Binder rehearsal"
	$(BINDER)/bin/python -m ipykernel install --prefix $(BINDER)/build-kernel --name python3 --display-name "Binder rehearsal"
	touch $(BINDER_STAMP)

# The notebooks are executed first, as many at a time as there are cores, into the build's execution cache
# (tools/precache_notebooks.py does what myst-nb's cache mode does, in parallel); the build then only renders.
book: $(STAMP) $(MATHJAX) bytecode
	LABSUPPORT_WIDGETS=static $(BIN)/python tools/precache_notebooks.py
	LABSUPPORT_WIDGETS=static $(BIN)/jupyter-book build . --warningiserror --keep-going
	@echo
	@echo "The book is built: open $(CURDIR)/_build/html/index.html"

# The whole book as one PDF, printed by Debian's Chromium from the built pages (tools/make_pdf.py).
pdf: book
	tools/ensure_browser.sh
	$(BIN)/python tools/make_pdf.py

# Each chapter is executed once per 'make test': by the book build, in the Binder-rehearsal kernel
# (a 'python3' kernelspec that runs .venv-binder's Python, found first through JUPYTER_PATH), with the
# execution cache emptied first; tests/built then compares that execution with the committed outputs by
# nbval's rules, and the browser suite reads the same build.
BUILD_KERNEL := $(BINDER)/build-kernel/share/jupyter
# The unit stage's two workers take whole test files, except the class-grading ones, which tests/conftest.py
# splits by lab and isolation mode.
UNIT := tests labsupport --ignore=tests/built --ignore=tests/browser --ignore=tests/labs

# The unit stage's lab authoring checks (tests/test_labs.py) write each lab's _build/labs/<lab>/ from the one
# 'otter assign' they test, and record there labgrade's results of its solution and student notebooks; tests/labs
# reads a record only for exactly its own input (tools/labgrade_records.py) and runs tools/build_labs.py --build-only
# itself when a lab's folder is missing or stale.
test: $(STAMP) $(BINDER_STAMP) $(MATHJAX) bytecode
	$(BIN)/python -m pytest -n 2 --dist loadfile --durations=15 $(UNIT)
	$(BIN)/python -m pytest tests/labs
	JUPYTER_PATH=$(CURDIR)/$(BINDER)/share/jupyter $(BIN)/python -m pytest -n 2 --dist loadscope --nbval-lax --nbval-kernel-name binder \
	  --nbval-cell-timeout=300 _build/labs/*/rehearsal
	rm -rf _build/.jupyter_cache _build/jupyter_execute
	JUPYTER_PATH=$(CURDIR)/$(BUILD_KERNEL) $(MAKE) book
	tools/ensure_browser.sh
	# Chromium prints the PDF on one core while tests/built, one process, reads the build on the other; then the
	# PDF's own test. The PDF's log is shown after the tests' report.
	mkdir -p _build/pdf
	$(BIN)/python tools/make_pdf.py > _build/pdf/make_pdf.log 2>&1 & pdf=$$!; \
	  $(BIN)/python -m pytest tests/built --ignore=tests/built/test_pdf.py; built=$$?; \
	  wait $$pdf; printed=$$?; cat _build/pdf/make_pdf.log; test $$built -eq 0 -a $$printed -eq 0
	$(BIN)/python -m pytest tests/built/test_pdf.py
	# loadgroup: one book page per unit of work (tests/conftest.py), so each page is visited by one worker only
	$(BIN)/python -m pytest -n 2 --dist loadgroup tests/browser

# The inner loop while editing labsupport: unit, property and doctests; no notebooks, labs, grading runs, browser,
# or re-runs of the pages' claims across seeds (make test runs all of those).
check: $(STAMP) bytecode
	$(BIN)/python -m pytest -n 2 --dist loadfile $(UNIT) --ignore=tests/test_labs.py --ignore=tests/test_labgrade.py \
	  --ignore=tests/test_labgrade_integrity.py \
	  --ignore-glob='tests/test_across_seeds*.py' --ignore-glob='tests/grading/test_dask_*'

# The browser suite alone, on an already built book.
browser: $(STAMP)
	tools/ensure_browser.sh
	$(BIN)/python -m pytest tests/browser

notebooks: $(STAMP)
	$(BIN)/python tools/execute_notebooks.py book/*/*.ipynb

labs: $(STAMP)
	$(BIN)/python tools/build_labs.py

# Peers used only for comparison (uhashring) live in requirements-bench.txt, not in requirements.txt.
bench: $(STAMP) $(MATHJAX)
	$(BIN)/python -m pip install --quiet -r requirements-bench.txt
	$(BIN)/python tools/bench.py

lab: $(STAMP)
	$(BIN)/jupyter lab labs

constraints: $(STAMP)
	{ echo "# Every package the project installs, at the versions tested together (pip freeze; regenerate with 'make constraints')."; \
	  $(BIN)/python -m pip freeze --exclude-editable | grep -v '^labsupport'; } > constraints.txt

clean:
	rm -rf _build _vendor

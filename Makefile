# Two entry points after cloning: `make demo` and `make test`. Both set up what is missing first,
# at the versions of constraints/lock.txt. `ROBOMAMBA_UNPINNED=1 make test` tries the newest
# releases instead, in a venv of its own (.venv-unpinned).
UNPINNED := $(filter-out 0,$(ROBOMAMBA_UNPINNED))
VENV ?= $(if $(UNPINNED),.venv-unpinned,.venv)
PY := $(VENV)/bin/python
OUT ?= robomamba_out

.PHONY: setup demo test lint clean

setup:
	ROBOMAMBA_VENV=$(abspath $(VENV)) bash scripts/setup.sh

demo: setup
	$(VENV)/bin/robomamba-ros demo --out $(OUT)/demo

test: setup
	HF_HUB_OFFLINE=1 $(PY) -m pytest $(PYTEST_ARGS)

lint: setup
	$(PY) -m pytest test/test_flake8.py test/test_pep257.py test/test_copyright.py

clean:
	rm -rf build install log $(OUT) .pytest_cache

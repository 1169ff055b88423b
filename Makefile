# Two entry points after cloning: `make demo` and `make test`. Both set up what is missing first.
VENV ?= .venv
PY := $(VENV)/bin/python
OUT ?= robomamba_out

.PHONY: setup demo test lint clean

setup:
	bash scripts/setup.sh

demo: setup
	$(VENV)/bin/robomamba-ros demo --out $(OUT)/demo

test: setup
	HF_HUB_OFFLINE=1 $(PY) -m pytest $(PYTEST_ARGS)

lint: setup
	$(PY) -m pytest test/test_flake8.py test/test_pep257.py test/test_copyright.py

clean:
	rm -rf build install log $(OUT) .pytest_cache

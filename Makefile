# Two entry points after cloning: `make demo` and `make test`. Both set up what is missing first,
# at the versions of constraints/lock.txt. `ROBOMAMBA_UNPINNED=1 make test` tries the newest
# releases instead, in a venv of its own (.venv-unpinned). `ROBOMAMBA_ROS=1 make test` also
# installs ROS 2 from the package index's wheels into the venv (scripts/setup_ros.sh), so the ROS
# tests run instead of skipping; a sourced ROS 2 installation is used as it is.
UNPINNED := $(filter-out 0,$(ROBOMAMBA_UNPINNED))
ROS := $(filter-out 0,$(ROBOMAMBA_ROS))
VENV ?= $(if $(UNPINNED),.venv-unpinned,.venv)
PY := $(VENV)/bin/python
OUT ?= robomamba_out

.PHONY: setup demo test lint clean

setup:
	ROBOMAMBA_VENV=$(abspath $(VENV)) ROBOMAMBA_ROS=$(if $(ROS),1,0) bash scripts/setup.sh

ROBOT ?= flying_hand
CAMERA ?= tripod
# Suite v2 (several parts, the instruction naming one) with the flying hand; the Panda runs v1.
SUITE ?= $(if $(filter panda,$(ROBOT)),v1,v2)

demo: setup
	$(VENV)/bin/robomamba-ros demo --robot $(ROBOT) --camera $(CAMERA) --suite $(SUITE) \
		--out $(OUT)/demo

test: setup
	HF_HUB_OFFLINE=1 $(PY) -m pytest $(PYTEST_ARGS)

lint: setup
	$(PY) -m pytest test/test_flake8.py test/test_pep257.py test/test_copyright.py

clean:
	rm -rf build install log $(OUT) .pytest_cache

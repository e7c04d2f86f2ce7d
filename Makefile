# Everything Is a Mapping: set-up, tests and builds. `make help` lists the targets.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Notebooks run at once, one per worker: pytest's workers in `make test`, the build's jobs in `make course`.
JOBS ?= 2

.DEFAULT_GOAL := help
.PHONY: help install lab lab-zh test lint course site bench select checkpoints measure expected-outputs exercises translations samples set-repo clean handout grade

help:  ## List the targets.
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | expand -t 20

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[lab,test,site]"
	@touch $(STAMP)

install: $(STAMP)  ## Create .venv when missing and install the course with its extras.

# Jupyter refuses to run as root unless told to (containers, CI machines); nobody else needs the flag.
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root)

lab: install  ## Set up, then open the course in JupyterLab (the course's main job).
	$(BIN)/jupyter lab --ServerApp.root_dir=. $(ROOT_FLAG) $(LAB_ARGS) notebooks/00_start_here.ipynb

lab-zh: install  ## 中文版: open the Chinese edition in JupyterLab, at zh/notebooks/00_start_here.ipynb.
	$(BIN)/jupyter lab --ServerApp.root_dir=. $(ROOT_FLAG) $(LAB_ARGS) zh/notebooks/00_start_here.ipynb

lint: install  ## ruff over helpers, tests, scripts, benchmarks and every notebook's code (zh/ too).
	$(BIN)/ruff check helpers tests scripts benchmarks conftest.py notebooks exercises solutions zh

test: lint  ## Set up, then run the whole suite in fast mode: unit tests, notebooks and solutions (nbval).
	EIAM_FAST=1 OPENBLAS_NUM_THREADS=1 TF_NUM_INTRAOP_THREADS=1 TF_NUM_INTEROP_THREADS=1 $(BIN)/python -m pytest -n $(JOBS) --dist loadfile

course: install  ## Execute every notebook in full mode, JOBS (2) at a time, then build the site: build/course/site/.
	$(BIN)/python -m scripts.build_course --jobs $(JOBS)

site: install  ## Rebuild the site from the notebooks `make course` executed (runs none): build/course/site/index.html.
	$(BIN)/python -m scripts.course_site

bench: install  ## Measure speed and results: build/bench/report.md (QUICK=1 smoke run, MODES=fast, SECTIONS=...).
	$(BIN)/python -m benchmarks.bench --jobs $(JOBS) $(if $(filter 1 yes true,$(QUICK)),--quick) $(if $(MODES),--modes $(MODES)) $(if $(SECTIONS),--sections $(SECTIONS))

select: install  ## Choose the training settings on the validation split (full mode): results/selection.json (PARTS=...).
	$(BIN)/python -m scripts.select_settings $(if $(PARTS),--parts $(PARTS))

checkpoints: install  ## Retrain the shipped checkpoints from nothing (full mode, 5-14 min each alone): NAMES=contrastive SEEDS=0.
	for name in $(or $(NAMES),contrastive masked); do for seed in $(or $(SEEDS),0); do \
	  $(BIN)/python -m scripts.train_checkpoint $$name --seed $$seed --force || exit 1; done; done

measure: install  ## Measure the checkpoints and the joint objective (full mode, ~2 h): helpers/records/better_pretraining.json.
	$(BIN)/python -m scripts.measure_pretraining $(if $(PARTS),--parts $(PARTS))

expected-outputs: install  ## Re-record the outputs of the cells tagged nbval-check-output (fast mode).
	$(BIN)/python -m scripts.record_expected_outputs

exercises: install  ## Write exercises/ from solutions/ (answers become stubs); FORCE=1 replaces changed ones, backed up.
	$(BIN)/python -m scripts.make_exercises $(if $(filter 1 yes true,$(FORCE)),--force)

translations: install  ## Update translations/zh/ for English edits, then write zh/ (中文版); FORCE=1 replaces hand edits, backed up.
	$(BIN)/python -m scripts.translations skeleton --all
	$(BIN)/python -m scripts.translations generate $(if $(filter 1 yes true,$(FORCE)),--force)

handout: install  ## Write build/handout/eiam-exercises/ and its .zip for students: exercises, helpers, no answers.
	$(BIN)/python -m scripts.make_handout

grade: install  ## Grade students' notebooks: make grade SUBMISSIONS=folder [TIMEOUT=s]; build/grades/grades.csv.
	$(BIN)/python -m scripts.grade "$(SUBMISSIONS)"$(if $(TIMEOUT), --timeout $(TIMEOUT))

samples: install  ## Rebuild the bundled samples: make samples MNIST=path/mnist.npz FASHION=folder
	$(BIN)/python -m scripts.build_samples --mnist "$(MNIST)" --fashion "$(FASHION)"

set-repo: install  ## Point the README's and notebooks' links at your fork: make set-repo REPO=owner/name
	$(BIN)/python -m scripts.set_repo "$(REPO)"
	$(BIN)/python -m scripts.make_exercises
	$(BIN)/python -m scripts.translations generate

clean:  ## Remove build outputs and caches (keeps .venv and artifacts/).
	rm -rf build .pytest_cache .ruff_cache

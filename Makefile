# PoolSim: set-up, build, run and test. `make run` and `make test` install what the system needs.
SWIFT ?= swift
CONFIG ?= release

.PHONY: deps build run examples test notebook-check slurm-check report-check bench bench-env fuzz fuzz-smoke clean

deps:
	bash scripts/install-deps.sh

build: deps
	$(SWIFT) build -c $(CONFIG)

# The main job: the demo scenario (Monte Carlo over the baseline, the pre-reform system and four reforms).
run: build
	mkdir -p out
	$(SWIFT) run -c $(CONFIG) poolsim run scenarios/demo.yaml --out out/demo.sqlite

# The rules engine on files: the bundled claims under both cities, one member explained, a synthetic city.
examples: build
	mkdir -p out
	$(SWIFT) run -c $(CONFIG) poolsim adjudicate --policy datasets/policies/tieling.yaml \
	  --members datasets/examples/members.csv --claims datasets/examples/claims.csv \
	  --out out/adjudicated-tieling.csv --accounts out/accounts-tieling.csv
	$(SWIFT) run -c $(CONFIG) poolsim adjudicate --policy datasets/policies/yanbian.yaml \
	  --members datasets/examples/members.csv --claims datasets/examples/claims.csv \
	  --out out/adjudicated-yanbian.csv --accounts out/accounts-yanbian.csv
	$(SWIFT) run -c $(CONFIG) poolsim explain --policy datasets/policies/yanbian.yaml \
	  --members datasets/examples/members.csv --claims datasets/examples/claims.csv --member A002
	$(SWIFT) run -c $(CONFIG) poolsim synth datasets/calibration/yanbian-fitted.yaml --members 20000 --seed 1 \
	  --out out/synth-yanbian
	$(SWIFT) run -c $(CONFIG) poolsim adjudicate --policy datasets/policies/yanbian.yaml \
	  --members out/synth-yanbian/members.csv --claims out/synth-yanbian/claims.csv \
	  --out out/synth-yanbian/adjudicated.csv

test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build --disable-swift-testing
	$(MAKE) notebook-check
	$(MAKE) slurm-check

# A one-node Slurm cluster on this machine (installed and started by scripts/slurm-local.sh, stopped
# afterwards): a 4-shard array job and its merge must equal the single-machine run.
slurm-check:
	$(SWIFT) build
	bash scripts/test-slurm.sh "$$($(SWIFT) build --show-bin-path)/poolsim"

# Executes the example notebook headless (nbclient, the venv's kernel) and fails on any cell error.
# The venv (.venv) gets the pinned packages of scripts/requirements-notebook.txt on first use.
notebook-check:
	bash scripts/python-env.sh scripts/requirements-notebook.txt
	bash scripts/check-notebook.sh notebooks-export/demo.ipynb

# The HTML report of the demo run, rendered by headless Chromium (installed through apt if missing)
# and checked not blank with every chart present. Not part of `make test` (CI): it needs a browser.
report-check: build
	mkdir -p out
	$(SWIFT) run -c $(CONFIG) poolsim run scenarios/demo.yaml --out out/demo.sqlite
	$(SWIFT) run -c $(CONFIG) poolsim report out/demo.sqlite --out out/report.html
	bash scripts/check-report.sh out/report.html out/report.png

# A Python virtual environment (.venv) with numpy and PyYAML for the runner's numpy reference.
bench-env:
	bash scripts/python-env.sh scripts/requirements-bench.txt

bench: build bench-env
	$(SWIFT) run -c $(CONFIG) poolsim bench
	$(SWIFT) run -c $(CONFIG) poolsim bench-run --python .venv/bin/python
	$(SWIFT) run -c $(CONFIG) poolsim bench-synth --calibration benchmarks/ordinary-400k-population.yaml \
	  --calibration datasets/calibration/tieling.yaml --calibration datasets/calibration/yanbian.yaml

# libFuzzer + ASan over the CSV and YAML parsers (issue 7), in its own build folder .build-fuzz;
# crashes land in Fuzz/crashes/<target>/. Not part of `make test`.
FUZZ_SECONDS ?= 60
fuzz:
	bash scripts/fuzz.sh $(FUZZ_SECONDS)

fuzz-smoke:
	bash scripts/fuzz.sh 15

clean:
	rm -rf .build out

# NeuroSwift — the two set-up commands (see README):
#   make demo   build in release mode and run every pipeline on sample-data/, printing a results table
#   make test   build and run the test suite
# Both first install the Debian packages the build needs (with sudo when not root).

SWIFT ?= swift
PACKAGES := libhdf5-dev libopenblas-dev liblapacke-dev libfftw3-dev zlib1g-dev libdeflate-dev pkg-config
SUDO := $(shell [ "$$(id -u)" -eq 0 ] || echo sudo)
# Tests and benchmarks use one BLAS thread for stable, reproducible figures.
export OPENBLAS_NUM_THREADS ?= 1

.PHONY: all deps build demo test bench bench-deps sample-data validate validate-geometric validate-ricci validate-bicluster validate-bicluster-seeds validate-connectome validate-stateglm validate-duin validate-neuroformer clean

all: build

deps:
	@command -v dpkg >/dev/null || { echo "make deps: needs a Debian/Ubuntu system (dpkg, apt-get); install $(PACKAGES) by hand"; exit 1; }
	@missing=""; for p in $(PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

build: deps
	$(SWIFT) build -c release --product neuroswift

demo: build
	.build/release/neuroswift demo --data sample-data

# The benchmark package is not built by the tests; at least check that its manifest parses.
test: deps
	$(SWIFT) test
	cd Benchmarks && $(SWIFT) package dump-package > /dev/null

# Regenerates the committed sample data (deterministic apart from the 'created' attribute).
sample-data: build
	.build/release/neuroswift simulate oscillations --seed 7 --output sample-data/oscillations.h5
	.build/release/neuroswift simulate mi-eeg --seed 7 --output sample-data/mi-eeg.edf
	.build/release/neuroswift simulate bicluster --seed 0 --output sample-data/bicluster.h5
	.build/release/neuroswift simulate connectome --seed 7 --output sample-data/connectome.h5
	.build/release/neuroswift simulate duin --seed 7 --words 5 --trials-per-word 8 --unlabelled-seconds 40 --output sample-data/duin-seeg.edf
	.build/release/neuroswift simulate stateglm --seed 21 --states 3 --neurons 10 --bins 300 --sequences 8 --concentration 1,1,1 --output sample-data/stateglm.h5
	.build/release/neuroswift simulate neuroformer --seed 3 --duration 240 --output sample-data/neuroformer.h5

# Speed against the reference tools, written into docs/performance.md (needs python3 with numpy,
# and mne + pyedflib and ../shared/data/eeg for the EDF comparison).
# The reference tools the benchmarks compare against: numpy/scipy, MNE, pyedflib, nibabel, pynwb (pip)
# and PyTorch and graph-tool (Debian's python3-torch, python3-graph-tool, for the system interpreter /usr/bin/python3).
bench-deps: deps
	python3 -m pip install -q numpy scipy mne pyedflib nibabel pynwb pyriemann scikit-learn
	# GraphRicciCurvature 0.6.1 pins scipy<=1.13.1 (and would downgrade numpy); it runs fine on current scipy, so no deps.
	python3 -m pip install -q POT networkit networkx python-louvain && python3 -m pip install -q --no-deps GraphRicciCurvature==0.6.1
	@dpkg -s python3-torch >/dev/null 2>&1 || { $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq python3-torch; }
	@dpkg -s python3-graph-tool >/dev/null 2>&1 || { $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq python3-graph-tool; }

bench: bench-deps
	cd Benchmarks && $(SWIFT) build -c release --product neuro-bench-compare
	cd Benchmarks && $(SWIFT) build -c release --product neuro-bench-nn
	python3 Benchmarks/compare/gemm_fft.py --swift Benchmarks/.build/release/neuro-bench-compare --output docs/performance.md
	cd Benchmarks && $(SWIFT) build -c release --product neuro-bench-formats
	python3 Benchmarks/compare/formats.py --swift Benchmarks/.build/release/neuro-bench-formats --output docs/performance.md
	cd Benchmarks && $(SWIFT) build -c release --product neuro-bench-eeg
	python3 Benchmarks/compare/eeg_read.py --swift Benchmarks/.build/release/neuro-bench-eeg --output docs/performance.md
	/usr/bin/python3 Benchmarks/compare/nn_step.py --swift Benchmarks/.build/release/neuro-bench-nn --output docs/performance.md
	cd Benchmarks && $(SWIFT) build -c release --product neuro-bench-ricci
	python3 Benchmarks/compare/ricci.py --swift Benchmarks/.build/release/neuro-bench-ricci --output docs/performance.md
	cd Benchmarks && $(SWIFT) build -c release --product neuro-bench-riemann
	python3 Benchmarks/compare/riemann.py --swift Benchmarks/.build/release/neuro-bench-riemann --output docs/performance.md
	$(SWIFT) build -c release --product neuroswift
	python3 Benchmarks/compare/bicluster_sweep.py --swift .build/release/neuroswift --output docs/performance.md
	python3 -m pip install -q tensortools tensorly
	cd Benchmarks && $(SWIFT) build -c release --product neuro-bench-ntf
	python3 Benchmarks/compare/ntf.py --swift Benchmarks/.build/release/neuro-bench-ntf --output docs/performance.md
	cd Benchmarks && $(SWIFT) build -c release --product neuro-bench-stateglm
	/usr/bin/python3 Benchmarks/compare/stateglm.py --swift Benchmarks/.build/release/neuro-bench-stateglm --output docs/performance.md
	python3 Benchmarks/compare/sbm.py --swift Benchmarks/.build/release/neuro-bench-ntf --output docs/performance.md
	cd Benchmarks && $(SWIFT) build -c release --product neuro-bench-neuroformer
	/usr/bin/python3 Benchmarks/compare/neuroformer.py --swift Benchmarks/.build/release/neuro-bench-neuroformer --output docs/performance.md
	cd Benchmarks && $(SWIFT) package --allow-writing-to-package-directory benchmark
	cd Benchmarks && $(SWIFT) build -c release --product neuro-bench-duin
	/usr/bin/python3 Benchmarks/compare/duin.py --swift Benchmarks/.build/release/neuro-bench-duin --output docs/performance.md

# Full-size validations against the reference tools; each writes its report into docs/.
validate: validate-geometric validate-ricci validate-bicluster validate-bicluster-seeds validate-connectome validate-stateglm validate-duin validate-neuroformer

# Riemannian EEG decoders against pyRiemann / MNE / scikit-learn on identical epochs and folds
# (simulated scenarios, and ../shared/data/eeg when present) → docs/geometric-eeg.md.
validate-geometric: build
	python3 -m pip install -q pyriemann mne scikit-learn
	python3 scripts/validate_geometric.py --swift .build/release/neuroswift --output docs/geometric-eeg.md

# ricci-gcn CV on eegmmidb S001 beside pyRiemann TS+LR, and the denoising benchmark → docs/geometric-eeg-manifold.md
# (needs ../shared/data/eeg and python3 with mne, pyriemann, scikit-learn).
validate-ricci: bench-deps
	cd Benchmarks && $(SWIFT) build -c release --product neuro-bench-ricci
	python3 scripts/validate_ricci.py --swift Benchmarks/.build/release/neuro-bench-ricci --output docs/geometric-eeg-manifold.md

# Bayesian bi-clustering at the paper's size (4 chains on the simulation, 2 chains on the Allen
# recording in ../shared/data/spikes/allen-719161530), written into docs/bicluster.md.
# BICLUSTER_SWEEPS overrides the number of sweeps per chain.
# BICLUSTER_FIT_ARGS are passed to both fits (the collapsed state moves, the excursion start, its
# burn-in restart from the chain's latents, one shared dispersion, which the Allen fit drops; empty for
# the defaults).
BICLUSTER_SWEEPS ?= 1000
BICLUSTER_FIT_ARGS ?= --collapsed-state-proposals 10 --initial-states excursions --state-restart-sweep 40 --shared-dispersion
validate-bicluster: build
	python3 scripts/validate_bicluster.py --binary .build/release/neuroswift --sweeps $(BICLUSTER_SWEEPS) --fit-args "$(BICLUSTER_FIT_ARGS)" --output docs/bicluster.md

# The recovery targets on every simulation seed in BICLUSTER_SEEDS (2 chains each, from the data start and
# from the truth), written as section 1g of docs/bicluster.md (about 1 min per seed).
BICLUSTER_SEEDS ?= 0-13
validate-bicluster-seeds: build
	python3 scripts/validate_bicluster.py --binary .build/release/neuroswift --seeds $(BICLUSTER_SEEDS) --chains 2 --sweeps $(BICLUSTER_SWEEPS) --fit-args "$(BICLUSTER_FIT_ARGS)" --output docs/bicluster.md

# Dynamic connectomes (issue 7) at full size: planted NTF recipe, simulated end to end and null, real
# calcium data (needs ../shared/data); writes docs/connectome.md.
validate-connectome: build
	python3 -m pip install -q tensortools scikit-learn h5py
	cd Benchmarks && $(SWIFT) build -c release --product neuro-bench-ntf
	python3 scripts/validate_connectome.py --neuroswift .build/release/neuroswift \
		--ntf Benchmarks/.build/release/neuro-bench-ntf --output docs/connectome.md

# HMM-GLM (issue 8) at the reference demo size, three priors, plus the real-data fits → docs/stateglm.md
# (tens of minutes on 2 cores; needs ../shared/data for the real-data part).
validate-stateglm: deps
	cd Benchmarks && $(SWIFT) build -c release --product neuro-bench-stateglm
	python3 scripts/validate_stateglm.py --harness Benchmarks/.build/release/neuro-bench-stateglm --output docs/stateglm.md

# Du-IN (issue 11): the methods note's schedule (one pretraining on the unlabelled hour, 100 epochs per
# stage; criteria 1–5 with validation-only model selection, 5 seeds at 10 labels per word), then eegmmidb
# S001 beside ts-lr / csp-lda on the same folds → docs/duin.md. About 1–2 h on one quiet core.
validate-duin:
	cd Benchmarks && $(SWIFT) build -c release --product neuro-bench-duin
	python3 scripts/validate_duin.py --harness Benchmarks/.build/release/neuro-bench-duin --output docs/duin.md --schedule
	python3 scripts/validate_duin.py --harness Benchmarks/.build/release/neuro-bench-duin --output docs/duin.md --skip-simulated --steps 100 --pretrain-steps 150 --eeg-channels motor
# Neuroformer-mini on the simulated hub network and the nelpy linear track (held-out laps, vs ridge and
# Bayesian decoders) → docs/neuroformer.md. About 15–30 min on 2 cores.
validate-neuroformer: build
	python3 scripts/validate_neuroformer.py --neuroswift .build/release/neuroswift --output docs/neuroformer.md

clean:
	rm -rf .build Benchmarks/.build


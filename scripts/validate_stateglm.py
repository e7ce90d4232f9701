#!/usr/bin/env python3
"""Full-size validation of the HMM-GLM (issue 8) and its real-data fits → docs/stateglm.md.

Usage (from the repository root; `make validate-stateglm` does this):
    python3 scripts/validate_stateglm.py --harness Benchmarks/.build/release/neuro-bench-stateglm \
        --output docs/stateglm.md [--seeds 1] [--restarts 1] [--skip-real-data]

1. Simulated recovery at the reference demo size (S = 5, N = 20, K = 5, 50 sequences of 2000 bins, 30 for
   training and 20 held out; the demo generator, ≈ 20 % coupling density) for the naive, Gaussian and
   one-hot priors, with the reference schedule (per sequence: E-step then 50 Adam steps, lr 0.01;
   10 epochs) and `--restarts` seeded starts kept by training objective; the one-hot model is warm-started
   from 5 epochs of the Gaussian model. States are matched on the training sequences (Hungarian) and
   scored on held-out ones; types of naive/Gaussian weights use the oracle threshold (optimistic).
2. Real data (needs ../shared/data): Allen 719161530 and the nelpy linear track.
Each result replaces the section between its markers in the output; the prose around them is kept.
"""
import argparse
import pathlib
import subprocess


def write_section(output, name, heading, lines):
    """Replaces the text between this section's markers in `output` (appending it under `## heading`
    the first time), leaving the prose around it alone."""
    begin_marker, end_marker = f"<!-- {name}:begin", f"<!-- {name}:end -->"
    section = "\n".join([f"{begin_marker} (written by scripts/validate_stateglm.py; rerun it, do not edit) -->", *lines, end_marker])
    path = pathlib.Path(output)
    text = path.read_text() if path.exists() else "# State-switching GLMs\n\n"
    begin, end = text.find(begin_marker), text.find(end_marker)
    if begin >= 0 and end >= 0:
        text = text[:begin] + section + text[end + len(end_marker):]
    else:
        text = text.rstrip() + f"\n\n## {heading}\n\n" + section + "\n"
    path.write_text(text)


def run(harness, *arguments):
    result = subprocess.run([harness, *arguments], check=True, capture_output=True, text=True,
                            env={"OPENBLAS_NUM_THREADS": "1", "PATH": "/usr/bin:/bin"})
    return result.stdout.strip().splitlines()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--harness", required=True)
    parser.add_argument("--output", default="docs/stateglm.md")
    parser.add_argument("--seeds", default="1")
    parser.add_argument("--restarts", default="1")
    parser.add_argument("--data", default="../shared/data")
    parser.add_argument("--skip-real-data", action="store_true")
    args = parser.parse_args()
    command = ["validate", "--seeds", args.seeds, "--schedule", "reference", "--restarts", args.restarts, "--epochs", "10"]
    lines = run(args.harness, *command)
    intro = [
        f"`neuro-bench-stateglm {' '.join(command)}` (fit seconds are wall-clock).",
        "Demo generator: S = 5, N = 20, K = 5, 50 sequences × 2000 bins, 30 training / 20 held-out; reference schedule",
        "(per sequence: E-step + 50 Adam steps, lr 0.01), 10 epochs; the one-hot model is warm-started by 5 epochs of the",
        "Gaussian model (warm-start threshold 0.5) and anneals its Gumbel temperature 0.5 → 0.2. State accuracy: posterior",
        "argmax on held-out sequences after Hungarian matching on the training ones (in brackets, the true model's own).",
        "Type accuracy over {inh, none, exc}, off-diagonal pairs of all states; naive and Gaussian at the **oracle** |w|",
        "threshold (chosen with the truth: optimistic), one-hot from hard argmax types with **no threshold**.",
        "",
    ]
    write_section(args.output, "stateglm_validation", "Recovery at the reference demo size", intro + lines)
    if not args.skip_real_data:
        lines = run(args.harness, "realdata", "--data", args.data, "--epochs", "10")
        write_section(args.output, "stateglm_realdata", "Real data", [f"`neuro-bench-stateglm realdata --data {args.data} --epochs 10`", ""] + lines)


if __name__ == "__main__":
    main()

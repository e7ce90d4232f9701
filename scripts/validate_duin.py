#!/usr/bin/env python3
"""Du-IN validation (issue 11) → docs/duin.md.

Usage (from the repository root; `make validate-duin` does this):
    python3 scripts/validate_duin.py --harness Benchmarks/.build/release/neuro-bench-duin --output docs/duin.md \
        [--steps 150] [--pretrain-steps 300] [--seeds 3] [--data ../shared/data] [--unlabelled-seconds 1200] [--scarce 10]
        [--encoder-lr-scale 1 --frozen-fraction 0] [--eeg-codes 64 --eeg-code-dim 8 --eeg-beta 0.25 --eeg-dead 0.5]
        [--scarce-only] [--simulated-json saved.json] [--eegmmidb-json saved.json] [--previous-rows '[...]']
The session-5 scarce-label section was rendered from a saved run with
    --scarce-only --simulated-json C.json --steps 60 --seeds 3 --pretrain-steps 150 --unlabelled-seconds 1200
    --encoder-lr-scale 0.3 --frozen-fraction 0.3

1. Simulator (DuINSimulation defaults: 10 words × 40 trials, 10 channels of which 6 informative, 250 Hz,
   300 s unlabelled recording... see the harness): 5-fold accuracy of Du-IN from scratch, VQ-VAE- and
   MAE-pretrained (fine-tuned) and MAE with a frozen encoder on the same folds; shuffled training
   labels; scarce labels (10 per word) pretrained vs scratch over seeds; channel-contribution AUROC of
   the planted channels; VQ-VAE health.
2. Real EEG (needs ../shared/data): eegmmidb S001 left vs right fist (runs 3/4/7/8/11/12, T1/T2, 8–30 Hz,
   0.5–2.5 s), Du-IN beside ts-lr and csp-lda on identical epochs and 5 folds.
3. The methods note's schedule (§D2; `--schedule`, what `make validate-duin` runs first):
   `neuro-bench-duin scarce` — one pretraining on the unlabelled hour (stage 1 then stage 2, 100 epochs
   each of 4 s crops, reference learning-rate laws), VQ-VAE health on the held-out labelled block, then
   criteria 1/4/5 at full labels (80/10/10 per word) and criterion 2 at 10 training trials per word over
   5 seeds, every classifier state chosen on validation trials only → sections duin-criteria and
   duin-scarce. `--schedule-json a.json [b.json …]` renders saved harness outputs (the scarce seeds may be
   split over processes with `--seed-list`; their results are merged).
Each result replaces the section between its markers in the output; the prose around it is kept.
"""
import argparse
import json
import math
import os
import pathlib
import statistics
import subprocess
import sys
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent / "Benchmarks" / "compare"))
import report  # noqa: E402  (shared section writer)


def write_section(output, name, heading, lines):
    report.write_section(output, name, heading, lines, source="scripts/validate_duin.py", title="# Du-IN: discrete-codebook masked modelling for sEEG decoding\n\n")


def run(harness, *arguments):
    env = dict(os.environ)
    env.setdefault("OPENBLAS_NUM_THREADS", "1")
    out = subprocess.run([harness, *arguments], check=True, capture_output=True, text=True, env=env).stdout
    return json.loads(out)


def mean_se(values):
    m = statistics.fmean(values)
    se = statistics.stdev(values) / math.sqrt(len(values)) if len(values) > 1 else float("nan")
    return m, se


def auroc(positive, negative):
    wins = sum((p > n) + 0.5 * (p == n) for p in positive for n in negative)
    return wins / (len(positive) * len(negative))


def simulated(args):
    if args.simulated_json:  # a saved harness output of the same command (long runs on a loaded machine)
        r = json.loads(pathlib.Path(args.simulated_json).read_text())
    else:
        r = run(args.harness, "simulated", "--steps", str(args.steps), "--seeds", str(args.seeds), "--pretrain-steps", str(args.pretrain_steps),
                "--unlabelled-seconds", str(args.unlabelled_seconds), "--scarce", str(args.scarce),
                "--encoder-lr-scale", str(args.encoder_lr_scale), "--frozen-fraction", str(args.frozen_fraction),
                "--spectral", str(args.spectral), *args.sim_codebook.split(), *(["--only-scarce", "1"] if args.scarce_only else []))
    chance = r["chance"]
    lines = [
        f"`neuro-bench-duin simulated --steps {args.steps} --seeds {args.seeds} --pretrain-steps {args.pretrain_steps} "
        f"--unlabelled-seconds {args.unlabelled_seconds:g} --scarce {args.scarce} --encoder-lr-scale {args.encoder_lr_scale:g} "
        f"--frozen-fraction {args.frozen_fraction:g} --spectral {args.spectral:g}{' ' + args.sim_codebook if args.sim_codebook else ''}` ({r['seconds']:.0f} s wall for stage 3 on a shared machine).",
        f"Simulator: {r['words']} words × {r['trialsPerWord']} trials, {r['channels']} channels (planted: {r['informative']}), "
        f"{r['unlabelledSeconds']:.0f} s unlabelled recording (seed {r['seed']}); epochs −0.5…2.5 s ({r['samples']} samples → 30 patches). "
        f"Du-IN-mini. Stages 1–2 run once, {r['pretrainSteps']} AdamW steps each (batch 32, 4 s crops, lr 1e-3 warm-up + cosine) "
        f"on the unlabelled span only; every classifier (stage 3) runs {r['steps']} steps on the fold's training trials "
        f"(lr 1e-3 warm-up + cosine). Fine-tuned pretrained encoders: the head alone for the first "
        f"{100 * args.frozen_fraction:.0f} % of the steps, then the encoder at {args.encoder_lr_scale:g}× the head's rate. "
        f"Stage 1 reconstructs the raw signal (MSE) and, weighted {args.spectral:g}, every patch's standardised log-amplitude "
        f"spectrum per channel (0 = the reference's raw signal only). Chance {chance:.3f}.",
        "",
    ]
    full = "fiveFold" in r
    if full:
        lines += ["| variant | 5-fold accuracy (mean ± s.e.) | × chance |", "|---|---|---|"]
        for name in ["scratch", "vqvae", "mae", "mae-frozen"]:
            m, se = mean_se(r["fiveFold"][name])
            lines.append(f"| {name} | {m:.3f} ± {se:.3f} | {m / chance:.1f} |")
        m, se = mean_se(r["shuffled"])
        lines.append(f"| scratch, shuffled training labels | {m:.3f} ± {se:.3f} | {m / chance:.1f} |")
        lines.append("")
    lines += [f"Scarce labels ({r['scarcePerWord']} training trials per word, the rest tested; pretraining on the unlabelled span only), "
              f"{args.seeds} seeds:", "", "| variant | accuracy (mean ± s.e.) | per seed |", "|---|---|---|"]
    for name in ["scratch", "vqvae", "mae", "mae-frozen"]:
        m, se = mean_se(r["scarce"][name])
        lines.append(f"| {name} | {m:.3f} ± {se:.3f} | {', '.join(f'{v:.3f}' for v in r['scarce'][name])} |")
    for name in ["mae", "vqvae", "mae-frozen"]:
        diff = [a - b for a, b in zip(r["scarce"][name], r["scarce"]["scratch"])]
        dm, dse = mean_se(diff)
        wins = sum(d > 0 for d in diff)
        lines.append(f"| {name} − scratch (paired by seed) | {dm:+.3f} ± {dse:.3f} (seed SD {statistics.stdev(diff):.3f}; better on {wins}/{len(diff)} seeds) "
                     f"| {', '.join(f'{v:+.3f}' for v in diff)} |")
    sd_scratch = statistics.stdev(r["scarce"]["scratch"])
    lines.append("")
    lines.append(f"Seed spread (SD over the {args.seeds} splits) of scratch: {sd_scratch:.3f}.")
    stage = r.get("stages", {})
    lines.append("")
    if full:
        scores = r["contributions"]
        informative = [scores[i] for i in r["informative"]]
        noise = [scores[i] for i in range(len(scores)) if i not in r["informative"]]
        order = sorted(range(len(scores)), key=lambda i: -scores[i])
        lines.append(f"Channel contributions (mean |W| of the scratch models' spatial mix, averaged over folds): ranking {order}; "
                     f"AUROC planted vs noise channels **{auroc(informative, noise):.2f}**.")
    lines += [f"Stage 1 on the unlabelled span: reconstruction MSE {stage.get('vqvaeReconstructionFirst', float('nan')):.3f} → "
              f"{stage.get('vqvaeReconstructionLast', float('nan')):.3f} (z-units), usage perplexity "
              f"{stage.get('vqvaePerplexity', float('nan')):.1f} of {stage.get('codes', 512)}, dead codes "
              f"{100 * stage.get('vqvaeDeadFraction', float('nan')):.0f} %"
              + (f", spectral-target MSE {stage['vqvaeSpectralFirst']:.3f} → {stage['vqvaeSpectralLast']:.3f} (standardised log amplitudes)"
                 if 'vqvaeSpectralFirst' in stage else "")
              + f". Stage 2: cross-entropy {stage.get('maeLossFirst', float('nan')):.2f} → "
              f"{stage.get('maeLossLast', float('nan')):.2f} (ln {stage.get('codes', 512):.0f} = {math.log(stage.get('codes', 512)):.2f}), masked-code top-1 "
              f"{stage.get('maeMaskedTop1', float('nan')):.3f} on training batches against {stage.get('maeMajorityBaseline', float('nan')):.3f} for always "
              f"predicting the batch's most frequent code."]
    if full:
        write_section(args.output, "duin-simulated", "Simulated word-reading sEEG", lines)
    else:
        write_section(args.output, "duin-scarce", "Simulated sEEG with scarce labels: pretrained vs scratch", lines)
    print("\n".join(lines))


def merge_schedule(paths):
    merged = {}
    for p in paths:
        r = json.loads(pathlib.Path(p).read_text())
        for key, value in r.items():
            if key in ("scarce", "selectedStep") and key in merged:
                for variant, per_seed in value.items():
                    merged[key].setdefault(variant, {}).update(per_seed)
            elif key not in merged or key in ("health", "stages", "full") and value:
                merged[key] = value
    return merged


def schedule(args):
    if args.schedule_json:
        r = merge_schedule(args.schedule_json)
    else:
        out = pathlib.Path(args.schedule_output)
        command = [args.harness, "scarce", "--seeds", str(args.schedule_seeds), "--full-seeds", str(args.full_seeds),
                   "--unlabelled-seconds", "3600", "--vq-epochs", str(args.vq_epochs), "--mae-epochs", str(args.mae_epochs),
                   "--cls-epochs", str(args.cls_epochs), "--spectral", str(args.spectral), *args.sim_codebook.split(),
                   "--variants", args.schedule_variants,
                   "--checkpoints", str(out.parent / "duin-schedule-checkpoints"), "--partial", str(out)]
        print(" ".join(command), flush=True)
        env = dict(os.environ)
        env.setdefault("OPENBLAS_NUM_THREADS", "1")
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, env=env)
        r = json.loads(out.read_text())
        # Linear probes of the frozen random / VQ-VAE / MAE encoders on the same low-label splits.
        r["probe"] = json.loads(subprocess.run([args.harness, "probe", "--checkpoints", str(out.parent / "duin-schedule-checkpoints"),
                                                "--seeds", str(args.schedule_seeds)], check=True, capture_output=True, text=True, env=env).stdout)
    if args.probe_json:
        r["probe"] = json.loads(pathlib.Path(args.probe_json).read_text())
    chance = r["chance"]
    st, h = r.get("stages", {}), r.get("health")
    informative = r["informative"]
    vq_epochs = round(r["vqSteps"] / r["stepsPerEpoch"]) if "vqSteps" in r else args.vq_epochs
    mae_epochs = round(r["maeSteps"] / r["stepsPerEpoch"]) if "maeSteps" in r else args.mae_epochs
    codes = 512
    dead = st.get("vqDeadFraction", float("nan"))
    rows = ["| criterion (methods note §D2) | goal | figure | met |", "|---|---|---|---|"]
    full = r.get("full")
    if full:
        sm, sse = mean_se(full["scratch"])
        bm, bse = mean_se(full["bandPowerLR"])
        hm, hse = mean_se(full["shuffled"])
        n_test = full["testTrials"]
        binom = math.sqrt(chance * (1 - chance) / n_test)
        se5 = max(hse, binom / math.sqrt(len(full["shuffled"])))
        scores = full["contributions"]
        a = auroc([scores[i] for i in informative], [scores[i] for i in range(len(scores)) if i not in informative])
        rows += [
            f"| 1. scratch ≥ 3× chance and above band-power + LR | ≥ {3 * chance:.2f}, > baseline | scratch **{sm:.3f} ± {sse:.3f}** ({sm / chance:.1f}× chance); "
            f"band-power + LR {bm:.3f} ± {bse:.3f} ({len(full['scratch'])} splits 80/10/10; {full.get('steps', 0)} classifier steps) | {'yes' if sm >= 3 * chance and sm > bm else ('≥ 3× chance: yes; above the baseline: no' if sm >= 3 * chance else 'no')} |",
            f"| 4. channel contributions rank planted channels on top | AUROC ≥ 0.9 | AUROC **{a:.2f}** (ranking {sorted(range(len(scores)), key=lambda i: -scores[i])}) | {'yes' if a >= 0.9 else 'no'} |",
            f"| 5. permuted training labels at chance | within {chance:.2f} ± 2 s.e. | **{hm:.3f} ± {se5:.3f}** (s.e.: max of seed s.e. and binomial over {n_test} test trials) | "
            f"{'yes' if abs(hm - chance) <= 2 * se5 else 'no'} |",
        ]
    sc = r.get("scarce", {})
    # Criterion 2 with the same stage-3 recipe on both sides: LP-FT (a validated logistic probe on the
    # frozen encoder initialises a linear head, then everything fine-tunes) first, then the note's MLP
    # head, whose figure stays reported next to it.
    for pretrained, scratch, recipe in [("mae-lpft", "scratch-lpft", "LP-FT recipe on both sides"), ("mae", "scratch", "the note's MLP-head recipe")]:
        if scratch not in sc or pretrained not in sc:
            continue
        seeds = sorted(set(sc[scratch]) & set(sc[pretrained]), key=int)
        diff = [sc[pretrained][k] - sc[scratch][k] for k in seeds]
        dm, dse = mean_se(diff)
        pm, pse = mean_se([sc[pretrained][k] for k in seeds])
        bm, bse = mean_se([sc[scratch][k] for k in seeds])
        rows.append(f"| 2. MAE init beats scratch at 10 trials/word ({recipe}) | ≥ +0.05 (mean of 5 seeds) | {pretrained} − {scratch} **{dm:+.3f} ± {dse:.3f}** "
                    f"({len(seeds)} seeds; better on {sum(d > 0 for d in diff)}; {pm:.3f} vs {bm:.3f}) | {'yes' if dm >= 0.05 else 'no'} |")
    if h is None:
        rows.append("| 3. VQ-VAE health | R² ≥ 0.5, perplexity ≥ 50, < 50 % dead, MAE ≫ majority | not measured: the pretraining did not finish | — |")
    else:
      r2 = h["reconstructionR2"]
      r2_inf = statistics.fmean(r2[i] for i in informative)
      r2_noise = statistics.fmean(r2[i] for i in range(len(r2)) if i not in informative)
      rows += [
        f"| 3a. held-out reconstruction R², informative channels | ≥ 0.5 | **{r2_inf:.3f}** (noise channels {r2_noise:.3f}) | {'yes' if r2_inf >= 0.5 else 'no'} |",
        f"| 3b. codebook perplexity / dead codes | ≥ 50 of {codes} / < 50 % | held-out **{h['heldOutPerplexity']:.1f}** ({h['heldOutUsedCodes']} codes used), "
        f"training batches {st.get('vqPerplexityLast', float('nan')):.1f}; dead {100 * dead:.0f} % | "
        f"{'yes' if h['heldOutPerplexity'] >= 50 and dead < 0.5 else 'no'} |",
        f"| 3c. MAE masked-code top-1 well above the majority code | ≫ majority | held-out **{h['heldOutMaskedTop1']:.3f}** vs majority {h['heldOutMajorityCode']:.3f} "
        f"(training {st.get('maeTop1Last', float('nan')):.3f} vs {st.get('maeMajorityLast', float('nan')):.3f}) | "
        f"{'yes' if h['heldOutMaskedTop1'] >= 2 * h['heldOutMajorityCode'] else 'no'} |",
      ]
    head = [
        f"`neuro-bench-duin scarce --seeds {args.schedule_seeds} --full-seeds {args.full_seeds} --unlabelled-seconds 3600 --vq-epochs {vq_epochs} "
        f"--mae-epochs {mae_epochs} --cls-epochs {args.cls_epochs} --spectral {args.spectral:g} {args.sim_codebook}"
        + (f" --variants {','.join(r['scarce'])}" if r.get("scarce") else "") + "` "
        + ("(`make validate-duin`). " if vq_epochs == 100 and mae_epochs == 100 else
           "(shortened for a loaded machine, its seeds split over processes with `--seed-list`; `make validate-duin` runs 100 + 100 epochs "
           "and `--full-seeds 3`). ")
        + f"Simulator seed {r['seed']}: {r['words']} words × {r['trialsPerWord']} trials, {r['channels']} channels "
        f"(planted {informative}), {r['unlabelledSeconds']:.0f} s unlabelled recording for pretraining only"
        + (f", high-gamma gain g = {r['highGammaGain']:g}, evoked gain e = {r['evokedGain']:g}" if "highGammaGain" in r else "")
        + f". One pretraining: stage 1 "
        f"{r['vqSteps']} steps ({vq_epochs} epochs) then stage 2 {r['maeSteps']} steps ({mae_epochs} epochs) ({r['stepsPerEpoch']} batches of 32 four-second crops per epoch), AdamW, "
        f"warm-up 10 % + cosine from {r['pretrainLearningRate']:g} to 5e-5; stage 1 head: {r['decoderHead']}; spectral-target weight "
        f"{r['spectralWeight']:g}, commitment β {r['commitment']:g}, restart threshold {r['deadThreshold']:g}"
        + (f" ({st['vqSeconds'] / 60:.0f} + {st['maeSeconds'] / 60:.0f} min on a loaded machine)." if 'vqSeconds' in st else ".")
        + f" Classifiers: {args.cls_epochs} epochs (lr 1e-3 warm-up + cosine, frozen heads 3e-3), the state of best validation "
        f"accuracy kept (evaluated every epoch; test trials never used for selection). "
        + ("Two stage-3 recipes, each the same for scratch and pretrained encoders: the note's (2400 → 128 → 10 MLP head; "
           "`scratch`, `mae`) and LP-FT (`*-lpft`: an L2 logistic regression on the frozen encoder's flattened output, its "
           "strength chosen among 1e-4…1 on the validation trials, initialises a linear 2400 → 10 head, then head and encoder "
           "fine-tune at the note's stage-3 rate, 2e-4 warm-up + cosine to 5e-6; the probe itself is evaluated as step 0). "
           if any(name.endswith("-lpft") for name in r.get("scarce", {})) else "")
        + f"Chance {chance:.3f}.",
        "",
    ]
    rows = rows[:2] + sorted(rows[2:], key=lambda row: row[2:4])  # criteria in the note's order
    write_section(args.output, "duin-criteria", "Methods-note criteria (full schedule)", head + rows)
    lines = [f"Low-label regime: per seed {r.get('split', {}).get('train', 10)} training, {r.get('split', {}).get('validation', 5)} validation and "
             f"{r.get('split', {}).get('test', 25)} test trials per word; {r.get('classifierSteps', 0)} classifier steps.", "",
             "| variant | test accuracy (mean ± s.e.) | per seed | selected step per seed |", "|---|---|---|---|"]
    for name, per_seed in sc.items():
        ks = sorted(per_seed, key=int)
        m, se = mean_se([per_seed[k] for k in ks])
        sel = r.get("selectedStep", {}).get(name, {})
        lines.append(f"| {name} | {m:.3f} ± {se:.3f} | {', '.join(f'{per_seed[k]:.3f}' for k in ks)} | {', '.join(str(sel.get(k, '')) for k in ks)} |")
    def paired(name, base):
        seeds = sorted(set(sc[base]) & set(sc[name]), key=int)
        if len(seeds) < 2:
            return
        diff = [sc[name][k] - sc[base][k] for k in seeds]
        dm, dse = mean_se(diff)
        lines.append(f"| {name} − {base} (paired) | {dm:+.3f} ± {dse:.3f} | {', '.join(f'{d:+.3f}' for d in diff)} | |")
    for name in sc:
        if name != "scratch" and "scratch" in sc:
            paired(name, "scratch")
    for name in sc:  # the LP-FT variants against LP-FT from a random encoder (the same recipe)
        if name.endswith("-lpft") and name != "scratch-lpft" and "scratch-lpft" in sc:
            paired(name, "scratch-lpft")
    probe = r.get("probe")
    if probe:
        lines += ["", f"Linear probes (`neuro-bench-duin probe`): L2 logistic regression on the flattened output of a frozen encoder "
                  f"(30 × 80 features) or on log band power, the same {probe['perWord']} training trials per word, L2 strength chosen on the "
                  f"validation trials, same test trials:", "", "| features | test accuracy (mean ± s.e.) | per seed | − scratch (paired) |", "|---|---|---|---|"]
        scratch = sc.get("scratch", {})
        for name, label in [("random", "random encoder (no pretraining)"), ("vqvae", "VQ-VAE encoder (stage 1)"), ("mae", "MAE encoder (stage 2)"),
                            ("bandPowerLR", "log band power")]:
            if name not in probe:
                continue
            v = probe[name]
            m, se = mean_se(v)
            paired = [v[int(k)] - scratch[k] for k in sorted(scratch, key=int) if int(k) < len(v)]
            dm, dse = mean_se(paired) if len(paired) > 1 else (float("nan"), float("nan"))
            lines.append(f"| {label} | {m:.3f} ± {se:.3f} | {', '.join(f'{x:.3f}' for x in v)} | {dm:+.3f} ± {dse:.3f} |")
    if h is None:
        lines += ["", "Held-out health: not measured (the pretraining did not finish)."]
    else:
      lines += ["", "Stage logs and held-out health:", "",
              f"- Stage 1 reconstruction MSE (training batches, every 5 % of the run): {', '.join(f'{v:.3f}' for v in st.get('vqReconstruction', []))}.",
              f"- Stage 1 usage perplexity per batch: {', '.join(f'{v:.0f}' for v in st.get('vqPerplexity', []))}.",
              *( [f"- Stage 1 spectral-target MSE: {', '.join(f'{v:.3f}' for v in st['vqSpectral'])}."] if st.get('vqSpectral') else []),
              f"- Stage 2 cross-entropy: {', '.join(f'{v:.2f}' for v in st.get('maeLoss', []))} (ln 512 = {math.log(512):.2f}).",
              f"- Held-out ({h['heldOutSeconds']:.0f} s labelled block, never pretrained on) reconstruction R² per channel: "
              f"{', '.join(f'{v:.2f}' for v in r2)}.",
              f"- Code–word information, I(code; word) per patch position (bits, plug-in over {r['words'] * r['trialsPerWord']} trials): "
              f"0–1.5 s after onset **{h['codeWordBitsActive']:.3f}** (labels shuffled: {h['codeWordBitsActiveShuffled']:.3f}); "
              f"before onset {h['codeWordBitsBaseline']:.3f} (shuffled {h['codeWordBitsBaselineShuffled']:.3f})."]
    write_section(args.output, "duin-scarce", "Simulated sEEG with scarce labels: pretrained vs scratch", head[:1] + [""] + lines)
    print("\n".join(head + rows + [""] + lines))


def eegmmidb(args):
    codebook = ["--codes", str(args.eeg_codes), "--code-dim", str(args.eeg_code_dim), "--beta", str(args.eeg_beta), "--dead", str(args.eeg_dead),
                "--spectral", str(args.spectral), "--channels", args.eeg_channels]
    if args.eegmmidb_json:
        r = json.loads(pathlib.Path(args.eegmmidb_json).read_text())
    else:
        r = run(args.harness, "eegmmidb", "--data", args.data, "--steps", str(args.steps), "--pretrain-steps", str(args.pretrain_steps),
                "--encoder-lr-scale", str(args.encoder_lr_scale), "--frozen-fraction", str(args.frozen_fraction), *codebook)
    if not r.get("available"):
        print("eegmmidb data not found; section left as is")
        return
    lines = [
        f"`neuro-bench-duin eegmmidb --steps {args.steps} --pretrain-steps {args.pretrain_steps} {' '.join(codebook)}`: PhysioNet EEGMMIDB S001, left (T1) vs right (T2) fist, runs "
        f"3/4/7/8/11/12 (executed and imagined), 8–30 Hz, 0.5–2.5 s: {r['trials']} trials; Du-IN reads {r['channels']} channels "
        f"(region `{r.get('region', 'all')}`; the geometric pipelines all 64) × "
        f"{r['samples']} samples at {r['rate']:.0f} Hz. Identical epochs and stratified 5 folds (seed {r['seed']}) for every "
        f"pipeline. duin-mae / duin-mae-frozen start from one VQ-VAE → MAE pretraining on the six runs' continuous 8–30 Hz "
        f"signals without labels (transductive: the test trials' signals are in that unlabelled set, their labels are not); "
        f"Codebook {r['codes']} × {r['codeDimension']}, commitment β = {r['commitment']:g}: VQ-VAE usage perplexity **{r['vqvaePerplexity']:.1f}** "
        f"(per batch, end of training); MAE masked-code top-1 {r['maeMaskedTop1']:.3f} against {r['maeMajorityBaseline']:.3f} for the majority code.",
        "",
        "| pipeline | 5-fold accuracy (mean ± s.e.) | per fold | seconds |",
        "|---|---|---|---|",
    ]
    for row in r["rows"] + args.previous_rows:
        m, se = mean_se(row["folds"])
        lines.append(f"| {row['pipeline']} | {m:.3f} ± {se:.3f} | {', '.join(f'{v:.2f}' for v in row['folds'])} | {row['seconds']:.0f} |")
    write_section(args.output, "duin-eegmmidb", "Real EEG: eegmmidb S001 left vs right fist", lines)
    print("\n".join(lines))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--harness", required=True)
    parser.add_argument("--output", default="docs/duin.md")
    parser.add_argument("--steps", type=int, default=150)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--pretrain-steps", type=int, default=300)
    parser.add_argument("--data", default="../shared/data")
    parser.add_argument("--unlabelled-seconds", type=float, default=1200)
    parser.add_argument("--scarce", type=int, default=10, help="labelled training trials per word in the scarce-label comparison")
    parser.add_argument("--encoder-lr-scale", type=float, default=1.0, help="1 and --frozen-fraction 0 are the reference recipe")
    parser.add_argument("--frozen-fraction", type=float, default=0.0)
    parser.add_argument("--eeg-codes", type=int, default=64)
    parser.add_argument("--eeg-code-dim", type=int, default=8)
    parser.add_argument("--eeg-beta", type=float, default=0.25)
    parser.add_argument("--eeg-dead", type=float, default=0.5)
    parser.add_argument("--spectral", type=float, default=1.0, help="stage-1 spectral-target weight (0: raw signal only, the reference)")
    parser.add_argument("--sim-codebook", default="--beta 0.25 --dead 0.5", help="extra stage-1 flags for the simulator run, e.g. '--beta 0.25 --dead 0.5'")
    parser.add_argument("--eeg-channels", default="all", help="all | motor (21 sensorimotor contacts) | motor10")
    parser.add_argument("--schedule", action="store_true", help="run the methods note's schedule (sections duin-criteria, duin-scarce)")
    parser.add_argument("--schedule-json", nargs="+", help="render saved `neuro-bench-duin scarce` outputs instead of running it")
    parser.add_argument("--probe-json", help="render a saved `neuro-bench-duin probe` output")
    parser.add_argument("--schedule-output", default="/tmp/duin-schedule.json", help="where the harness writes its (partial) results")
    parser.add_argument("--schedule-seeds", type=int, default=5)
    parser.add_argument("--schedule-variants", default="scratch,mae,scratch-lpft,mae-lpft,vqvae-lpft",
                        help="stage-3 variants of the scarce-label runs: the note's recipe (scratch, mae: MLP head) and LP-FT "
                             "(validated logistic probe on the frozen encoder initialises a linear head, then fine-tuning) on both sides")
    parser.add_argument("--full-seeds", type=int, default=3)
    parser.add_argument("--vq-epochs", type=int, default=100)
    parser.add_argument("--mae-epochs", type=int, default=100)
    parser.add_argument("--cls-epochs", type=int, default=100)
    parser.add_argument("--skip-simulated", action="store_true")
    parser.add_argument("--skip-real-data", action="store_true")
    parser.add_argument("--scarce-only", action="store_true", help="only the scarce-label comparison (section duin-scarce)")
    parser.add_argument("--simulated-json", help="render a saved `neuro-bench-duin simulated` output instead of running it")
    parser.add_argument("--previous-rows", type=json.loads, default=[],
                        help="JSON list of rows (pipeline, folds, seconds) measured by an earlier run on the same folds, appended to the table")
    parser.add_argument("--eegmmidb-json", help="render a saved `neuro-bench-duin eegmmidb` output instead of running it")
    args = parser.parse_args()
    if args.schedule or args.schedule_json:
        schedule(args)
        return
    if not args.skip_simulated:
        simulated(args)
    if not args.skip_real_data:
        eegmmidb(args)


if __name__ == "__main__":
    main()

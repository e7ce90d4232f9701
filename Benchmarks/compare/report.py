"""Shared pieces of the comparison scripts: timing, child environments, and writing a marked section of docs/performance.md."""
import os
import pathlib
import time


def thread_environment(threads, drop=(), extra=None):
    """This process's environment for a child that must use `threads` BLAS threads (without the variables in
    `drop`, plus `extra`)."""
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env["OPENBLAS_NUM_THREADS"] = str(threads)
    env.update(extra or {})
    return env


def best(repeats, body, inner=1):
    """The fastest of `repeats` timings of `inner` calls of `body` (seconds per call), after a warm-up call."""
    body()
    fastest = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(inner):
            body()
        fastest = min(fastest, (time.perf_counter() - start) / inner)
    return fastest


def best_step(step, repeats, warmup):
    """The least wall-clock and the least process-CPU seconds of one `step()` over `repeats` calls, after
    `warmup` untimed calls (CPU time is the fairer figure when other work shares the machine)."""
    for _ in range(warmup):
        step()
    fastest = least_cpu = float("inf")
    for _ in range(repeats):
        start, cpu_start = time.perf_counter(), time.process_time()
        step()
        fastest = min(fastest, time.perf_counter() - start)
        least_cpu = min(least_cpu, time.process_time() - cpu_start)
    return fastest, least_cpu

def write_section(output, name, heading, lines, source=None, title="# Performance\n\n"):
    """Puts `lines` between the `<!-- name:begin … -->` and `<!-- name:end -->` markers of `output`,
    leaving the rest of the document alone; a new section is appended under `## heading`, and a new
    document starts with `title`. `source` names the writing script (validation scripts under scripts/).
    Returns the section text."""
    begin_marker, end_marker = f"<!-- {name}:begin", f"<!-- {name}:end -->"
    section = "\n".join([
        f"{begin_marker} (written by {source}; rerun it, do not edit) -->" if source else
        f"{begin_marker} (written by Benchmarks/compare/{name}.py; edit the script, not this table) -->",
        *lines,
        end_marker,
    ])
    path = pathlib.Path(output)
    text = path.read_text() if path.exists() else title
    begin, end = text.find(begin_marker), text.find(end_marker)
    if begin >= 0 and end >= 0:
        text = text[:begin] + section + text[end + len(end_marker):]
    else:
        text = text.rstrip() + f"\n\n## {heading}\n\n" + section + "\n"
    path.write_text(text)
    return section

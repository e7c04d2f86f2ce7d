"""The benchmark's Markdown report, its summary table, and the course's claimed figures (section 4)."""

from __future__ import annotations

import datetime as dt
import json
import statistics
from pathlib import Path

from scripts.course_files import ROOT

#: What notebook 04 claims for the article's recipe on the complete MNIST after 50 epochs.
CLAIMED_RECIPE_BCE = 0.102
CLAIM_TOLERANCE = 0.005
LOOP_NAMES = {"plain_fit": "plain `model.fit`",
              "epoch_compiled": "the course's engine: epoch-compiled loop (`training.Trainer`)",
              "epoch_compiled_xla": "epoch-compiled loop + XLA (`jit_compile=True`)",
              "floor": "floor: matrix products only"}


# --- section 4: the figures the course claims -----------------------------------------------------


def _grid_candidates(out: Path, modes_run: set[str]) -> list[tuple[str, Path]]:
    """Where notebook 05's saved grid may be, best first; this run's folders only for the modes it ran."""
    candidates = []
    for mode in ("full", "fast"):
        if mode in modes_run:
            candidates.append((f"this run's {mode}-mode notebooks",
                               out / "artifacts" / mode / mode / "fine_tuning_grid.json"))
        candidates.append((f"artifacts/{mode}/ (saved by an earlier {mode}-mode run of notebook 05)",
                           ROOT / "artifacts" / mode / "fine_tuning_grid.json"))
    return candidates


def course_figures(results: dict, out: Path) -> dict:
    """The recipe's validation BCE (from the target section) and notebook 05's label-efficiency table.

    The table comes from the first of: this run's full-mode notebooks, ``artifacts/full/``, this run's
    fast-mode notebooks, ``artifacts/fast/``; the result says which file, when it was written, its
    settings, and whether its runs used the complete MNIST (60,000 labels in its "all" rows).
    """
    from helpers import tables

    figures: dict = {"settings": {"claimed_recipe_bce": CLAIMED_RECIPE_BCE,
                                  "claim": "notebook 04: validation BCE 0.102 after 50 epochs of Adadelta(1.0), "
                                           "batch 256, on the complete MNIST"}}
    target = results["sections"].get("target")
    if target:
        epochs = target["recipe"]["epochs"]
        comparable = results["data"]["complete"] and epochs == 50
        figures["recipe_val_bce"] = target["recipe"]["final_val_loss"]
        figures["recipe_epochs"] = epochs
        figures["recipe_comparable_to_claim"] = comparable
        figures["recipe_matches_claim"] = (abs(figures["recipe_val_bce"] - CLAIMED_RECIPE_BCE) <= CLAIM_TOLERANCE
                                           if comparable else None)
    modes_run = set(results["sections"].get("notebooks", {})) - {"section_seconds"}
    for description, path in _grid_candidates(out, modes_run):
        if not path.is_file():
            continue
        saved = json.loads(path.read_text())
        rows, settings = saved["rows"], saved["settings"]
        all_rows = [r for r in rows if r["labels_per_class"] == "all"]
        labelled = max((r["labels"] for r in all_rows), default=None)
        budgets = settings.get("budgets")
        figures["fine_tuning"] = {
            "source": description, "file": str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path),
            "written": dt.datetime.fromtimestamp(path.stat().st_mtime).astimezone().isoformat(timespec="seconds"),
            "mode": settings.get("mode"), "budgets": budgets, "seeds": settings.get("seeds"),
            "complete_mnist": labelled == 60000 if labelled is not None else None,
            "table_markdown": tables.markdown_table(tables.summarise(rows), budgets=budgets),
            "runs": len(rows),
            "seconds_per_run": _seconds_per_run(rows),
        }
        break
    else:
        figures["fine_tuning"] = None
    return figures


def _seconds_per_run(rows: list[dict]) -> list[dict]:
    """Mean wall seconds of one grid run (fit of one classifier and its test accuracy) by regime and budget."""
    groups: dict[tuple, list[float]] = {}
    for row in rows:
        groups.setdefault((row["regime"], row["labels_per_class"]), []).append(row["seconds"])
    return [{"regime": regime, "labels_per_class": budget, "runs": len(values),
             "mean_seconds": sum(values) / len(values)} for (regime, budget), values in groups.items()]


# --- the summary table ----------------------------------------------------------------------------


def _met(value: bool | None) -> str:
    return "—" if value is None else ("yes" if value else "**no**")


def summary_rows(results: dict) -> list[tuple[str, str, str, str]]:
    """(figure, value, target, met?) rows of the summary table, for the sections that ran."""
    rows = []
    sections = results["sections"]
    loops = sections.get("loops")
    if loops:
        ratio, median, to_floor = loops["ratio_to_fit"], loops["median_seconds"], loops["ratio_to_floor"]
        rows += [
            ("epoch-compiled loop ÷ plain `fit`, per epoch", f"{ratio['epoch_compiled']:.2f}×", "< 1× (faster)",
             _met(ratio["epoch_compiled"] < 1)),
            ("epoch-compiled loop + XLA ÷ plain `fit`, per epoch", f"{ratio['epoch_compiled_xla']:.2f}×",
             "< 1× (faster)", _met(ratio["epoch_compiled_xla"] < 1)),
            ("plain `fit`, seconds per epoch (train + validation)", f"{median['plain_fit']:.2f} s",
             "2.1–2.5 s (issue, complete MNIST)", "—"),
            ("floor (matrix products only), seconds per epoch", f"{median['floor']:.3f} s",
             "≈ 0.22 s (issue, complete MNIST)", "—"),
            ("plain `fit` ÷ floor", f"{to_floor['plain_fit']:.1f}×", "≈ 10× (issue)", "—"),
            ("epoch-compiled loop ÷ floor", f"{to_floor['epoch_compiled']:.1f}×", "—", "—"),
            ("epoch-compiled loop + XLA ÷ floor (same batch, same result; appendix 90)",
             f"{to_floor['epoch_compiled_xla']:.1f}×", "≤ 3× (stretch; complete MNIST)",
             _met(to_floor["epoch_compiled_xla"] <= 3) if results["data"]["complete"] else "n/a (sample data)"),
        ]
    tiny = sections.get("tiny")
    if tiny:
        rows += [
            (f"`fit` epoch of {tiny['settings']['examples']} examples",
             f"{1000 * tiny['fit_seconds_per_epoch']:.0f} ms", "≈ 80 ms (issue)", "—"),
            ("`Trainer.train_steps` step on the same set (grid's path)",
             f"{1000 * tiny['graph_trainer_seconds_per_step']:.2f} ms", "≪ a `fit` epoch",
             _met(tiny["graph_trainer_seconds_per_step"] < tiny["fit_seconds_per_epoch"] / 10)),
        ]
    objectives = sections.get("objectives")
    if objectives:
        for name, ratio in objectives["ratio_to_floor"].items():
            rows.append((f"{name} objective: step ÷ its network's floor", f"{ratio:.1f}×", "≤ 2× (issue 12's aim)",
                         _met(ratio <= 2)))
    target = sections.get("target")
    if target:
        recipe = target["recipe"]
        rows.append((f"article recipe: wall time of {recipe['epochs']} epochs", f"{recipe['seconds']:.1f} s", "—", "—"))
        for variant in target["variants"]:
            if not variant["taught_in_appendix_90"]:
                continue
            ratio = variant["ratio_to_recipe"]
            recipe_row = variant["taught_in_appendix_90"] == "the faster recipe"
            met = _met(ratio is not None and ratio <= 0.25) if recipe_row else "—"
            if recipe_row and recipe["epochs"] != 50:
                met = f"n/a (recipe shortened to {recipe['epochs']} epochs)"
            rows.append((f"{variant['name']} (appendix 90: {variant['taught_in_appendix_90']}): time to the "
                         "recipe's loss ÷ recipe time",
                         f"{ratio:.2f}×" if ratio is not None else f"not reached in {variant['epochs']} epochs",
                         "≤ 0.25×" if recipe_row else "—", met))
        reached = [v for v in target["variants"] if v["reached"]]
        if reached:
            best = min(reached, key=lambda v: v["ratio_to_recipe"])
            rows.append((f"fastest way found: {best['name']}", f"{best['ratio_to_recipe']:.2f}×", "—", "—"))
    figures = sections.get("figures")
    if figures:
        if "recipe_val_bce" in figures:
            comparable = figures["recipe_comparable_to_claim"]
            rows.append((f"article recipe: validation BCE after {figures['recipe_epochs']} epochs",
                         f"{figures['recipe_val_bce']:.4f}", f"{CLAIMED_RECIPE_BCE} ± {CLAIM_TOLERANCE} (notebook 04)",
                         _met(figures["recipe_matches_claim"]) if comparable
                         else "n/a (not 50 epochs on the complete MNIST)"))
        grid = figures.get("fine_tuning")
        rows.append(("notebook 05's label-efficiency table",
                     f"{grid['runs']} runs, {grid['mode']} mode, {_completeness(grid)}" if grid else "absent",
                     "present (section 4)", _met(bool(grid))))
    notebooks = sections.get("notebooks") or {}
    for mode, run in notebooks.items():
        if mode == "section_seconds":
            continue
        on_sample = any("SAMPLE" in s for s in run["settings"]["data"].values())
        target_text, met = "—", None
        if mode == "full":
            target_text = "`make course` ≤ 20 min"
            met = run["total_seconds"] <= 1200 if not on_sample else None
        at_once = run.get("parallel", 1)
        rows.append((f"the whole course, {mode} mode, as `make course` ({at_once} jobs at a time, no saved models)"
                     + (" (on the sample data)" if on_sample else ""),
                     f"{run['total_seconds'] / 60:.1f} min, {'all ok' if run['all_ok'] else 'FAILURES'}",
                     target_text, _met(met) if met is not None or mode == "fast" else "n/a (sample data)"))
        timed = [r for r in run["notebooks"] if "seconds" in r]
        if timed:
            slowest = max(timed, key=lambda r: r["seconds"])
            rows.append((f"slowest job, {mode} mode (sharing the machine)",
                         f"{slowest['notebook']}: {slowest['seconds']:.0f} s",
                         "< 60 s (fast mode keeps each notebook quick)" if mode == "fast" else "—",
                         _met(slowest["seconds"] < 60) if mode == "fast" else "—"))
        rows.append((f"peak kernel memory, {mode} mode", f"{run['max_peak_rss_mib']:.0f} MiB", "—", "—"))
    tests = sections.get("tests")
    if tests:
        ok = tests["ruff_passed"] and tests["pytest_passed"]
        rows.append(("`make test` (ruff + pytest -n 2), install excluded",
                     f"{tests['total_seconds'] / 60:.1f} min, {'passed' if ok else 'FAILED'}", "< 6 min",
                     _met(tests["total_seconds"] < 360)))
    return rows


def _completeness(grid: dict) -> str:
    return {True: "complete MNIST", False: "sample data", None: "data unknown"}[grid["complete_mnist"]]


def summary_markdown(results: dict) -> str:
    """The summary table as Markdown."""
    lines = ["| figure | value | target | met? |", "| --- | --- | --- | --- |"]
    lines += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in summary_rows(results)]
    return "\n".join(lines)


# --- the report -----------------------------------------------------------------------------------


def _settings(settings: dict) -> str:
    return "\n".join(f"- {key}: {value}" for key, value in settings.items())


def _load(section: dict) -> str:
    before, after = section.get("load_average_before"), section.get("load_average_after")
    parts = []
    if before:
        parts.append(f"before {before[0]}")
    if after:
        parts.append(f"after {after[0]}")
    return f"Load average (1 min): {', '.join(parts)}." if parts else ""


def render(results: dict) -> str:
    """The whole report: header (machine, versions, data), summary table, one section per measurement."""
    data, machine, versions = results["data"], results["machine"], results["versions"]
    out = ["# Benchmark: the course's speed and its results", ""]
    if not data["complete"]:
        out += [f"> **{data['note'][0].upper() + data['note'][1:]}.**", ""]
    out += [f"Run {results['started']} → {results.get('finished', '…')}; command `{results['command'].strip()}`"
            + (" (quick smoke run: fewer rounds and epochs)" if results["quick"] else "") + ".", "",
            f"- Machine: {machine['processor']}, {machine['usable_cpus']} usable CPUs of {machine['cpu_count']}, "
            f"{machine['memory_gib']} GiB, {machine['platform']}; {machine['accelerators']}. "
            f"Load average at start (1, 5, 15 min): {results['load_average_at_start']}.",
            "- Versions: " + ", ".join(f"{k} {v}" for k, v in versions.items()) + ".",
            f"- Data: {data['source']}: {data['training_images']:,} training and {data['test_images']:,} test images"
            f" ({data['note']}).", "",
            "The machine may be shared: each section gives the load average around it. Times are wall-clock.",
            "", "## Summary", "", summary_markdown(results), ""]
    sections = results["sections"]
    if "loops" in sections:
        out += _loops_section(sections["loops"])
    if "tiny" in sections:
        out += _tiny_section(sections["tiny"])
    if "target" in sections:
        out += _target_section(sections["target"])
    if "objectives" in sections:
        out += _objectives_section(sections["objectives"])
    if "notebooks" in sections:
        out += _notebooks_section(sections["notebooks"])
    if "figures" in sections:
        out += _figures_section(sections["figures"])
    if "tests" in sections:
        t = sections["tests"]
        pytest = f"{'passed' if t['pytest_passed'] else 'FAILED'}: {t['pytest_last_line']}"
        out += ["## `make test`", "", _settings(t["settings"]), "",
                f"ruff {t['ruff_seconds']:.0f} s ({'passed' if t['ruff_passed'] else 'FAILED'}), "
                f"pytest {t['pytest_seconds']:.0f} s ({pytest}).", ""]
    return "\n".join(out) + "\n"


def _objectives_section(objectives: dict) -> list[str]:
    lines = ["## Pretraining objectives (notebook 08): each step against its network's floor", "",
             _settings(objectives["settings"]), "",
             "| objective | step (ms) | floor (ms) | step ÷ floor | seconds per epoch (step / floor) |",
             "| --- | --- | --- | --- | --- |"]
    for name, ratio in objectives["ratio_to_floor"].items():
        per_step, per_epoch = objectives["seconds_per_step"][name], objectives["seconds_per_epoch"][name]
        step, floor = (1e3 * statistics.median(per_step[k]) for k in ("step", "floor"))
        lines.append(f"| {name} | {step:.0f} | {floor:.0f} | {ratio:.1f}× | "
                     f"{per_epoch['step']:.0f} / {per_epoch['floor']:.0f} |")
    lines += ["", "Time to reach each recipe's validation metric, from the recorded trainings (not retrained here; "
              "a checkpoint's from its card's rerun with nothing else running where it has one, marked *alone*; "
              "the others' machines may have been shared):", "",
              "| recipe | metric | final | within | epochs to it | seconds to it | whole training |",
              "| --- | --- | --- | --- | --- | --- | --- |"]
    for name, t in objectives["time_to_target"].items():
        alone = " (*alone*)" if t.get("alone") else ""
        lines.append(f"| {name} | {t['metric']} | {100 * t['final']:.1f} % | {100 * t['tolerance']:.1f} points | "
                     f"{t['epochs_to_target']:g} of {t['epochs_total']} | {t['seconds_to_target']:.0f} s{alone} | "
                     f"{t['seconds_total']:.0f} s{alone} |")
    return lines + [""]


def _loops_section(loops: dict) -> list[str]:
    median, to_fit, to_floor = loops["median_seconds"], loops["ratio_to_fit"], loops["ratio_to_floor"]
    lines = ["## 1 and 5. Per-epoch time of each loop, and the floor", "", _settings(loops["settings"]), "",
             "| loop | median s / epoch | ÷ plain fit | ÷ floor | every measured round (s) |",
             "| --- | --- | --- | --- | --- |"]
    for name, label in LOOP_NAMES.items():
        lines.append(f"| {label} | {median[name]:.3f} | {to_fit.get(name, 1.0):.2f}× | "
                     f"{to_floor.get(name, 1.0):.1f}× | {', '.join(f'{s:.2f}' for s in loops['seconds'][name])} |")
    parts = loops["floor_parts_seconds"]
    lines += ["", "Ratios are medians of the per-round ratios (each round runs every loop once, in rotated order).",
              f"The floor splits into {parts['train_products']:.3f} s of training products (5 per step: x·W₁, h·W₂, "
              f"and the backward hᵀ·δ, δ·W₂ᵀ, xᵀ·δₕ) and {parts['validation_products']:.3f} s of validation "
              "products (2 per batch). Between the floor and the epoch-compiled loop lies the rest of the "
              "arithmetic (activations, the cross-entropy and its gradient over 784 outputs per image, the "
              "optimizer's update) and the graph's own per-operation cost; between that loop and `fit` lies "
              "the per-step overhead of returning to Python and Keras after every mini-batch.",
              _load(loops), ""]
    return lines


def _tiny_section(tiny: dict) -> list[str]:
    return ["## Tiny labelled sets", "", _settings(tiny["settings"]), "",
            f"- one `fit` epoch (one step): {1000 * tiny['fit_seconds_per_epoch']:.1f} ms",
            f"- one `Trainer.train_steps` step: {1000 * tiny['graph_trainer_seconds_per_step']:.2f} ms "
            f"({tiny['fit_epoch_over_graph_step']:.0f}× less); a {tiny['settings']['graph_steps']}-step run: "
            f"{tiny['graph_trainer_seconds_per_run']:.2f} s after a first run (compiling) of "
            f"{tiny['graph_trainer_compile_and_first_run_seconds']:.2f} s",
            "", "So the fine-tuning grid runs each small set's training as one graph call, not as many `fit` epochs.",
            _load(tiny), ""]


def _target_section(target: dict) -> list[str]:
    recipe = target["recipe"]
    lines = ["## 2. Reaching the article recipe's loss sooner", "", _settings(target["settings"]), "",
             f"The recipe reached validation BCE **{recipe['final_val_loss']:.4f}** after {recipe['epochs']} epochs "
             f"in {recipe['seconds']:.1f} s (first epoch, with set-up: {recipe['elapsed'][0]:.1f} s). That is the "
             "target of every variant below.", "",
             "| variant | same maths as the recipe? | reached? | epochs | wall s | ÷ recipe time | first epoch s "
             "(with set-up) | s / later epoch | final val loss |", "|" + " --- |" * 9]
    for v in target["variants"]:
        ratio = f"{v['ratio_to_recipe']:.2f}×" if v["ratio_to_recipe"] is not None else "—"
        later = (f"{(v['seconds'] - v['first_epoch_seconds']) / (v['epochs'] - 1):.2f}" if v["epochs"] > 1 else "—")
        name = v["name"] + (f" **(appendix 90: {v['taught_in_appendix_90']})**" if v["taught_in_appendix_90"] else "")
        lines.append(f"| {name} | {'yes' if v['same_maths'] else 'no'} | {'yes' if v['reached'] else 'no'} | "
                     f"{v['epochs']} | {v['seconds']:.1f} | {ratio} | {v['first_epoch_seconds']:.1f} | {later} | "
                     f"{v['final_val_loss']:.4f} |")
    lines += ["", "How each variant trains:", ""] + [f"- {v['name']}: {v['how']}" for v in target["variants"]]
    lines += ["", "Variants with the recipe's maths shuffle differently, so they land on either side of the target "
              "near the recipe's last epoch; the budget is 1.2 × the recipe's epochs.", _load(target), ""]
    return lines


def _notebooks_section(notebooks: dict) -> list[str]:
    lines = ["## 3. Every notebook: wall time and peak memory", ""]
    for mode, run in notebooks.items():
        if mode == "section_seconds":
            continue
        lines += [f"### {mode} mode", "", _settings(run["settings"]), "",
                  "| job | status | wall s | started at s | finished at s | peak kernel memory (MiB) | models |",
                  "| --- | --- | --- | --- | --- | --- | --- |"]
        for row in run["notebooks"]:
            models = "; ".join(row.get("model_lines", [])) or "—"
            numbers = " | ".join(f"{row.get(key, float('nan')):.0f}"
                                 for key in ("seconds", "started_at_s", "finished_at_s", "peak_rss_mib"))
            lines.append(f"| {row['notebook']} | {row['status']} | {numbers} | {models} |")
        busy = run.get("busy_seconds", run["total_seconds"])
        lines += ["", f"Wall time {run['total_seconds']:.0f} s ({run['total_seconds'] / 60:.1f} min), "
                  f"{run.get('parallel', 1)} jobs at a time ({busy:.0f} s of jobs added up; each job's time is "
                  "measured while it shares the machine); "
                  f"artifacts written: {', '.join(run['artifacts_written']) or 'none'}.", ""]
    return lines


def _figures_section(figures: dict) -> list[str]:
    lines = ["## 4. The figures the course claims", ""]
    if "recipe_val_bce" in figures:
        verdict = "cannot be compared with (not 50 epochs on the complete MNIST)"
        if figures["recipe_comparable_to_claim"]:
            verdict = "matches" if figures["recipe_matches_claim"] else "does **not** match"
        lines += [f"- Article recipe, validation BCE after {figures['recipe_epochs']} epochs: "
                  f"**{figures['recipe_val_bce']:.4f}**; it {verdict} the claim: {figures['settings']['claim']}.", ""]
    grid = figures.get("fine_tuning")
    if not grid:
        lines += ["- Notebook 05's label-efficiency table: **absent** (no fine_tuning_grid.json from a run of notebook "
                  "05 in this run's or the repository's artifacts folders).", ""]
        return lines
    lines += [f"- Notebook 05's label-efficiency table (test accuracy %, mean ± std (runs)), from {grid['source']}: "
              f"`{grid['file']}`, written {grid['written']}, {grid['mode']} mode, {_completeness(grid)}, seeds "
              f"{grid['seeds']}.", "", grid["table_markdown"], "",
              "Mean wall time of one grid run (training one classifier with `Trainer.train_steps`, and its test "
              "accuracy):",
              "",
              "| regime | labels / class | runs | mean s |", "| --- | --- | --- | --- |"]
    lines += [f"| {r['regime']} | {r['labels_per_class']} | {r['runs']} | {r['mean_seconds']:.2f} |"
              for r in grid["seconds_per_run"]]
    return lines + [""]


if __name__ == "__main__":  # re-render a report from a saved bench.json: python -m benchmarks.bench_report PATH
    import sys

    saved = Path(sys.argv[1] if len(sys.argv) > 1 else ROOT / "build" / "bench" / "bench.json")
    from helpers import artifacts

    artifacts.save_text(render(json.loads(saved.read_text())), saved.with_name("report.md"))
    print(f"wrote {saved.with_name('report.md')}")

"""Choosing on the validation split: the searches that set the course's training settings.

Every setting a result depends on was chosen here, by validation accuracy, never by test accuracy:

- :func:`search_schedules`: the fine-tuning regimes' :class:`~helpers.finetuning.Schedule` (the probe's
  steps and L2 penalty, fine-tuning's learning rate and steps, the from-scratch steps, the passes over
  large sets);
- :func:`search_baselines`: the steps (per label budget) of each from-scratch baseline of
  :mod:`helpers.baselines`, along one training run measured at several step counts;
- :func:`search_recipe`: the deep denoising recipe's masking noise and epochs, each pretrained model
  probed on validation labels at several epochs.

The searches use labelled subsets of their own (seeds :data:`SUBSET_SEEDS`), never those the course
reports. ``make select`` runs all three on the complete data and writes the record
``helpers/records/selection.json``; the chosen values are the defaults in the code, and a test checks that the
two agree. Each search returns rows ``{..., "val_accuracy"}`` and :func:`best` picks the setting with
the highest mean validation accuracy.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import keras
import numpy as np

from helpers import baselines, finetuning, models, pretrained, splits, training, validation

#: The labelled subsets the searches draw (the course reports seeds 0..4, never these).
SUBSET_SEEDS = (100, 101, 102)

Progress = Callable[[str], None] | None


def best(rows: Sequence[Mapping], keys: Sequence[str], *, cheapest: str | None = None,
         n_validation: int | None = None) -> dict:
    """The setting (the values of ``keys``) with the highest mean validation accuracy over its rows.

    With ``cheapest`` (a key whose smaller values cost less, such as steps or epochs) and ``n_validation``
    (the validation images each accuracy was measured on), the one-standard-error rule: among the settings
    whose mean is within one standard error, ``sqrt(p (1 − p) / n_validation)``, of the best one's, take the
    one with the smallest ``cheapest``. Differences that small are measurement noise, and the cheaper setting
    costs less CPU in every later run.

    Returns:
        ``{"setting": {key: value}, "val_accuracy": mean, "runs": n, "rule": "...", "all": [{setting, mean,
        runs}, ...]}`` with the table of every setting tried, best first.
    """
    groups: dict[tuple, list[float]] = {}
    for row in rows:
        groups.setdefault(tuple(row[k] for k in keys), []).append(row["val_accuracy"])
    table = sorted(({"setting": dict(zip(keys, setting)), "mean": float(np.mean(v)), "runs": len(v)}
                    for setting, v in groups.items()), key=lambda t: -t["mean"])
    chosen, rule = table[0], "the highest mean validation accuracy"
    if cheapest is not None:
        top = table[0]["mean"]
        error = float(np.sqrt(top * (1 - top) / validation.positive_int(n_validation, "n_validation")))
        close = [t for t in table if t["mean"] >= top - error]
        chosen = min(close, key=lambda t: (t["setting"][cheapest], -t["mean"]))
        rule = (f"the smallest {cheapest} within one standard error ({100 * error:.2f} points) of the highest mean "
                f"validation accuracy")
    return {"setting": chosen["setting"], "val_accuracy": chosen["mean"], "runs": chosen["runs"], "rule": rule,
            "all": table}


def _say(progress: Progress, line: str) -> None:
    if progress:
        progress(line)


def search_schedules(data: splits.Splits, encoders: Mapping[str, keras.Model], *,
                     budgets: Sequence[int] = (10, 100), seeds: Sequence[int] = SUBSET_SEEDS,
                     probe_l2: Sequence[float] = (1e-3, 1e-2, 1e-1),
                     probe_steps: Sequence[int] = (250, 500, 1000, 2000),
                     finetune_learning_rates: Sequence[float] = (3e-5, 1e-4, 3e-4),
                     finetune_steps: Sequence[int] = (50, 100, 200, 400),
                     scratch_steps: Sequence[int] = (75, 150, 300, 600, 1200, 2400),
                     progress: Progress = print) -> dict:
    """Search the fine-tuning schedule on validation, one part at a time: the probe, then fine-tuning, then scratch.

    Fine-tuning starts from the chosen probe, so the probe is chosen first. Every candidate runs on every
    encoder × budget × subset; the best mean validation accuracy wins.

    Returns:
        ``{"probe": best(...), "fine-tuned": best(...), "scratch": best(...), "schedule": the chosen Schedule's
        fields, "rows": every run}``.
    """
    rows: list[dict] = []
    base = finetuning.Schedule()

    def run(part: str, regime: str, schedule: finetuning.Schedule, setting: dict) -> None:
        for name, encoder in encoders.items():
            adapter = finetuning.Adapter(encoder, finetuning.code_statistics(encoder, data.x_pool), schedule)
            for budget in budgets:
                for seed in seeds:
                    x, y = data.labelled(budget, seed)
                    start = time.perf_counter()
                    classifier = adapter.run(regime, x, y, seed=seed)
                    rows.append({"part": part, "recipe": name, "labels_per_class": budget, "seed": seed, **setting,
                                 "val_accuracy": models.accuracy(classifier, data.x_val, data.y_val),
                                 "seconds": time.perf_counter() - start})
        tried = [r["val_accuracy"] for r in rows if r["part"] == part and all(r[k] == v for k, v in setting.items())]
        _say(progress, f"  {part} {setting}: validation {100 * np.mean(tried):.2f} %")

    for l2, steps in itertools.product(probe_l2, probe_steps):
        run("probe", "frozen", finetuning.Schedule(probe_l2=l2, probe_steps=steps),
            {"probe_l2": l2, "probe_steps": steps})
    n = len(data.y_val)
    probe = best([r for r in rows if r["part"] == "probe"], ("probe_l2", "probe_steps"), cheapest="probe_steps",
                 n_validation=n)
    chosen = probe["setting"]
    for rate, steps in itertools.product(finetune_learning_rates, finetune_steps):
        schedule = finetuning.Schedule(**chosen, finetune_learning_rate=rate, finetune_steps=steps)
        run("fine-tuned", "fine-tuned", schedule, {"finetune_learning_rate": rate, "finetune_steps": steps})
    tuned = best([r for r in rows if r["part"] == "fine-tuned"], ("finetune_learning_rate", "finetune_steps"),
                 cheapest="finetune_steps", n_validation=n)
    for steps in scratch_steps:
        run("scratch", "scratch", finetuning.Schedule(scratch_steps=steps), {"scratch_steps": steps})
    scratch = best([r for r in rows if r["part"] == "scratch"], ("scratch_steps",), cheapest="scratch_steps",
                   n_validation=n)
    schedule = {**{f: getattr(base, f) for f in base.__dataclass_fields__}, **chosen, **tuned["setting"],
                **scratch["setting"]}
    return {"probe": probe, "fine-tuned": tuned, "scratch": scratch, "schedule": schedule, "rows": rows}


def search_baselines(data: splits.Splits, *, names: Sequence[str] = baselines.NAMES,
                     budgets: Sequence[int] = (1, 10, 100), seeds: Sequence[int] = SUBSET_SEEDS[:2],
                     checkpoints: Sequence[int] = (100, 200, 400, 800, 1600), all_epochs: Sequence[int] = (1, 2, 4),
                     progress: Progress = print) -> dict:
    """Choose each baseline's steps per budget (and passes over all labels) along one run per subset.

    Each run trains with the baseline's learning rate and batch, and is measured on the validation split
    after each of ``checkpoints`` steps (the optimizer's state carries on between them); with all labels,
    after each of ``all_epochs`` passes, on one subset (none when ``all_epochs`` is empty: no ``"all"`` entry).

    Returns:
        ``{name: {"steps": {budget: best(...)}, "all": best(...)}, "rows": every measurement}``.
    """
    rows: list[dict] = []
    result: dict = {}
    for name in names:
        schedule = baselines.SCHEDULES[name]
        result[name] = {"steps": {}}
        for budget in [*budgets, *([splits.ALL] if all_epochs else [])]:
            for seed in seeds[:1] if budget == splits.ALL else seeds:
                x, y = data.labelled(budget, seed)
                model = baselines.build(name, seed)
                trainer = training.Trainer(model, loss="sparse_categorical_crossentropy",
                                           batch_size=schedule.batch_size,
                                           optimizer=keras.optimizers.Adam(schedule.learning_rate))
                prepared = trainer.prepare(x, y)
                marks = ([-(-e * len(x) // schedule.batch_size) for e in all_epochs] if budget == splits.ALL
                         else list(checkpoints))
                done = 0
                for part, mark in enumerate(marks):
                    trainer.train_steps(prepared, steps=mark - done, seed=seed * 1000 + part,
                                        fresh_optimizer=part == 0)
                    done = mark
                    row = {"baseline": name, "labels_per_class": budget, "seed": seed,
                           ("epochs" if budget == splits.ALL else "steps"):
                               all_epochs[part] if budget == splits.ALL else mark,
                           "val_accuracy": models.accuracy(model, data.x_val, data.y_val)}
                    rows.append(row)
                _say(progress, f"  {name}, {budget}/class, subset {seed}: validation "
                               + ", ".join(f"{100 * r['val_accuracy']:.1f}" for r in rows[-len(marks):]) + " %")
            chosen = [r for r in rows if r["baseline"] == name and r["labels_per_class"] == budget]
            if budget == splits.ALL:
                result[name]["all"] = best(chosen, ("epochs",), cheapest="epochs", n_validation=len(data.y_val))
            else:
                result[name]["steps"][budget] = best(chosen, ("steps",), cheapest="steps",
                                                     n_validation=len(data.y_val))
    result["rows"] = rows
    return result


class _ProbeAtEpochs(keras.callbacks.Callback):
    """After given epochs of pretraining, train frozen probes on a few labelled subsets; record validation accuracy."""

    def __init__(self, features: keras.Model, data: splits.Splits, epochs: Sequence[int], seeds: Sequence[int],
                 record: list[dict], setting: dict) -> None:
        super().__init__()
        self.features, self.data, self.epochs, self.seeds = features, data, set(epochs), seeds
        self.record, self.setting = record, setting

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        if epoch + 1 not in self.epochs:
            return
        adapter = finetuning.Adapter(self.features, finetuning.code_statistics(self.features, self.data.x_pool))
        for seed in self.seeds:
            x, y = self.data.labelled(10, seed)
            classifier = adapter.run("frozen", x, y, seed=seed)
            self.record.append({**self.setting, "epochs": epoch + 1, "seed": seed,
                                "val_loss": float(logs["val_loss"]) if logs else None,
                                "val_accuracy": models.accuracy(classifier, self.data.x_val, self.data.y_val)})


def search_recipe(data: splits.Splits, *, noises: Sequence[float] = (0.1, 0.3, 0.5, 0.7, 0.8, 0.9),
                  epochs: Sequence[int] = (10, 20, 30), seeds: Sequence[int] = SUBSET_SEEDS,
                  progress: Progress = print) -> dict:
    """Choose the deep denoising recipe's masking noise and epochs by frozen probes (10 labels per class) on validation.

    One pretraining run (seed 0) per noise level, probed after each of ``epochs`` epochs.

    Returns:
        ``{"best": best(...), "rows": every probe}``.
    """
    rows: list[dict] = []
    for noise in noises:
        autoencoder, _, features = models.build_deep_autoencoder((512, 256), 32, noise=noise, seed=0)
        probe = _ProbeAtEpochs(features, data, epochs, seeds, rows, {"noise": noise})
        training.train(autoencoder, data.x_pool, data.x_pool, loss="binary_crossentropy",
                       optimizer=pretrained.RECIPE_TABLE["deep_denoising"].make_optimizer(), epochs=max(epochs),
                       batch_size=256, validation_data=(data.x_val, data.x_val), callbacks=[probe], verbose=0)
        means = {e: np.mean([r["val_accuracy"] for r in rows if r["noise"] == noise and r["epochs"] == e])
                 for e in epochs}
        _say(progress, f"  noise {noise}: " + ", ".join(f"{e} epochs {100 * m:.2f} %" for e, m in means.items()))
    return {"best": best(rows, ("noise", "epochs"), cheapest="epochs", n_validation=len(data.y_val)), "rows": rows}



#: The record of the last full-mode ``make select``, shipped with the package.
RECORD = Path(__file__).resolve().parent / "records" / "selection.json"


def load_record() -> dict:
    """The committed record of how the course's settings were chosen (``make select``)."""
    from helpers import artifacts

    if not RECORD.is_file():
        raise validation.value_error("the selection record", f"is missing ({RECORD})",
                                     "Run `make select` in full mode to make it.")
    return artifacts.load_json(RECORD)


def record_markdown(record: Mapping) -> str:
    """A Markdown table of what each search chose (by validation accuracy, see :func:`best`) and how much it tried."""
    chosen = record["chosen"]
    lines = ["| what was chosen | chosen | validation accuracy | settings tried |", "| --- | --- | --- | --- |"]

    def add(what: str, result: Mapping) -> None:
        setting = ", ".join(f"{k} = {v:g}" if isinstance(v, float) else f"{k} = {v}"
                            for k, v in result["setting"].items())
        lines.append(f"| {what} | {setting} | {100 * result['val_accuracy']:.1f} % | {len(result['all'])} |")

    if "recipe" in chosen:
        add("deep denoising recipe (frozen probe, 10 labels / class)", chosen["recipe"])
    for part, result in chosen.get("schedules", {}).items():
        add(f"fine-tuning schedule: {part}", result)
    for name, searched in chosen.get("baselines", {}).items():
        for budget, result in searched["steps"].items():
            add(f"{name}, {budget} labels / class", result)
        add(f"{name}, all labels", searched["all"])
    return "\n".join(lines)


def choose(record: Mapping) -> dict:
    """The choices of a record, recomputed from its rows with :func:`best`'s rules (a record is its rows).

    Returns ``{"recipe": best, "schedules": {"probe", "fine-tuned", "scratch"}, "baselines": {name: {"steps":
    {budget: best}, "all": best}}}`` for the parts the record has.
    """
    n = record.get("validation_images", 5000)
    chosen: dict = {}
    if "recipe" in record:
        chosen["recipe"] = best(record["recipe"]["rows"], ("noise", "epochs"), cheapest="epochs", n_validation=n)
    if "schedules" in record:
        rows = record["schedules"]["rows"]
        chosen["schedules"] = {
            "probe": best([r for r in rows if r["part"] == "probe"], ("probe_l2", "probe_steps"),
                          cheapest="probe_steps", n_validation=n),
            "fine-tuned": best([r for r in rows if r["part"] == "fine-tuned"],
                               ("finetune_learning_rate", "finetune_steps"), cheapest="finetune_steps",
                               n_validation=n),
            "scratch": best([r for r in rows if r["part"] == "scratch"], ("scratch_steps",), cheapest="scratch_steps",
                            n_validation=n)}
    if "baselines" in record:
        rows = record["baselines"]["rows"]
        chosen["baselines"] = {}
        for name in dict.fromkeys(r["baseline"] for r in rows):
            mine = [r for r in rows if r["baseline"] == name]
            budgets = [b for b in dict.fromkeys(r["labels_per_class"] for r in mine) if b != splits.ALL]
            chosen["baselines"][name] = {
                "steps": {b: best([r for r in mine if r["labels_per_class"] == b], ("steps",), cheapest="steps",
                                  n_validation=n) for b in budgets},
                "all": best([r for r in mine if r["labels_per_class"] == splits.ALL], ("epochs",), cheapest="epochs",
                            n_validation=n)}
    return chosen

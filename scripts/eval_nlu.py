"""Held-out NLU evaluation and pipeline comparison (issue 7, `make eval`).

    python scripts/eval_nlu.py [--quick] [--epochs N] [--cv-epochs N] [--folds 3]
                               [--skip-cv] [--pipelines default,project,nospacy]
                               [--out reports] [--keep]
    python scripts/eval_nlu.py --model models/support-bot.tar.gz   (score the shipped model only)

Trains NLU-only models (`rasa train nlu`, data/nlu/*.yml, cold component cache)
into reports/tmp/eval-*/ for three pipelines:

- default: Rasa 3.6's default pipeline exactly as `rasa init` writes it
  (commented out in rasa/cli/initial_project/config.yml, `language: en`);
- project: the pipeline of config.yml (what the bot ships);
- nospacy: config.yml without its spaCy part (SpacyNLP + SpacyTokenizer
  -> WhitespaceTokenizer, SpacyEntityExtractor removed).

Each model is loaded with rasa's Agent and parses every message of the
held-out set tests/nlu_heldout/{de,en}.yml (never used for training). Per
language it reports intent accuracy and macro F1 (over the gold intents),
per-entity precision/recall/F1 (exact span match; the entities of all
extractors are merged by span, so a span found by DIET and by spaCy counts
once), the most frequent confusion pairs and language identification
(`language` in the parse result: accuracy over decisive detections, and their
coverage). Intent metrics are computed as `rasa test nlu` does (a
FallbackClassifier prediction is undone, so the classifier's own guess is
scored); the share of messages that would hit the fallback and the accuracy
"as served" (fallback counted wrong) are reported beside them.

Then `rasa test nlu --cross-validation` on the training data for the project
pipeline. Note: `rasa test` drops SpacyEntityExtractor's entities (it treats
it as pretrained), so its entity figures are DIET's alone.

Writes reports/eval_nlu.md and reports/eval_nlu.json. `--quick` trains with
2 epochs (plumbing check only: the figures are meaningless).
"""
from __future__ import annotations

import argparse
import asyncio
import copy
import datetime as dt
import json
import logging
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Dict, List, Optional, Tuple

import yaml

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
RASA = str(BIN / "rasa")
HELDOUT = ROOT / "tests" / "nlu_heldout"
TRAIN_NLU = ROOT / "data" / "nlu"
GOAL = 0.95
CHOSEN = "project"  # the pipeline config.yml ships

# Rasa 3.6's default pipeline, as rasa/cli/initial_project/config.yml writes it.
DEFAULT_PIPELINE = [
    {"name": "WhitespaceTokenizer"},
    {"name": "RegexFeaturizer"},
    {"name": "LexicalSyntacticFeaturizer"},
    {"name": "CountVectorsFeaturizer"},
    {"name": "CountVectorsFeaturizer", "analyzer": "char_wb", "min_ngram": 1, "max_ngram": 4},
    {"name": "DIETClassifier", "epochs": 100},
    {"name": "EntitySynonymMapper"},
    {"name": "ResponseSelector", "epochs": 100},
    {"name": "FallbackClassifier", "threshold": 0.3, "ambiguity_threshold": 0.1},
]
DESCRIPTIONS = {
    "default": "Rasa default (`rasa init`)",
    "project": "project (config.yml)",
    "nospacy": "project without spaCy",
}
SPACY_PARTS = {"SpacyNLP", "SpacyTokenizer", "SpacyEntityExtractor", "SpacyFeaturizer"}
EPOCH_COMPONENTS = {"DIETClassifier", "ResponseSelector"}

log = logging.getLogger("eval_nlu")


# --------------------------------------------------------------------------- configs
def project_config() -> dict:
    return yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8"))


def pipeline_configs() -> Dict[str, dict]:
    project = project_config()
    nlu_only = {k: v for k, v in project.items() if k != "policies"}
    default = {
        "recipe": "default.v1",
        "assistant_id": "placeholder_default",
        "language": "en",
        "pipeline": copy.deepcopy(DEFAULT_PIPELINE),
    }
    nospacy = copy.deepcopy(nlu_only)
    pipeline = []
    for component in nospacy["pipeline"]:
        name = component["name"]
        if name == "SpacyTokenizer":
            pipeline.append({"name": "WhitespaceTokenizer"})
        elif name in SPACY_PARTS:
            continue
        else:
            pipeline.append(component)
    nospacy["pipeline"] = pipeline
    return {"default": default, "project": copy.deepcopy(nlu_only), "nospacy": nospacy}


def with_epochs(config: dict, epochs: Optional[int]) -> dict:
    config = copy.deepcopy(config)
    if epochs:
        for component in config["pipeline"]:
            if component["name"] in EPOCH_COMPONENTS:
                component["epochs"] = epochs
    return config


def epochs_of(config: dict) -> Dict[str, int]:
    return {c["name"]: c.get("epochs", "default") for c in config["pipeline"] if c["name"] in EPOCH_COMPONENTS}


def summary_of(config: dict) -> str:
    return " → ".join(c["name"].rsplit(".", 1)[-1] for c in config["pipeline"])


# --------------------------------------------------------------------------- training
def rasa_env(cache_dir: Path) -> dict:
    env = dict(os.environ)
    env.setdefault("PYTHONPATH", str(ROOT))
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    env.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")
    env["RASA_CACHE_DIRECTORY"] = str(cache_dir)  # cold cache: honest timings, no stale hits
    return env


def run_logged(command: List[str], log_file: Path, env: dict, timeout: float) -> float:
    started = time.monotonic()
    with log_file.open("w", encoding="utf-8") as out:
        run = subprocess.run(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, timeout=timeout)
    seconds = time.monotonic() - started
    if run.returncode != 0:
        tail = log_file.read_text(encoding="utf-8", errors="replace")[-3000:]
        raise RuntimeError(f"{' '.join(command[:3])} failed ({run.returncode}); log {log_file}:\n{tail}")
    return seconds


def train(name: str, config: dict, work: Path, timeout: float) -> Tuple[Path, float]:
    folder = work / name
    folder.mkdir(parents=True, exist_ok=True)
    config_file = folder / "config.yml"
    config_file.write_text(yaml.safe_dump(config, sort_keys=False, allow_unicode=True), encoding="utf-8")
    command = [RASA, "train", "nlu", "--config", str(config_file), "--nlu", str(TRAIN_NLU),
               "--out", str(folder), "--fixed-model-name", name]
    log.info("training %s (%s)", name, summary_of(config))
    seconds = run_logged(command, folder / "train.log", rasa_env(folder / "cache"), timeout)
    shutil.rmtree(folder / "cache", ignore_errors=True)
    return folder / f"{name}.tar.gz", seconds


# --------------------------------------------------------------------------- held-out data
def load_heldout() -> Dict[str, List[dict]]:
    from rasa.shared.nlu.training_data.loading import load_data

    sets = {}
    for path in sorted(HELDOUT.glob("*.yml")):
        data = load_data(str(path))
        sets[path.stem] = [
            {
                "text": m.get("text"),
                "intent": m.get("intent"),
                "entities": [(e["start"], e["end"], e["entity"]) for e in m.get("entities") or []],
            }
            for m in data.intent_examples
        ]
    return sets


async def parse_all(model: Path, sets: Dict[str, List[dict]]) -> Tuple[Dict[str, List[dict]], float, float]:
    from rasa.core.agent import Agent
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.WARNING)  # rasa's per-message debug lines
    started = time.monotonic()
    agent = Agent.load(str(model))
    load_seconds = time.monotonic() - started
    parsed = {}
    count, started = 0, time.monotonic()
    for language, examples in sets.items():
        parsed[language] = [await agent.parse_message(example["text"]) for example in examples]
        count += len(examples)
    per_message = (time.monotonic() - started) / max(count, 1)
    return parsed, load_seconds, per_message


# --------------------------------------------------------------------------- metrics
def classifier_intent(result: dict) -> Tuple[str, bool]:
    """(the classifier's intent with a fallback prediction undone, whether it fell back)."""
    intent = (result.get("intent") or {}).get("name")
    if intent == "nlu_fallback":
        ranking = result.get("intent_ranking") or []
        if len(ranking) >= 2:
            return ranking[1]["name"], True
    return intent, intent == "nlu_fallback"


def aligned_spans(gold: List[Tuple[int, int, str]], predicted: List[Tuple[int, int, str]]) -> Tuple[list, list]:
    """Span-level alignment for sklearn: one (true, predicted) pair per span,
    "O" where one side has nothing; predicted entities are merged by span."""
    gold_by_span, pred_by_span = defaultdict(set), defaultdict(set)
    for start, end, label in gold:
        gold_by_span[(start, end)].add(label)
    for start, end, label in predicted:
        pred_by_span[(start, end)].add(label)
    y_true, y_pred = [], []
    for span in sorted(set(gold_by_span) | set(pred_by_span)):
        g, p = gold_by_span.get(span, set()), pred_by_span.get(span, set())
        for label in sorted(g & p):
            y_true.append(label)
            y_pred.append(label)
        g_only, p_only = sorted(g - p), sorted(p - g)
        while g_only or p_only:
            y_true.append(g_only.pop(0) if g_only else "O")
            y_pred.append(p_only.pop(0) if p_only else "O")
    return y_true, y_pred


def entity_scores(y_true: list, y_pred: list, labels: List[str]) -> dict:
    from sklearn.metrics import precision_recall_fscore_support

    scores = {}
    if not labels:
        return {"per_entity": {}, "micro": None}
    p, r, f, s = precision_recall_fscore_support(y_true, y_pred, labels=labels, zero_division=0)
    for i, label in enumerate(labels):
        scores[label] = {"precision": round(float(p[i]), 4), "recall": round(float(r[i]), 4),
                         "f1": round(float(f[i]), 4), "support": int(s[i]),
                         "predicted": int(sum(1 for y in y_pred if y == label))}
    mp, mr, mf, _ = precision_recall_fscore_support(y_true, y_pred, labels=labels, average="micro", zero_division=0)
    macro = precision_recall_fscore_support(y_true, y_pred, labels=labels, average="macro", zero_division=0)[2]
    return {"per_entity": scores,
            "micro": {"precision": round(float(mp), 4), "recall": round(float(mr), 4), "f1": round(float(mf), 4)},
            "macro_f1": round(float(macro), 4)}


def evaluate_language(examples: List[dict], results: List[dict]) -> dict:
    from sklearn.metrics import accuracy_score, f1_score, precision_recall_fscore_support

    gold = [e["intent"] for e in examples]
    predicted, fell_back, served = [], [], []
    for result in results:
        intent, fallback = classifier_intent(result)
        predicted.append(intent or "None")
        fell_back.append(fallback)
        served.append("nlu_fallback" if fallback else (intent or "None"))
    intents = sorted(set(gold))
    p, r, f, s = precision_recall_fscore_support(gold, predicted, labels=intents, zero_division=0)
    per_intent = {label: {"precision": round(float(p[i]), 4), "recall": round(float(r[i]), 4),
                          "f1": round(float(f[i]), 4), "support": int(s[i])} for i, label in enumerate(intents)}
    confusions = Counter((g, q) for g, q in zip(gold, predicted) if g != q)
    examples_of = defaultdict(list)
    for example, q in zip(examples, predicted):
        if example["intent"] != q and len(examples_of[(example["intent"], q)]) < 3:
            examples_of[(example["intent"], q)].append(example["text"])

    # entities: all extractors merged by span
    entity_labels = sorted({label for e in examples for _, _, label in e["entities"]})
    y_true, y_pred, per_extractor = [], [], defaultdict(lambda: ([], []))
    extractors = set()
    for example, result in zip(examples, results):
        found = result.get("entities") or []
        extractors |= {x.get("extractor", "?") for x in found}
    for example, result in zip(examples, results):
        found = result.get("entities") or []
        merged = [(x["start"], x["end"], x["entity"]) for x in found]
        t, q = aligned_spans(example["entities"], merged)
        y_true += t
        y_pred += q
        for extractor in extractors:
            own = [(x["start"], x["end"], x["entity"]) for x in found if x.get("extractor", "?") == extractor]
            t, q = aligned_spans(example["entities"], own)
            per_extractor[extractor][0].extend(t)
            per_extractor[extractor][1].extend(q)
    entity_errors = []
    for example, result in zip(examples, results):
        merged = {(x["start"], x["end"], x["entity"]) for x in result.get("entities") or []}
        wanted = set(example["entities"])
        if merged != wanted and len(entity_errors) < 12:
            text = example["text"]
            entity_errors.append({
                "text": text,
                "missed": [f"{text[s:e]} ({l})" for s, e, l in sorted(wanted - merged)],
                "spurious": [f"{text[s:e]} ({l})" for s, e, l in sorted(merged - wanted)],
            })

    # language identification: decisive detections are the predictions
    detections = [r.get("language") for r in results]
    language = None
    if any(isinstance(d, dict) for d in detections):
        decisive = [d for d in detections if isinstance(d, dict) and d.get("decisive")]
        language = {"decisive": len(decisive), "total": len(detections)}
        language["coverage"] = round(len(decisive) / max(len(detections), 1), 4)
        language["_codes"] = [(d or {}).get("code") for d in detections]
        language["_decisive"] = [bool((d or {}).get("decisive")) for d in detections]

    return {
        "messages": len(examples),
        "intent": {
            "accuracy": round(float(accuracy_score(gold, predicted)), 4),
            "macro_f1": round(float(f1_score(gold, predicted, labels=intents, average="macro", zero_division=0)), 4),
            "served_accuracy": round(float(accuracy_score(gold, served)), 4),
            "fallback_rate": round(sum(fell_back) / max(len(fell_back), 1), 4),
            "per_intent": per_intent,
            "confusions": [{"gold": g, "predicted": q, "count": n, "examples": examples_of[(g, q)]}
                           for (g, q), n in confusions.most_common(10)],
        },
        "entities": {**entity_scores(y_true, y_pred, entity_labels),
                     "per_extractor_micro": {x: entity_scores(t, q, entity_labels)["micro"]
                                             for x, (t, q) in sorted(per_extractor.items())},
                     "errors": entity_errors},
        "language_id": language,
    }


def finish_language_id(language: str, stats: Optional[dict]) -> Optional[dict]:
    if not stats:
        return None
    codes, decisive = stats.pop("_codes"), stats.pop("_decisive")
    hits = sum(1 for c, d in zip(codes, decisive) if d and c == language)
    stats["accuracy"] = round(hits / stats["decisive"], 4) if stats["decisive"] else None
    stats["wrong_decisive"] = sum(1 for c, d in zip(codes, decisive) if d and c != language)
    stats["best_guess_accuracy_all"] = round(sum(1 for c in codes if c == language) / max(len(codes), 1), 4)
    return stats


def evaluate(model: Path, sets: Dict[str, List[dict]]) -> dict:
    parsed, load_seconds, per_message = asyncio.run(parse_all(model, sets))
    out = {"load_seconds": round(load_seconds, 2), "parse_ms_per_message": round(per_message * 1000, 1),
           "languages": {}}
    for language, examples in sets.items():
        result = evaluate_language(examples, parsed[language])
        result["language_id"] = finish_language_id(language, result["language_id"])
        if result["language_id"] is not None:
            wrong = [e["text"] for e, r in zip(examples, parsed[language])
                     if (r.get("language") or {}).get("decisive") and r["language"]["code"] != language]
            result["language_id"]["wrong_examples"] = wrong[:10]
        out["languages"][language] = result
    return out


# --------------------------------------------------------------------------- cross-validation
CV_LINE = re.compile(r"(train|test) (\w[\w -]*?): (\d+\.\d+) \((\d+\.\d+)\)")


def cross_validate(config: dict, folds: int, work: Path, timeout: float) -> dict:
    folder = work / "cv"
    folder.mkdir(parents=True, exist_ok=True)
    config_file = folder / "config.yml"
    config_file.write_text(yaml.safe_dump(config, sort_keys=False, allow_unicode=True), encoding="utf-8")
    command = [RASA, "test", "nlu", "--config", str(config_file), "--nlu", str(TRAIN_NLU),
               "--cross-validation", "--folds", str(folds), "--out", str(folder / "results"), "--no-plot"]
    log.info("cross-validation: %s folds, epochs %s", folds, epochs_of(config))
    seconds = run_logged(command, folder / "cv.log", rasa_env(folder / "cache"), timeout)
    shutil.rmtree(folder / "cache", ignore_errors=True)
    text = (folder / "cv.log").read_text(encoding="utf-8", errors="replace")
    section, extractor, metrics = "intent", None, {"intent": {}, "entities": {}}
    for line in text.splitlines():
        if "Entity evaluation results" in line:
            section = "entities"
        elif "Response Selection evaluation results" in line:
            section = "responses"
        match = re.search(r"Entity extractor: (\S+)", line)
        if match:
            extractor = match.group(1)
            continue
        match = CV_LINE.search(line)
        if match and section in ("intent", "entities"):
            split, metric, mean, std = match.groups()
            target = metrics["intent"] if section == "intent" else metrics["entities"].setdefault(extractor, {})
            target.setdefault(split, {})[metric] = {"mean": float(mean), "std": float(std)}
    reports = {}
    for name in ("intent_report.json", "DIETClassifier_report.json"):
        path = folder / "results" / name
        if path.exists():
            report = json.loads(path.read_text(encoding="utf-8"))
            reports[name] = {k: report[k] for k in ("accuracy", "macro avg", "weighted avg", "micro avg") if k in report}
    return {"folds": folds, "epochs": epochs_of(config), "seconds": round(seconds, 1),
            "command": "rasa test nlu --nlu data/nlu --cross-validation --folds "
                       f"{folds} --config <config.yml pipeline, epochs {epochs_of(config)}>",
            "per_fold_mean_std": metrics, "accumulated_reports": reports}


# --------------------------------------------------------------------------- report
def score(result: dict) -> float:
    values = []
    for lang in result["eval"]["languages"].values():
        values.append(lang["intent"]["macro_f1"])
        values.append((lang["entities"]["micro"] or {}).get("f1", 0.0))
    return sum(values) / max(len(values), 1)


def fmt(value, digits=3) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def markdown(report: dict) -> str:
    runs = report["pipelines"]
    languages = sorted({l for r in runs.values() for l in r["eval"]["languages"]})
    sizes = ", ".join(f"{l}: {report['heldout_sizes'][l]} messages" for l in languages)
    lines = [f"# NLU evaluation ({report['finished'][:16].replace('T', ' ')} UTC)", ""]
    if report["quick"]:
        lines += ["> **--quick run (2 epochs): plumbing check only, the figures below mean nothing.**", ""]
    lines += [
        f"Held-out set: `tests/nlu_heldout/` ({sizes}), "
        f"never trained on. Training data: `data/nlu/*.yml`. Models: `rasa train nlu`, cold cache, "
        f"on {report['machine']}. Shipped pipeline: **{DESCRIPTIONS[CHOSEN]}**; "
        f"best in this run: **{DESCRIPTIONS.get(report['best'], '–')}** (mean of intent macro F1 and entity F1 over languages). "
        f"Goal: ≥ {GOAL} intent macro F1 and entity F1 per language.",
        "",
        "## Pipelines compared",
        "",
        "| pipeline | intent lang | intent acc | intent macro F1 | served acc (fallback wrong) | fallback rate | entity P | entity R | entity F1 | language-ID acc (coverage) | train s | model MB | parse ms/msg |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name, run in runs.items():
        for language in languages:
            r = run["eval"]["languages"][language]
            m = r["entities"]["micro"] or {}
            lid = r["language_id"]
            lid_text = f"{fmt(lid['accuracy'])} ({fmt(lid['coverage'])})" if lid else "n/a (no detector)"
            lines.append(
                f"| {DESCRIPTIONS[name]} | {language} | {fmt(r['intent']['accuracy'])} | **{fmt(r['intent']['macro_f1'])}** | "
                f"{fmt(r['intent']['served_accuracy'])} | {fmt(r['intent']['fallback_rate'])} | {fmt(m.get('precision'))} | "
                f"{fmt(m.get('recall'))} | **{fmt(m.get('f1'))}** | {lid_text} | {run['train_seconds']:.0f} | "
                f"{run['model_mb']:.1f} | {run['eval']['parse_ms_per_message']} |")
    lines += ["", "Epochs: " + "; ".join(f"{DESCRIPTIONS[n]} {r['epochs']}" for n, r in runs.items()), ""]
    lines += ["Pipelines: " + "; ".join(f"{DESCRIPTIONS[n]}: {r['summary']}" for n, r in runs.items()), ""]

    # per-entity
    entities = sorted({e for r in runs.values() for l in r["eval"]["languages"].values() for e in l["entities"]["per_entity"]})
    lines += ["## Entity F1 per entity (all extractors merged by span)", "",
              "| entity | " + " | ".join(f"{DESCRIPTIONS[n]} {l}" for n in runs for l in languages) + " |",
              "|---|" + "---|" * (len(runs) * len(languages))]
    for entity in entities:
        cells = []
        for n, run in runs.items():
            for l in languages:
                e = run["eval"]["languages"][l]["entities"]["per_entity"].get(entity)
                cells.append(f"{fmt(e['f1'])} (n={e['support']})" if e else "–")
        lines.append(f"| {entity} | " + " | ".join(cells) + " |")
    lines.append("")

    chosen_name = CHOSEN if CHOSEN in runs else report["best"]
    chosen = runs.get(chosen_name) or {}
    lines += [f"## Details: {DESCRIPTIONS.get(chosen_name, '–')}", ""]
    for language in languages if chosen else []:
        r = chosen["eval"]["languages"][language]
        lines += [f"### {language}", "", "| entity | precision | recall | F1 | gold | predicted |", "|---|---|---|---|---|---|"]
        for entity, e in r["entities"]["per_entity"].items():
            lines.append(f"| {entity} | {fmt(e['precision'])} | {fmt(e['recall'])} | {fmt(e['f1'])} | {e['support']} | {e['predicted']} |")
        by_extractor = ", ".join(f"{x}: F1 {fmt((m or {}).get('f1'))}" for x, m in r["entities"]["per_extractor_micro"].items())
        lines += ["", "Entity F1 of what each extractor contributes to the final parse (a span both find is kept "
                  f"once, credited to the first): {by_extractor or '–'}", ""]
        weak = {i: v for i, v in r["intent"]["per_intent"].items() if v["f1"] < GOAL}
        if weak:
            lines += [f"Intents below F1 {GOAL}:", "", "| intent | precision | recall | F1 | n |", "|---|---|---|---|---|"]
            for intent, v in sorted(weak.items(), key=lambda kv: kv[1]["f1"]):
                lines.append(f"| {intent} | {fmt(v['precision'])} | {fmt(v['recall'])} | {fmt(v['f1'])} | {v['support']} |")
            lines.append("")
        else:
            lines += [f"Every intent reaches F1 ≥ {GOAL}.", ""]
        if r["intent"]["confusions"]:
            lines += ["Most frequent confusions (gold → predicted):", "", "| gold | predicted | n | examples |", "|---|---|---|---|"]
            for c in r["intent"]["confusions"][:8]:
                lines.append(f"| {c['gold']} | {c['predicted']} | {c['count']} | {' / '.join(c['examples'])} |")
            lines.append("")
        if r["entities"]["errors"]:
            lines += ["Entity errors (first ones):", ""]
            for err in r["entities"]["errors"][:8]:
                lines.append(f"- `{err['text']}` missed: {', '.join(err['missed']) or '–'}; spurious: {', '.join(err['spurious']) or '–'}")
            lines.append("")
        lid = r["language_id"]
        if lid:
            lines += [f"Language ID: {lid['decisive']}/{lid['total']} decisive (coverage {fmt(lid['coverage'])}), "
                      f"accuracy {fmt(lid['accuracy'])} on those, {lid['wrong_decisive']} wrong; best guess on all "
                      f"messages {fmt(lid['best_guess_accuracy_all'])}."
                      + (f" Wrong: {' / '.join(lid['wrong_examples'])}" if lid["wrong_examples"] else ""), ""]
    lines += ["## Confusions of the other pipelines", ""]
    for name, run in runs.items():
        if name == chosen_name:
            continue
        for language in languages:
            top = run["eval"]["languages"][language]["intent"]["confusions"][:5]
            lines.append(f"- {DESCRIPTIONS[name]} {language}: " +
                         (", ".join(f"{c['gold']}→{c['predicted']} ×{c['count']}" for c in top) or "none"))
    lines.append("")

    cv = report.get("cross_validation")
    lines += ["## Cross-validation on the training data (project pipeline)", ""]
    if cv:
        lines += [f"Ran: `{cv['command']}` ({cv['seconds']:.0f} s). Mean (std) over the test folds; "
                  "`rasa test` ignores SpacyEntityExtractor, so entity figures are DIET's.", "",
                  "| what | split | metric | mean | std |", "|---|---|---|---|---|"]
        for split, metrics in sorted(cv["per_fold_mean_std"]["intent"].items(), key=lambda kv: kv[0] != "test"):
            for metric, v in metrics.items():
                lines.append(f"| intent | {split} | {metric} | {fmt(v['mean'])} | {fmt(v['std'])} |")
        for extractor, splits in cv["per_fold_mean_std"]["entities"].items():
            for split, metrics in sorted(splits.items(), key=lambda kv: kv[0] != "test"):
                for metric, v in metrics.items():
                    lines.append(f"| entities ({extractor}, token-level) | {split} | {metric} | {fmt(v['mean'])} | {fmt(v['std'])} |")
        for name, rep in cv["accumulated_reports"].items():
            macro = rep.get("macro avg", {})
            lines.append(f"| {name} (all test folds) | test | macro F1 | {fmt(macro.get('f1-score'))} | |")
    else:
        lines.append("Not run (--skip-cv, or it failed: see Failures).")
    if report.get("failures"):
        lines += ["", "## Failures", ""] + [f"- {k}: {v.splitlines()[0]}" for k, v in report["failures"].items()]
    lines += ["", f"Total eval time: {report['seconds']:.0f} s.", ""]
    return "\n".join(lines)


# --------------------------------------------------------------------------- main
def main(argv: Optional[List[str]] = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="2 epochs everywhere (plumbing check)")
    parser.add_argument("--epochs", type=int, help="override DIET/ResponseSelector epochs of every pipeline")
    parser.add_argument("--cv-epochs", type=int, help="DIET epochs for the cross-validation (default: as configured)")
    parser.add_argument("--folds", type=int, default=3)
    parser.add_argument("--skip-cv", action="store_true")
    parser.add_argument("--pipelines", default="default,project,nospacy")
    parser.add_argument("--out", default=str(ROOT / "reports"))
    parser.add_argument("--keep", action="store_true", help="keep the temp models under reports/tmp/")
    parser.add_argument("--timeout", type=float, default=3600, help="per training/CV run, seconds")
    parser.add_argument("--model", help="only score this trained model on the held-out set (no training), print JSON")
    args = parser.parse_args(argv)

    logging.basicConfig(level=logging.INFO, format="%(asctime)s eval_nlu: %(message)s", datefmt="%H:%M:%S")
    for noisy in ("rasa", "tensorflow", "absl", "matplotlib", "py.warnings"):
        logging.getLogger(noisy).setLevel(logging.ERROR)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    os.environ.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))

    if args.model:
        scored = evaluate(Path(args.model), load_heldout())["languages"]
        figures = {lang: {"intent_accuracy": r["intent"]["accuracy"], "intent_macro_f1": r["intent"]["macro_f1"],
                          "entity_f1": (r["entities"]["micro"] or {}).get("f1")} for lang, r in scored.items()}
        print(json.dumps(figures, indent=1))
        return figures

    epochs = 2 if args.quick else args.epochs
    cv_epochs = 2 if args.quick else args.cv_epochs
    names = [n.strip() for n in args.pipelines.split(",") if n.strip()]
    configs = pipeline_configs()
    unknown = set(names) - set(configs)
    if unknown:
        parser.error(f"unknown pipelines {sorted(unknown)}; known: {sorted(configs)}")

    out = Path(args.out)
    (ROOT / "reports" / "tmp").mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="eval-", dir=ROOT / "reports" / "tmp"))
    started = time.monotonic()
    sets = load_heldout()
    report = {
        "started": dt.datetime.utcnow().isoformat(timespec="seconds"),
        "quick": args.quick,
        "machine": f"{os.cpu_count()} cores, {platform.python_implementation()} {platform.python_version()}",
        "heldout_sizes": {l: len(v) for l, v in sets.items()},
        "chosen": CHOSEN,
        "pipelines": {},
        "failures": {},
    }
    try:
        for name in names:
            config = with_epochs(configs[name], epochs)
            try:
                model, seconds = train(name, config, work, args.timeout)
            except (RuntimeError, subprocess.TimeoutExpired) as error:
                log.error("%s: %s", name, error)
                report["failures"][name] = str(error)[:2000]
                continue
            log.info("%s trained in %.0f s; evaluating on the held-out set", name, seconds)
            result = evaluate(model, sets)
            report["pipelines"][name] = {
                "summary": summary_of(config), "config": config, "epochs": epochs_of(config),
                "train_seconds": round(seconds, 1), "model_mb": round(model.stat().st_size / 2**20, 2),
                "eval": result,
            }
            for language, r in result["languages"].items():
                log.info("%s %s: intent acc %.3f macro F1 %.3f, entity F1 %s", name, language,
                         r["intent"]["accuracy"], r["intent"]["macro_f1"], (r["entities"]["micro"] or {}).get("f1"))
        report["best"] = max(report["pipelines"], key=lambda n: score(report["pipelines"][n]), default=None)
        if not args.skip_cv:
            try:
                report["cross_validation"] = cross_validate(with_epochs(configs["project"], cv_epochs), args.folds,
                                                            work, args.timeout)
            except (RuntimeError, subprocess.TimeoutExpired) as error:
                log.error("cross-validation: %s", error)
                report["failures"]["cross_validation"] = str(error)[:2000]
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    report["finished"] = dt.datetime.utcnow().isoformat(timespec="seconds")
    report["seconds"] = round(time.monotonic() - started, 1)
    out.mkdir(parents=True, exist_ok=True)
    (out / "eval_nlu.json").write_text(json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8")
    (out / "eval_nlu.md").write_text(markdown(report), encoding="utf-8")
    log.info("wrote %s and %s (%.0f s)", out / "eval_nlu.md", out / "eval_nlu.json", report["seconds"])
    return report


def cli() -> int:
    report = main()
    return 1 if report.get("failures") else 0


if __name__ == "__main__":
    sys.exit(cli())

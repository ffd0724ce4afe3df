"""The extraction gate: govcrawl's scores on the gold evaluation set never fall
below the pinned floors (tests/eval/floors.json), and no chrome string leaks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from govcrawl.evaluation import cells_in_rows, char_match, evaluate, load_gold

EVAL = Path(__file__).parent / "eval"
FLOORS = json.loads((EVAL / "floors.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def result() -> dict[str, object]:
    return evaluate(EVAL, ["govcrawl"])


def test_the_set_is_big_and_varied_enough() -> None:
    golds = load_gold(EVAL)
    assert len(golds) >= 40
    assert sum(g.origin == "real" for g in golds) >= 25
    assert any(g.is_report for g in golds) and sum(not g.is_report for g in golds) >= 10
    assert {"challenge", "soft404", "report", "article", "listing"} <= {g.kind for g in golds}
    for gold in golds:
        assert gold.body, gold.id
        for chrome in gold.must_not_contain:
            assert chrome not in gold.text, (gold.id, chrome)


def test_extraction_stays_above_its_floors(result: dict[str, object]) -> None:
    overall = result["engines"]["govcrawl"]["overall"]  # type: ignore[index]
    assert overall["f1"] >= FLOORS["f1"]
    assert overall["table_cell_accuracy"] >= FLOORS["table_cell_accuracy"]
    assert overall["date_accuracy"] >= FLOORS["date_accuracy"]
    assert overall["title_exact"] >= FLOORS["title_exact"]
    leaks = [(p["id"], p["chrome_leaked"]) for p in result["engines"]["govcrawl"]["per_page"]  # type: ignore[index]
             if p["chrome_leaked"]]
    assert len([c for _, cs in leaks for c in cs]) <= FLOORS["chrome_leaked"], leaks


def test_walls_are_rejected_and_spam_is_flagged(result: dict[str, object]) -> None:
    flags = result["engines"]["govcrawl"]["overall"]["flags"]  # type: ignore[index]
    assert flags["challenge"] == {"tp": 5, "fp": 0, "fn": 0}
    assert flags["spam_injection"] == {"tp": 1, "fp": 0, "fn": 0}
    assert flags["placeholder_text"]["fn"] == 0 and flags["placeholder_text"]["fp"] == 0
    assert flags["soft404"] == {"tp": 2, "fp": 0, "fn": 0}
    assert flags["near_empty"]["fn"] == 0 and flags["near_empty"]["fp"] == 0


def test_floors_meet_the_targets_and_only_rise() -> None:
    # the targets of the extraction work; a floor below them would be a step back
    assert FLOORS["f1"] >= 0.97 and FLOORS["table_cell_accuracy"] >= 0.98
    assert FLOORS["date_accuracy"] >= 0.98 and FLOORS["title_exact"] >= 0.98
    assert FLOORS["chrome_leaked"] == 0


def test_scorer_measures_what_it_says() -> None:
    gold = "一、总体情况\n本年度共公开信息120条。\n信息内容 | 本年制发件数\n规章 | 0"
    assert char_match(gold, gold) == len("一、总体情况本年度共公开信息120条。信息内容本年制发件数规章0")
    assert char_match("首页 > 政务公开\n" + gold, gold) == char_match(gold, gold)  # extra chrome: precision only
    assert char_match(gold.replace("120", ""), gold) == char_match(gold, gold) - 3
    tables = [[["信息内容", "本年制发件数"], ["规章", "0"]]]
    assert cells_in_rows(gold, tables) == (4, 4)
    assert cells_in_rows("信息内容\n本年制发件数\n规章 0", tables) == (3, 4)

"""Progression rules on synthetic logs: e1RM formulas (known answers), recency weighting, double
progression, stall → deload, loads from the estimate when the rep range changed."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from store.vocabulary import Equipment
from tools.training import constants as c
from tools.training.progression import (
    Action,
    LoggedSet,
    advise,
    brzycki,
    epley,
    estimate_1rm,
    is_stalled,
    load_for,
    round_down,
    set_e1rm,
)

TODAY = date(2026, 11, 25)  # a Wednesday


def at(days_ago: int) -> datetime:
    return datetime.combine(TODAY - timedelta(days=days_ago), time(18, 0), tzinfo=UTC)


def session(days_ago: int, load_kg: float, reps: list[int], rir: int | None = 2) -> list[LoggedSet]:
    return [LoggedSet(at(days_ago) + timedelta(minutes=3 * i), load_kg, r, rir) for i, r in enumerate(reps)]


class TestFormulas:
    def test_epley_and_brzycki_known_answers(self) -> None:
        assert epley(100, 5) == pytest.approx(116.667, abs=1e-3)
        assert brzycki(100, 5) == pytest.approx(112.5)
        assert epley(80, 10) == pytest.approx(106.667, abs=1e-3)
        assert brzycki(80, 10) == pytest.approx(106.667, abs=1e-3)

    def test_set_e1rm_uses_reps_to_failure(self) -> None:
        # 5 reps with 0 in reserve: mean of Epley and Brzycki.
        assert set_e1rm(100, 5, 0) == pytest.approx((116.667 + 112.5) / 2, abs=1e-3)
        # 3 reps with 2 in reserve count as 5 to failure.
        assert set_e1rm(100, 3, 2) == set_e1rm(100, 5, 0)
        # No RIR logged: 2 assumed.
        assert set_e1rm(100, 3, None) == set_e1rm(100, 5, 0)
        # A single to failure is the 1RM.
        assert set_e1rm(140, 1, 0) == 140
        # 12 to failure: Epley alone.
        assert set_e1rm(60, 12, 0) == pytest.approx(epley(60, 12))
        # Too long a set, or no load: no estimate.
        assert set_e1rm(40, 14, 2) is None
        assert set_e1rm(0, 8, 2) is None

    @pytest.mark.parametrize(("reps", "rir"), [(1, 0), (5, 0), (8, 2), (12, 2), (3, 3)])
    def test_load_for_inverts_the_estimate(self, reps: int, rir: int) -> None:
        e1rm = set_e1rm(100, reps, rir)
        assert e1rm is not None
        assert load_for(e1rm, reps, rir) == pytest.approx(100, rel=1e-9)

    def test_round_down_to_the_load_step(self) -> None:
        assert round_down(63.7, 2.5) == 62.5
        assert round_down(22.9, 2.0) == 22.0
        assert round_down(65.0, 2.5) == 65.0


class TestEstimate:
    def test_recent_days_weigh_more(self) -> None:
        old = session(28, 100, [5], 0)  # e1RM 114.58, weight 0.25 (two half-lives)
        new = session(0, 120, [5], 0)  # e1RM 137.5, weight 1
        e_old, e_new = set_e1rm(100, 5, 0), set_e1rm(120, 5, 0)
        assert e_old is not None
        assert e_new is not None
        expected = (0.25 * e_old + 1.0 * e_new) / 1.25
        assert estimate_1rm(old + new, TODAY) == pytest.approx(expected)

    def test_best_set_of_each_day_counts(self) -> None:
        day = session(0, 100, [5], 0) + session(0, 90, [5], 0)
        assert estimate_1rm(day, TODAY) == pytest.approx(set_e1rm(100, 5, 0))

    def test_sets_outside_the_window_are_ignored(self) -> None:
        assert estimate_1rm(session(c.E1RM_WINDOW_DAYS + 1, 100, [5], 0), TODAY) is None


class TestDoubleProgression:
    def test_top_of_range_at_target_rir_adds_the_smallest_step(self) -> None:
        logs = session(3, 60, [10, 10, 10], rir=2)
        advice = advise(
            logs, rep_min=6, rep_max=10, target_rir=2, load_equipment=Equipment.BARBELL, today=TODAY
        )
        assert advice.action is Action.INCREASE
        assert advice.load_kg == 62.5
        assert advice.rep_target == 6

    def test_dumbbells_step_by_two_kilos(self) -> None:
        logs = session(3, 20, [12, 12, 12], rir=1)
        advice = advise(
            logs, rep_min=8, rep_max=12, target_rir=1, load_equipment=Equipment.DUMBBELL, today=TODAY
        )
        assert advice.load_kg == 22.0

    def test_a_set_short_of_the_top_repeats_the_load(self) -> None:
        logs = session(3, 60, [10, 9, 8], rir=2)
        advice = advise(
            logs, rep_min=6, rep_max=10, target_rir=2, load_equipment=Equipment.BARBELL, today=TODAY
        )
        assert advice.action is Action.REPEAT
        assert advice.load_kg == 60
        assert advice.rep_target == 10

    def test_reaching_the_top_only_by_going_harder_than_the_target_repeats(self) -> None:
        logs = session(3, 60, [10, 10, 10], rir=0)
        advice = advise(
            logs, rep_min=6, rep_max=10, target_rir=2, load_equipment=Equipment.BARBELL, today=TODAY
        )
        assert advice.action is Action.REPEAT

    def test_only_the_last_session_decides(self) -> None:
        logs = session(10, 57.5, [10, 10, 10], rir=2) + session(3, 60, [8, 8, 7], rir=2)
        advice = advise(
            logs, rep_min=6, rep_max=10, target_rir=2, load_equipment=Equipment.BARBELL, today=TODAY
        )
        assert advice.action is Action.REPEAT
        assert advice.load_kg == 60
        assert advice.rep_target == 9

    def test_nothing_logged_starts_without_a_load(self) -> None:
        advice = advise(
            [], rep_min=8, rep_max=12, target_rir=2, load_equipment=Equipment.MACHINE, today=TODAY
        )
        assert advice.action is Action.START
        assert advice.load_kg is None

    def test_body_weight_exercises_progress_by_reps(self) -> None:
        advice = advise(
            session(2, 0, [15]), rep_min=8, rep_max=15, target_rir=2, load_equipment=None, today=TODAY
        )
        assert advice.action is Action.ADD_REPS
        assert advice.load_kg is None

    def test_another_rep_range_uses_the_estimate(self) -> None:
        logs = session(3, 100, [5, 5, 5], rir=1)  # heavy fives; the plan now asks for 10-15
        advice = advise(
            logs, rep_min=10, rep_max=15, target_rir=2, load_equipment=Equipment.BARBELL, today=TODAY
        )
        assert advice.action is Action.FROM_ESTIMATE
        e1rm = set_e1rm(100, 5, 1)
        assert e1rm is not None
        assert advice.load_kg == round_down(load_for(e1rm, 15, 2), 2.5)
        assert advice.load_kg is not None
        assert advice.load_kg < 100


class TestStall:
    @staticmethod
    def weekly(loads_reps: list[tuple[float, int]]) -> list[LoggedSet]:
        """One session a week, the last one this week, oldest first."""
        out: list[LoggedSet] = []
        for weeks_ago, (load, reps) in zip(range(len(loads_reps) - 1, -1, -1), loads_reps, strict=True):
            out += session(7 * weeks_ago, load, [reps, reps, reps], rir=1)
        return out

    def test_flat_weeks_stall_and_deload(self) -> None:
        logs = self.weekly([(80, 8), (80, 8), (80, 8), (80, 8)])
        assert is_stalled(logs, TODAY)
        advice = advise(
            logs, rep_min=6, rep_max=10, target_rir=2, load_equipment=Equipment.BARBELL, today=TODAY
        )
        assert advice.action is Action.DELOAD
        assert advice.load_kg == round_down(80 * c.DELOAD_LOAD_FACTOR, 2.5)
        assert advice.set_factor == c.DELOAD_SET_FACTOR

    def test_progress_is_not_a_stall(self) -> None:
        assert not is_stalled(self.weekly([(80, 8), (80, 9), (82.5, 8), (82.5, 9)]), TODAY)

    def test_too_few_weeks_is_not_a_stall(self) -> None:
        assert not is_stalled(self.weekly([(80, 8), (80, 8), (80, 8)]), TODAY)

    def test_after_a_deload_the_count_starts_again(self) -> None:
        flat = [(80.0, 8)] * 4
        logs = self.weekly([*flat, (72.5, 8), (80, 8), (80, 8)])
        assert not is_stalled(logs, TODAY)
        assert is_stalled(self.weekly([*flat, (72.5, 8), (80, 8), (80, 8), (80, 8), (80, 8)]), TODAY)

    def test_exercise_not_trained_lately_is_not_stalled(self) -> None:
        logs = [
            LoggedSet(s.performed_at - timedelta(days=21), s.load_kg, s.reps, s.rir)
            for s in self.weekly([(80, 8)] * 4)
        ]
        assert not is_stalled(logs, TODAY)

"""FSRS fitted to a user's reviews (core/study/fsrs_fit.py): how long, and whether it learns the user.

The reviews come from a synthetic learner whose memory follows FSRS-6 with known weights that
differ from the defaults (tests/fsrs_synthetic.py, the generator the tests use too), scheduled
by the app's default weights. A quarter of the learner's cards are held out of the fit.

- fsrs_optimise_s_50k: ``optimise`` on a progress database of 50,000 reviews (reading the log,
  the fit, and scoring both weight sets), best of 3.
- fsrs_fit_logloss_default / _fitted / _true: log loss on the held-out cards' reviews of the
  default weights, the weights fitted to the other cards, and the learner's true weights.
- fsrs_fit_rmse_default / _fitted: RMSE over bins on the same held-out reviews.
- fsrs_fit_logloss_gain: default minus fitted (the fit must predict unseen reviews better).
"""

from __future__ import annotations

import shutil
import time
from datetime import date

from common import WORK

REVIEWS = 50_000
FIRST_DAY = date(2024, 1, 1)


def run() -> dict[str, float]:
    from fsrs.scheduler import DEFAULT_PARAMETERS

    from genai_desktop.core.store import db
    from genai_desktop.core.study.fsrs_fit import evaluate, optimise, review_history
    from genai_desktop.core.study.session import StudySettings
    from tests.fsrs_synthetic import TRUE_PARAMETERS, simulate_learner, write_reviews

    work = WORK / "fsrs"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    reviews = simulate_learner(cards=8_000, days=900, new_per_day=12, seed=20, max_reviews=REVIEWS)
    held_out = {r.card for r in reviews if r.card % 4 == 0}

    everything = db.open_progress(work / "all.sqlite").conn
    write_reviews(everything, reviews, first_day=FIRST_DAY)
    settings = StudySettings()
    timings = []
    for _ in range(3):
        start = time.perf_counter()
        optimise(everything, settings)
        timings.append(time.perf_counter() - start)
    everything.close()

    train = db.open_progress(work / "train.sqlite").conn
    held = db.open_progress(work / "held.sqlite").conn
    write_reviews(train, [r for r in reviews if r.card not in held_out], first_day=FIRST_DAY)
    write_reviews(held, [r for r in reviews if r.card in held_out], first_day=FIRST_DAY)
    fitted = optimise(train, settings).fitted
    items = review_history(held, settings.day_start_hour).fsrs_items()
    default, mine, truth = (evaluate(w, items) for w in (DEFAULT_PARAMETERS, fitted, TRUE_PARAMETERS))
    train.close()
    held.close()
    print(f"  {len(reviews)} reviews, {len(items)} held-out items; fitted weights: "
          + " ".join(f"{w:.3f}" for w in fitted))
    return {
        "fsrs_optimise_s_50k": min(timings),
        "fsrs_fit_logloss_default": default.log_loss,
        "fsrs_fit_logloss_fitted": mine.log_loss,
        "fsrs_fit_logloss_true": truth.log_loss,
        "fsrs_fit_rmse_default": default.rmse_bins,
        "fsrs_fit_rmse_fitted": mine.rmse_bins,
        "fsrs_fit_logloss_gain": default.log_loss - mine.log_loss,
    }

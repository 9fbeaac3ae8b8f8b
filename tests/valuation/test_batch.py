"""The batch path: every coalition's accuracy equals the per-coalition path's, within a memory bound."""

from __future__ import annotations

import itertools
import subprocess
import sys
import textwrap

import numpy as np
import pytest
import torch

from cst_ref.data import Dataset
from cst_ref.models import mlp, small_cnn
from cst_ref.valuation import CachedUtility, CoalitionEvaluator, exact_shapley, per_round, round_utility
from cst_ref.valuation.batch import BatchForward


Round = tuple[torch.Tensor, torch.Tensor, np.ndarray]


def random_round(model: torch.nn.Module, n: int, seed: int, scale: float) -> Round:
    """θ of ``model``, n random client updates and random sample counts: a made-up history's round."""
    generator = torch.Generator().manual_seed(seed)
    base = torch.nn.utils.parameters_to_vector(model.parameters()).detach()
    updates = scale * torch.randn(n, base.numel(), generator=generator)
    counts = np.random.default_rng(seed).integers(5, 200, size=n)
    return base, updates, counts


def assert_batch_equals_per_coalition(evaluator: CoalitionEvaluator, masks: np.ndarray) -> None:
    batch = evaluator.utilities(masks)
    n = evaluator.n_clients
    single = [evaluator([i for i in range(n) if m >> i & 1]) for m in masks]
    np.testing.assert_array_equal(batch, single)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_mlp_batch_equals_per_coalition_on_every_coalition(digits_split, seed: int) -> None:
    _, validation = digits_split
    model = mlp(seed=seed)
    base, updates, counts = random_round(model, 7, seed, scale=0.3)
    for strategy in ("plain", "mix"):
        evaluator = CoalitionEvaluator(model, base, updates, counts, validation, strategy)
        assert_batch_equals_per_coalition(evaluator, np.arange(2**7))
    # Any order, repeats included (the gather path rather than enumeration's consecutive chunks).
    shuffled = np.random.default_rng(seed).permutation(np.tile(np.arange(2**7), 2))
    assert_batch_equals_per_coalition(evaluator, shuffled)
    # First and last look like a run of consecutive coalitions, the middle ones are not:
    # GTG's cycles asked such batches, and the run's shortcut once valued the wrong coalitions.
    for masks in ([4, 9, 6], [120, 3, 77, 123], [64, 66, 65, 67]):
        assert_batch_equals_per_coalition(evaluator, np.array(masks))


def test_cnn_batch_equals_per_coalition_on_every_coalition() -> None:
    generator = torch.Generator().manual_seed(0)
    x, y = torch.randn(48, 3, 32, 32, generator=generator), torch.randint(0, 10, (48,), generator=generator)
    model = small_cnn(seed=0)
    base, updates, counts = random_round(model, 4, 0, scale=0.05)
    evaluator = CoalitionEvaluator(model, base, updates, counts, Dataset(x, y, 10, "noise"), "mix")
    assert_batch_equals_per_coalition(evaluator, np.random.default_rng(0).permutation(2**4))


def test_batch_on_a_recorded_history_and_exact_shapley_through_it(free_rider_run) -> None:
    history, validation, _ = free_rider_run
    mr = per_round(history, validation)  # exact Shapley reads every coalition from the batch path
    for t in range(history.rounds):
        evaluator = round_utility(history, t, validation).utility
        assert_batch_equals_per_coalition(evaluator, np.arange(2**history.n_clients))
        per_coalition = exact_shapley(history.n_clients, lambda s: evaluator(s))  # a plain callable: no batch
        np.testing.assert_allclose(mr.per_round[t], per_coalition, rtol=0, atol=1e-12)


def test_cached_values_use_the_batch_path_once_and_plain_callables_still_work() -> None:
    calls: list[np.ndarray] = []

    class Batched:
        def __call__(self, coalition: frozenset[int]) -> float:
            raise AssertionError("the batch path should have been used")

        def utilities(self, masks: np.ndarray) -> np.ndarray:
            calls.append(masks)
            return np.array([bin(m).count("1") for m in masks], dtype=float)

    cached = CachedUtility(Batched(), 3)
    np.testing.assert_array_equal(cached.values([3, 5, 3, 0]), [2, 2, 2, 0])
    assert cached.values([5, 7]).tolist() == [2, 3] and cached({0, 1, 2}) == 3
    assert [m.tolist() for m in calls] == [[3, 5, 0], [7]] and cached.evaluations == 4
    plain = CachedUtility(lambda s: float(len(s)), 3)
    np.testing.assert_array_equal(plain.values(np.arange(8)), [0, 1, 1, 2, 1, 2, 2, 3])


@pytest.mark.parametrize(
    ("utility", "message"),
    [
        (lambda s: "0.5", "not a number"),
        (lambda s: None, "not a number"),
        (lambda s: np.array([0.5]), "not a number"),
        (lambda s: True, "not a number"),
        (lambda s: float("inf"), "inf"),
    ],
)
def test_a_utility_returning_a_non_number_names_itself_and_the_coalition(utility, message: str) -> None:
    with pytest.raises(ValueError, match=message) as error:
        CachedUtility(utility, 3)({2, 0})
    assert "<lambda>" in str(error.value) and "[0, 2]" in str(error.value)


def test_bad_coalitions_and_batches_raise_value_error(free_rider_run) -> None:
    history, validation, _ = free_rider_run
    cached = round_utility(history, 0, validation)
    for call in (lambda: cached({7}), lambda: cached({-1}), lambda: cached({0.5}), lambda: cached.values([32]),
                 lambda: cached.utility.utilities(np.array([-1]))):
        with pytest.raises(ValueError):
            call()
    wrong_shape = CachedUtility(type("Bad", (), {"__call__": lambda self, s: 0.0,
                                                 "utilities": lambda self, m: np.zeros(2)})(), 3)
    with pytest.raises(ValueError, match="batch of shape"):
        wrong_shape.values([1, 2, 3])
    with pytest.raises(ValueError, match="too small"):
        CoalitionEvaluator(history.model, history.global_params[0], history.updates[0], history.sample_counts,
                           validation, batch_memory=10_000).utilities(np.arange(4))


MEMORY_PROBE = textwrap.dedent(
    """
    import sys
    import numpy as np, torch
    import cst_ref.valuation.batch as batch
    from cst_ref.data import Dataset
    from cst_ref.models import mlp
    from cst_ref.valuation import CoalitionEvaluator

    torch.set_num_threads(1)
    batch.CACHE_BYTES = 2**40  # only the memory bound limits the chunk
    generator = torch.Generator().manual_seed(0)
    data = Dataset(torch.randn(5000, 64, generator=generator), torch.randint(0, 10, (5000,)), 10, "noise")
    model = mlp(seed=0)
    base = torch.nn.utils.parameters_to_vector(model.parameters()).detach()
    updates = 0.1 * torch.randn(8, base.numel(), generator=generator)

    def status_mb(field: str) -> float:
        # VmHWM, the peak resident memory of this process image (ru_maxrss would carry over the
        # pytest parent's peak across fork and exec); writing 5 to clear_refs resets it.
        line = next(line for line in open("/proc/self/status") if line.startswith(field))
        return int(line.split()[1]) / 1024

    for bound in (int(sys.argv[1]), int(sys.argv[2])):
        evaluator = CoalitionEvaluator(model, base, updates, np.arange(1, 9), data, "plain", bound)
        evaluator(range(8))  # warm up the kernels outside the measurement
        with open("/proc/self/clear_refs", "w") as refs:
            refs.write("5")
        before = status_mb("VmRSS")
        evaluator.utilities(np.arange(256))
        print(evaluator._batch.chunk, len(evaluator._batch.workspaces), status_mb("VmHWM") - before)
    """
)


def test_peak_memory_of_the_batch_path_stays_under_its_bound() -> None:
    """Measured as the rise of the peak resident memory of a fresh process (MB), with every
    worker thread the machine gives (two on two cores); a large bound (larger chunks) must use
    visibly more, or the measurement would prove nothing."""
    small, large = 56 * 2**20, 1024 * 2**20
    run = subprocess.run([sys.executable, "-c", MEMORY_PROBE, str(small), str(large)],
                         capture_output=True, text=True, check=True)
    lines = run.stdout.split("\n")[:2]
    (chunk_small, _, rise_small), (chunk_large, _, rise_large) = [map(float, line.split()) for line in lines]
    assert chunk_small < chunk_large, run.stdout
    assert rise_small <= small / 2**20, run.stdout
    assert rise_large > 2 * small / 2**20, run.stdout


def test_worker_threads_do_not_change_a_single_accuracy(digits_split) -> None:
    """Chunks are taken by whichever worker is free, yet every number is the same bit for bit
    with one, two or three workers; a bad worker count is refused."""
    _, validation = digits_split
    model = mlp(seed=3)
    base, updates, counts = random_round(model, 9, 3, scale=0.3)
    masks = np.random.default_rng(3).permutation(2**9)
    results = [BatchForward(model, base, updates, counts, validation.x, validation.y, workers=workers).utilities(m)
               for workers in (1, 2, 3) for m in (np.arange(2**9), masks)]
    for workers in range(3):
        np.testing.assert_array_equal(results[2 * workers], results[0])
        np.testing.assert_array_equal(results[2 * workers + 1], results[0][masks])
    assert BatchForward(model, base, updates, counts, validation.x, validation.y, workers=2).chunk < 2**9
    for bad in (0, -1, 1.5, True):
        with pytest.raises(ValueError, match="workers must be a positive integer"):
            BatchForward(model, base, updates, counts, validation.x, validation.y, workers=bad)


def test_monte_carlo_and_tmc_batch_their_permutations_and_count_what_a_walk_would() -> None:
    """MC values every prefix of its permutations in one batch, TMC each position of its block
    of permutations (it truncates): the same coalitions (hence the same evaluation count) and,
    up to float summation order, the same estimate as walking them one at a time."""
    from cst_ref.valuation import monte_carlo_shapley, tmc_shapley
    from cst_ref.valuation.games import airport
    from cst_ref.valuation.single_round import _random_permutations

    game = airport([1.0, 2.0, 2.0, 3.0, 5.0, 8.0])
    asked: list[list[int]] = []

    class Batched:
        def __call__(self, coalition: frozenset[int]) -> float:
            return game.utility(coalition)

        def utilities(self, masks: np.ndarray) -> np.ndarray:
            asked.append(masks.tolist())
            return np.array([game.utility(frozenset(i for i in range(6) if m >> i & 1)) for m in masks])

    def walk(permutations: int, tolerance: float, seed: int) -> tuple[np.ndarray, dict[int, float]]:
        """One permutation after another, one coalition at a time, truncated as TMC is."""
        v = CachedUtility(game.utility, 6)
        full, total = v(range(6)), np.zeros(6)
        for order in itertools.islice(_random_permutations(6, seed), permutations):
            previous, prefix = v(()), set()
            for player in order:
                if abs(full - previous) < tolerance:
                    break
                prefix.add(int(player))
                current = v(prefix)
                total[player] += current - previous
                previous = current
        return total / permutations, v.cache

    for tolerance, run, calls in ((0.0, lambda v: monte_carlo_shapley(6, v, permutations=30, seed=4), 1),
                                  (1.5, lambda v: tmc_shapley(6, v, 30, tolerance=1.5, seed=4), 2 + 6)):
        asked.clear()
        batched = CachedUtility(Batched(), 6)
        one_at_a_time, walked = walk(30, tolerance, 4)
        np.testing.assert_allclose(run(batched), one_at_a_time, atol=1e-12)
        assert batched.cache == walked  # the same coalitions, so the same evaluation count
        assert len(asked) <= calls and max(len(call) for call in asked) > 7  # TMC: v(N), v(∅), a call a position
    assert len(walked) < 2**6 - 1  # truncation left coalitions out: the check above is not vacuous


def test_relu_after_pooling_gives_the_same_logits_bit_for_bit() -> None:
    from cst_ref.valuation.batch import evaluation_form

    model = small_cnn(seed=1).eval()
    x = torch.randn(16, 3, 32, 32, generator=torch.Generator().manual_seed(1))
    fast = evaluation_form(model)
    assert [type(m).__name__ for m in fast][:6] == ["Conv2d", "MaxPool2d", "ReLU", "Conv2d", "MaxPool2d", "ReLU"]
    with torch.no_grad():
        assert torch.equal(model(x), fast(x))

"""The calibrated model is the default: the historical scenario's [parameters]
are the weighted medians of the shipped posterior's last generation
(calibration/posterior/historical.h5, made by the command in
calibration/historical.toml), and the shipped posterior has a predictive,
which `scripts/run` prints beside the official figures.

On failure it prints the [parameters] table to paste into
scenarios/historical.toml after a new calibration."""

import os
import tomllib
import unittest

import h5py
import numpy as np

SOURCE = os.environ["KHORGOS_SOURCE_DIR"]
POSTERIOR = os.path.join(SOURCE, "calibration", "posterior", "historical.h5")
SCENARIO = os.path.join(SOURCE, "scenarios", "historical.toml")


def text(value):
    return value.decode() if isinstance(value, bytes) else str(value)


def weighted_median(values, weights):
    """As calibration::weighted_quantile(q = 0.5): the smallest value whose
    cumulative weight, in ascending order of value, reaches half the total."""
    order = sorted(zip(values, weights))
    total = sum(w for _, w in order)
    cumulative = 0.0
    for value, weight in order:
        cumulative += weight
        if cumulative >= 0.5 * total:
            return value
    return order[-1][0]


class ShippedPosterior(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        with h5py.File(POSTERIOR, "r") as f:
            cls.names = [text(n) for n in f["parameters/names"][...]]
            generations = f["generations"]
            last = generations[sorted(generations)[-1]]
            particles, weights = last["particles"][...], last["weights"][...]
            cls.has_predictive = "predictive" in f and "lower90" in f["predictive"]
        cls.medians = {name: weighted_median(particles[:, j], weights)
                       for j, name in enumerate(cls.names)}
        with open(SCENARIO, "rb") as f:
            cls.scenario = tomllib.load(f).get("parameters", {})

    def test_scenario_parameters_are_the_posterior_medians(self):
        table = "[parameters]\n" + "".join(f'"{n}" = {self.medians[n]!r}\n' for n in self.names)
        for name in self.names:
            with self.subTest(parameter=name):
                self.assertIn(name, self.scenario, "scenarios/historical.toml should have:\n" + table)
                self.assertEqual(self.scenario[name], self.medians[name],
                                 "scenarios/historical.toml should have:\n" + table)

    def test_the_posterior_has_a_predictive(self):
        self.assertTrue(self.has_predictive)


if __name__ == "__main__":
    unittest.main()

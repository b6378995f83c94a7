"""What the random-point fault tests of `khorgos batch` and `khorgos calibrate`
share: seeded delays within a run's duration, the work directory of each
case, and the record of every fault injected and what it lost (printed at the
end; it must be nothing)."""

import os
import random
import sys
import tempfile
import unittest

RNG = random.Random(int(os.environ.get("KHORGOS_FAULT_SEED", "20261127")))
INJECTED = []


class FaultCase(unittest.TestCase):
    """Subclasses set COMMAND (for the report), OUTPUT (the output's name in
    each case's work directory), and in setUpClass `dir` and `duration` (of an
    uninterrupted reference run)."""

    COMMAND = ""
    OUTPUT = ""

    @classmethod
    def tearDownClass(cls):
        print(f"\nfaults injected into {cls.COMMAND}:", file=sys.stderr)
        for fault, where, lost in INJECTED:
            print(f"  {fault} at {where}: lost {lost}", file=sys.stderr)

    def delay(self):
        """A random delay inside a run: uniform over the run's duration as last seen.
        A run that ended before its signal shortens that estimate, so that
        variations in the machine's load cannot leave every signal too late."""
        return RNG.uniform(0, type(self).duration)

    def ended_before(self, delay):
        type(self).duration = min(type(self).duration, delay)

    def setUp(self):
        self.work = tempfile.mkdtemp(prefix="case-", dir=self.dir)
        self.out = os.path.join(self.work, self.OUTPUT)

"""Conditional tests: a test that needs an optional tool or package skips
without it, saying why, unless KHORGOS_REQUIRE_DEPENDENCIES=1, which
scripts/test sets after scripts/setup has installed them: then the absence
is a failure, so that CI cannot lose a test without a word."""

import functools
import os
import unittest

REQUIRED = os.environ.get("KHORGOS_REQUIRE_DEPENDENCIES") == "1"


def needs(available, what):
    """Decorator: the test runs if `available`; otherwise it skips naming
    `what`, or fails where the dependencies are required."""
    def decorate(test):
        if available:
            return test
        if not REQUIRED:
            return unittest.skip(f"{what} not installed")(test)

        @functools.wraps(test)
        def missing(self):
            self.fail(f"{what} not installed, but scripts/setup installs it "
                      "(KHORGOS_REQUIRE_DEPENDENCIES=1)")
        return missing
    return decorate

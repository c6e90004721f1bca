"""Reference backward passes for the exercises; the tests check that they pass."""

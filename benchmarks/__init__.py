"""Benchmarks of lti_ops against its peers, as ratios measured in one process.

``python -m benchmarks [--quick]`` times each case after a warm-up, interleaving the
contenders, and prints medians and ratios. The full runner (all primitives, peak memory,
compile time, docs/benchmarks.md) grows with the Numba issue; this covers discretization.
"""

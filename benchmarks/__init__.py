"""Benchmarks of lti_ops against its peers, as ratios measured in one process.

``python -m benchmarks [--quick]`` runs every case of the area modules (``discretize``,
``kernels``, ``markov``, ``transfer``, ``recurrence``, ``fftconv``), then the memory and
scaling tables, and writes docs/benchmarks.md. A new case is a function in an area module
returning a :class:`benchmarks._case.Case`, listed by that module's ``cases(quick)``; a new
area is a module with ``cases(quick)`` added to ``AREAS`` in ``__main__``.
"""

r"""HOPE: SSMs parameterized by Markov parameters, sampled at Möbius-mapped nodes.

A HOPE channel (Yu, Mahoney, Erichson) holds n Markov parameters :math:`h \in \mathbb C^n`
and a timescale :math:`\Delta > 0`. Its base transfer function is the FIR filter
:math:`G(w) = \sum_{k<n} h_k w^{-(k+1)}`; the layer evaluates the resampled system

.. math:: G_\Delta(z) = G(M_\Delta(z)), \qquad
          M_\Delta(z) = \frac{(1+\Delta) z + (\Delta - 1)}{(\Delta - 1) z + (\Delta + 1)},

at the uniform FFT nodes, i.e. G at the nonuniform nodes :math:`M_\Delta(\omega_j)` of the
unit circle (papers.md §3.3). With :math:`p = (1-\Delta)/(1+\Delta)`,
:math:`M_\Delta(z)^{-1} = (1 - pz)/(z - p)` is a first-order all-pass (Blaschke) factor, so
:math:`G_\Delta = \sum_k h_k b(z)^{k+1}` is an FIR filter whose delays are replaced by
all-pass sections: one pole of multiplicity n at p, a feed-through
:math:`k_0 = \sum_k h_k (-p)^{k+1}`, McMillan degree n, and Hankel singular values and
H-infinity norm that do not depend on Δ (:func:`hope_to_state_space`).

Conventions: kernels are control-convention impulse responses (``k[..., 0]`` is the
feed-through at lag 0, ``k[..., j]`` acts at lag j); at Δ = 1, ``k = (0, h_0, ..., h_{n-1},
0, ...)``. The skip term D of the layer is separate.

Modules: :mod:`~lti_ops.hope.nodes` (the Möbius map, its nodes, the node-count rule),
:mod:`~lti_ops.hope.kernel` (transfer samples, kernels, convolution, memory window),
:mod:`~lti_ops.hope.realization` (state space and fits), :mod:`~lti_ops.hope.init`
(random parameters). Every name is re-exported here, so ``from lti_ops.hope import X``
works as it did when this was one module.
"""

from __future__ import annotations

from ._args import (  # noqa: F401  (private names other modules and tools import from here)
    _array,
    _complex_dtype,
    _dtype,
    _markov,
    _namespace,
    _pole,
    _promote,
    _require_array,
    _signed_powers,
    _step,
)
from .init import HOPE_INIT_SCALINGS, hope_init
from .kernel import (  # noqa: F401
    HOPE_MODES,
    _horner,
    _linear_nodes,
    hope_conv,
    hope_kernel,
    hope_transfer,
    hope_transfer_at,
    memory_window,
)
from .nodes import (  # noqa: F401
    MAX_TAIL,
    _blaschke_growth,
    _circle,
    _nodes,
    _tail,
    _worst_pole,
    mobius,
    mobius_nodes,
    tail_length,
)
from .realization import (  # noqa: F401
    HopeFit,
    _bcast,
    _clip_index,
    hope_from_kernel,
    hope_from_state_space,
    hope_to_state_space,
)

__all__ = [
    "HOPE_MODES",
    "HopeFit",
    "hope_conv",
    "hope_from_kernel",
    "hope_from_state_space",
    "hope_init",
    "hope_kernel",
    "hope_to_state_space",
    "hope_transfer",
    "hope_transfer_at",
    "memory_window",
    "mobius",
    "mobius_nodes",
]
